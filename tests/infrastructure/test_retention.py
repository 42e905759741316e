"""Retention on purpose: every log group says how long it keeps, and the runs' data names stories, never tells them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infrastructure.conftest import Synthesized

pytestmark = pytest.mark.infra

# Fields of a story the Stories table holds and nothing else may: the state machine's states pass keys.
STORY_CONTENT = ("title", "text", "characters", "scene", "moment", "shelf", "description", "name")


def test_every_log_group_states_its_retention(synthesized: Synthesized) -> None:
    groups = synthesized.resources("AWS::Logs::LogGroup")
    assert groups
    for logical_id, group in groups.items():
        assert isinstance(group["Properties"].get("RetentionInDays"), int), logical_id


def test_every_function_logs_to_a_log_group_of_ours(synthesized: Synthesized) -> None:
    # A function without one writes to /aws/lambda/<name>, created on first use with no expiry at all.
    groups = set(synthesized.resources("AWS::Logs::LogGroup"))
    functions = synthesized.resources("AWS::Lambda::Function")
    assert functions
    for logical_id, function in functions.items():
        logging = function["Properties"].get("LoggingConfig", {})
        assert logging.get("LogGroup", {}).get("Ref") in groups, logical_id


def test_the_state_machine_and_the_pipe_log_to_groups_with_retention(synthesized: Synthesized) -> None:
    groups = synthesized.resources("AWS::Logs::LogGroup")
    _, machine = synthesized.one("AWS::StepFunctions::StateMachine")
    destinations = machine["Properties"]["LoggingConfiguration"]["Destinations"]
    for destination in destinations:
        arn = destination["CloudWatchLogsLogGroup"]["LogGroupArn"]
        assert arn["Fn::GetAtt"][0] in groups
    assert machine["Properties"]["LoggingConfiguration"]["IncludeExecutionData"] is False
    for logical_id, pipe in synthesized.resources("AWS::Pipes::Pipe").items():
        # A pipe without a log configuration writes no logs at all; one with it must name a group of ours.
        log = pipe["Properties"].get("LogConfiguration")
        if log is not None:
            arn = log["CloudwatchLogsLogDestination"]["LogGroupArn"]
            assert arn["Fn::GetAtt"][0] in groups, logical_id


def _state_paths(definition: dict[str, Any]) -> list[str]:
    """Every JSONPath a state reads (`...$` keys' values and Choice variables), nested branches included."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if (key.endswith(".$") or key in ("Variable", "InputPath", "OutputPath")) and isinstance(inner, str):
                    found.append(inner)
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(definition)
    return found


def _rendered_definition(synthesized: Synthesized) -> dict[str, Any]:
    _, machine = synthesized.one("AWS::StepFunctions::StateMachine")
    body = machine["Properties"]["DefinitionString"]
    # CDK renders the substitutions as Fn::Join parts; the ARNs are not JSON, so they become placeholders.
    parts = body["Fn::Join"][1] if isinstance(body, dict) else [body]
    text = "".join(part if isinstance(part, str) else "SUBSTITUTED" for part in parts)
    rendered: dict[str, Any] = json.loads(text)
    return rendered


def test_the_rendered_definition_passes_no_story_content_between_states(synthesized: Synthesized) -> None:
    definition = _rendered_definition(synthesized)
    paths = _state_paths(definition)
    assert "$.id" in paths
    assert "$.family.id" in paths
    for path in paths:
        fields = set(path.replace("[", ".").replace("]", ".").replace("'", ".").split("."))
        # Legacy events are read only to be reduced: `$.version`, `$.id`, `$.family.id` and nothing else.
        assert not fields & set(STORY_CONTENT), path
    states = definition["States"]
    # A version 1 or 2 event is reduced to its references before the first state that does work.
    for upgrade in ("UpgradeV1", "UpgradeV2"):
        assert states[upgrade]["Type"] == "Pass"
        assert states[upgrade]["Next"] == "Claim"
        assert set(states[upgrade]["Parameters"]) == {"version", "id.$", "family"}
        assert "ResultPath" not in states[upgrade]  # the whole old input is replaced, not added to
    for branch in states["MakeMedia"]["Branches"]:
        for task in branch["States"].values():
            # The media functions get the references (the state's input after the upgrade) and nothing more.
            assert task["Parameters"]["Payload.$"] == "$"
