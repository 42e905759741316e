"""Settings: sensible defaults, and a bad value named at start."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

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
