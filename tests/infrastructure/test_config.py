"""Context values are checked before anything is built, and a bad one is named."""

from __future__ import annotations

from typing import Any

import pytest

from infra.config import DeployConfig, DeployConfigError

pytestmark = pytest.mark.infra


def _config(context: dict[str, Any], **changes: Any) -> DeployConfig:
    from aws_cdk import App

    return DeployConfig.from_context(App(context={**context, **changes}).node)


def test_cdk_json_is_a_valid_deployment(cdk_context: dict[str, Any]) -> None:
    config = _config(cdk_context)
    assert config.schedule_expression == cdk_context["scheduleExpression"]
    assert config.is_example_email, "cdk.json ships a placeholder; deploying with it warns at synth"


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("notifyEmail", "not-an-address", "notifyEmail"),
        ("notifyEmail", "", "notifyEmail"),
        ("scheduleTimeZone", "Europe/Londres", "scheduleTimeZone"),
        ("scheduleExpression", "every night", "five fields"),
        ("openaiSecretName", "  ", "openaiSecretName"),
    ],
)
def test_a_bad_context_value_stops_synth_naming_it(
    cdk_context: dict[str, Any], key: str, value: str, says: str
) -> None:
    with pytest.raises(DeployConfigError, match=says):
        _config(cdk_context, **{key: value})


def test_the_profiles_infra_accepts_are_the_settings_own(cdk_context: dict[str, Any]) -> None:
    from infra.config import PROFILES
    from storyteller.settings import Profile

    assert set(PROFILES) == {profile.value for profile in Profile}
    assert _config(cdk_context, profile="thrifty").profile == "thrifty"
    with pytest.raises(DeployConfigError, match="profile 'cheap'"):
        _config(cdk_context, profile="cheap")


def test_detailed_tracing_is_a_flag(cdk_context: dict[str, Any]) -> None:
    assert not _config(cdk_context).detailed_tracing
    assert _config(cdk_context, detailedTracing="true").detailed_tracing
