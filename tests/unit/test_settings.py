"""Settings: sensible defaults, and a bad value named at start."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from frontend.settings import FrontendSettings
from storyteller.settings import ProviderChoice, Settings


def test_defaults_run_offline_at_a_quarter_past_seven_in_london() -> None:
    settings = Settings()
    assert settings.schedule_cron == "15 19 * * *"
    assert settings.schedule_time_zone == "Europe/London"
    assert not settings.use_cloud_providers()
    assert settings.story_base_url == "http://127.0.0.1:8000"


def test_an_openai_key_switches_auto_to_the_cloud_providers() -> None:
    assert Settings(openai_api_key=SecretStr("sk-test")).use_cloud_providers()
    assert not Settings(openai_api_key=SecretStr("sk-test"), providers=ProviderChoice.OFFLINE).use_cloud_providers()


def test_an_unknown_time_zone_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYTELLER_SCHEDULE_TIME_ZONE", "Europe/Atlantis")
    with pytest.raises(ValidationError, match="unknown IANA time zone 'Europe/Atlantis'"):
        Settings()


def test_a_cron_with_the_wrong_number_of_fields_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYTELLER_SCHEDULE_CRON", "15 19 * *")
    with pytest.raises(ValidationError, match="needs five fields"):
        Settings()


def test_base_url_loses_its_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYTELLER_BASE_URL", "https://stories.example.com/")
    assert Settings().story_base_url == "https://stories.example.com"


def test_numeric_weekdays_are_refused_because_the_schedulers_disagree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYTELLER_SCHEDULE_CRON", "15 19 * * 1-5")
    with pytest.raises(ValidationError, match="name the weekdays"):
        Settings()


def test_named_weekdays_are_fine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYTELLER_SCHEDULE_CRON", "15 19 * * MON-FRI")
    assert Settings().schedule_cron == "15 19 * * MON-FRI"


# Where a value comes from: the rules pydantic-settings had, which storyteller/environment.py keeps.


def test_arguments_win_over_the_environment_which_wins_over_dotenv(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "STORYTELLER_PORT=8101\nSTORYTELLER_VOICE=Joanna\nstoryteller_notify_email=dotenv@example.org\n"
    )
    monkeypatch.setenv("STORYTELLER_PORT", "8102")
    settings = Settings(voice="Brian")
    assert (settings.port, settings.voice, settings.notify_email) == (8102, "Brian", "dotenv@example.org")
    assert Settings(_env_file=None).notify_email == "family@example.com"  # type: ignore[call-arg]


def test_aliases_name_the_variables_aws_and_openai_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("STORYTELLER_AWS_REGION", "ignored-because-the-alias-names-it")
    settings = Settings()
    assert settings.aws_region == "eu-central-1"
    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == "sk-from-env"
    assert Settings(aws_region="us-east-1").aws_region == "us-east-1"


def test_containers_and_models_are_read_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYTELLER_CHARACTERS_PER_STORY", "[1, 4]")
    monkeypatch.setenv("STORYTELLER_PRICES", '{"tiny-model": {"input_per_million_tokens": 0.1}}')
    settings = Settings()
    assert settings.characters_per_story == (1, 4)
    assert settings.prices["tiny-model"].input_per_million_tokens == 0.1


def test_a_setting_that_is_not_json_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYTELLER_PRICES", "{not json")
    with pytest.raises(ValidationError) as raised:
        Settings()
    assert [problem["loc"] for problem in raised.value.errors()] == [("prices",)]


def test_the_frontend_reads_the_same_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYTELLER_CONSOLE_SESSION_HOURS", "2.5")
    monkeypatch.setenv("STORYTELLER_PUBLIC_SHELF", "false")
    frontend = FrontendSettings()
    assert (frontend.console_session_hours, frontend.public_shelf) == (2.5, False)


def test_another_openai_endpoint_is_for_local_runs_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYTELLER_OPENAI_BASE_URL", "http://127.0.0.1:11434/v1")
    assert Settings().openai_base_url == "http://127.0.0.1:11434/v1"  # locally: a fake, or a model's server

    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "storyteller-generate-image")
    with pytest.raises(ValidationError, match="STORYTELLER_OPENAI_BASE_URL is for local runs") as refused:
        Settings()
    assert "openai_base_url" in str(refused.value)

    monkeypatch.delenv("STORYTELLER_OPENAI_BASE_URL")
    assert Settings().openai_base_url is None  # in AWS without it: fine
