"""Deadlines add up, for every call a function makes: each call is given what is left of the function's
timeout (less the margin to answer), so however slow the provider, the calls end before Lambda stops the
function; a normal night's calls all fit with their configured limits; each media function's timeout fits
its task's, and a Lambda timeout is still retried by the ASL (storyteller/providers/budgets.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storyteller.dal.aws import config_for
from storyteller.flow.workflow import definition_text
from storyteller.providers.budgets import (
    ANSWER_MARGIN_SECONDS,
    SHORTEST_TRY_SECONDS,
    aws_call_seconds,
    openai_call_limits,
    openai_call_seconds,
)
from storyteller.providers.polly_narrator import ssml_requests
from storyteller.settings import Settings
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
    # The first call keeps its configured timeout and retries: a deadline never cuts a normal night short.
    assert worst <= properties["Timeout"] - ANSWER_MARGIN_SECONDS, f"{function}: one OpenAI call may take {worst:.0f} s"


def test_one_polly_call_fits_the_narration_timeout(synthesized: Synthesized) -> None:
    properties = _function(synthesized, synthesized.stack.workflow.narrate)
    worst = aws_call_seconds(config_for("polly"))
    assert worst <= properties["Timeout"] - ANSWER_MARGIN_SECONDS, f"one Polly call may take {worst:.0f} s"


@pytest.mark.parametrize("seconds_per_call", [3.0, 30.0, 120.0, "worst"])
def test_every_draft_and_moderation_call_of_create_story_ends_before_its_deadline(
    synthesized: Synthesized, monkeypatch: pytest.MonkeyPatch, seconds_per_call: float | str
) -> None:
    """Three drafts, each a completion and a moderation, each taking `seconds_per_call` (or all it is given)."""
    properties = _function(synthesized, synthesized.stack.pipeline.create_story)
    settings = _settings_in_lambda(properties, monkeypatch)
    deadline = properties["Timeout"] - ANSWER_MARGIN_SECONDS
    elapsed, made = 0.0, 0
    for _ in range(settings.writer_attempts):
        for _call in ("completion", "moderation"):
            per_try, retries = openai_call_limits(
                deadline - elapsed, settings.openai_timeout_seconds, settings.openai_max_retries, SHORTEST_TRY_SECONDS
            )
            if per_try == 0:
                break  # not started: ProviderUnavailableError, with time left to answer
            allowed = openai_call_seconds(per_try, retries)
            elapsed += allowed if seconds_per_call == "worst" else min(float(seconds_per_call), allowed)
            made += 1
            assert elapsed <= deadline, f"call {made} ends {elapsed:.0f} s in, after the {deadline:.0f} s deadline"
    if seconds_per_call in (3.0, 30.0):
        assert made == 2 * settings.writer_attempts  # a normal night: every draft and its moderation fit


def test_every_polly_request_of_the_longest_story_fits_the_narration_deadline(synthesized: Synthesized) -> None:
    properties = _function(synthesized, synthesized.stack.workflow.narrate)
    longest = "\n\n".join(["Pip and Wren went out to play,\nand watched the sun go down today."] * 50)
    requests = ssml_requests(f"This is a story called Pip and Wren.\n\n{longest}")
    assert len(requests) >= 2  # several requests: each is checked against what is left before it starts
    typical = 10.0  # seconds Polly takes for one request of ~2,700 characters, with room to spare
    assert len(requests) * typical <= properties["Timeout"] - ANSWER_MARGIN_SECONDS


def test_each_media_functions_timeout_is_within_its_tasks(synthesized: Synthesized) -> None:
    states = {
        name: state
        for branch in json.loads(definition_text())["States"]["MakeMedia"]["Branches"]
        for name, state in branch["States"].items()
    }
    workflow = synthesized.stack.workflow
    for name, construct in (("Illustrate", workflow.illustrate), ("Narrate", workflow.narrate)):
        # A slow job fails as the function's own (readable, retried) error, not as a bare States.Timeout.
        assert _function(synthesized, construct)["Timeout"] < states[name]["TimeoutSeconds"], name


def test_a_media_functions_timeout_is_retried_by_its_task(synthesized: Synthesized) -> None:
    branches = json.loads(definition_text())["States"]["MakeMedia"]["Branches"]
    for branch in branches:
        for name, state in branch["States"].items():
            retried = {error for retrier in state["Retry"] for error in retrier["ErrorEquals"]}
            # Lambda reports its own timeout (and running out of memory) as Lambda.Unknown.
            assert "Lambda.Unknown" in retried, name
