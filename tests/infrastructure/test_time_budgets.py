"""Time budgets add up: each provider call's worst case (timeouts × tries + waits) fits its function's
timeout, and each media function's timeout fits its task's; a Lambda timeout is retried by the ASL."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storyteller.budgets import aws_call_seconds, openai_call_seconds
from storyteller.dal.aws import config_for
from storyteller.settings import Settings
from storyteller.workflow import definition_text
from tests.infrastructure.conftest import Synthesized

pytestmark = pytest.mark.infra


def _function(synthesized: Synthesized, construct: Any) -> dict[str, Any]:
    properties: dict[str, Any] = synthesized.json["Resources"][synthesized.logical_id(construct.function)]["Properties"]
    return properties


def _settings_in_lambda(properties: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The settings the function reads, from its template environment (names and ARNs left as they are)."""
    for name, value in properties["Environment"]["Variables"].items():
        if isinstance(value, str):
            monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


@pytest.mark.parametrize("function", ["create_story", "illustrate"])
def test_one_openai_call_fits_its_functions_timeout(
    synthesized: Synthesized, monkeypatch: pytest.MonkeyPatch, function: str
) -> None:
    stack = synthesized.stack
    construct = stack.pipeline.create_story if function == "create_story" else stack.workflow.illustrate
    properties = _function(synthesized, construct)
    settings = _settings_in_lambda(properties, monkeypatch)
    worst = openai_call_seconds(settings.openai_timeout_seconds, settings.openai_max_retries)
    assert worst <= properties["Timeout"], f"{function}: one OpenAI call may take {worst:.0f} s"


def test_one_polly_call_fits_the_narration_timeout(synthesized: Synthesized) -> None:
    properties = _function(synthesized, synthesized.stack.workflow.narrate)
    worst = aws_call_seconds(config_for("polly"))
    assert worst <= properties["Timeout"], f"one Polly call may take {worst:.0f} s"


def test_a_media_functions_timeout_is_retried_by_its_task(synthesized: Synthesized) -> None:
    branches = json.loads(definition_text())["States"]["MakeMedia"]["Branches"]
    for branch in branches:
        for name, state in branch["States"].items():
            retried = {error for retrier in state["Retry"] for error in retrier["ErrorEquals"]}
            # Lambda reports its own timeout (and running out of memory) as Lambda.Unknown.
            assert "Lambda.Unknown" in retried, name
