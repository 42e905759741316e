"""The state machine is the ASL file itself, filled with the runtime-shared substitutions, and watched."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.workflow import STATE_ACTIONS
from storyteller import names
from storyteller.flow.workflow import definition_text, placeholders
from tests.infrastructure.conftest import Synthesized

pytestmark = pytest.mark.infra


def _state_names(states: dict[str, Any]) -> set[str]:
    found = set(states)
    for state in states.values():
        for branch in state.get("Branches", []):
            found |= _state_names(branch["States"])
    return found


def _state_machine(synthesized: Synthesized) -> dict[str, Any]:
    _, machine = synthesized.one("AWS::StepFunctions::StateMachine")
    properties: dict[str, Any] = machine["Properties"]
    return properties


def test_definition_is_the_asl_file_inlined(synthesized: Synthesized) -> None:
    definition = json.loads(_state_machine(synthesized)["DefinitionString"])
    asl = json.loads(definition_text())
    assert definition == asl
    assert _state_names(definition["States"]) >= {
        "Claim",
        "MakeMedia",
        "Illustrate",
        "Narrate",
        "SaveMedia",
        "Notify",
        "MarkNotified",
    }


def test_substitutions_fill_every_placeholder_with_our_resources(synthesized: Synthesized) -> None:
    storage, workflow = synthesized.stack.storage, synthesized.stack.workflow
    substitutions = _state_machine(synthesized)["DefinitionSubstitutions"]
    assert set(substitutions) == placeholders(definition_text())
    assert substitutions["StoriesTable"] == {"Ref": synthesized.logical_id(storage.stories)}
    assert substitutions["GenerateImageFunctionArn"] == {
        "Fn::GetAtt": [synthesized.logical_id(workflow.illustrate.function), "Arn"]
    }
    assert substitutions["GenerateAudioFunctionArn"] == {
        "Fn::GetAtt": [synthesized.logical_id(workflow.narrate.function), "Arn"]
    }
    assert substitutions["NotifyTopicArn"] == {"Ref": synthesized.logical_id(workflow.topic)}


def test_standard_type_logs_all_without_execution_data_and_traces(synthesized: Synthesized) -> None:
    properties = _state_machine(synthesized)
    assert properties["StateMachineType"] == "STANDARD"
    assert properties["StateMachineName"] == names.STATE_MACHINE
    logging = properties["LoggingConfiguration"]
    assert logging["Level"] == "ALL"
    assert logging["IncludeExecutionData"] is False
    assert properties["TracingConfiguration"] == {"Enabled": True}


def test_role_allows_exactly_what_the_states_call(synthesized: Synthesized) -> None:
    storage, workflow = synthesized.stack.storage, synthesized.stack.workflow
    role_id = synthesized.logical_id(workflow.role)
    statements = [
        statement
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    # CDK adds CloudWatch Logs delivery and X-Ray for LogOptions and tracing; the rest is the states'.
    state_statements = [
        s for s in statements if not all(a.startswith(("logs:", "xray:")) for a in _as_list(s["Action"]))
    ]
    granted = {
        (action, json.dumps(s["Resource"], sort_keys=True))
        for s in state_statements
        for action in _as_list(s["Action"])
    }
    functions = [workflow.illustrate.function, workflow.narrate.function]
    assert {action for action, _ in granted} == set(STATE_ACTIONS)
    assert (
        "dynamodb:UpdateItem",
        json.dumps({"Fn::GetAtt": [synthesized.logical_id(storage.stories), "Arn"]}),
    ) in granted
    invoke = next(s for s in state_statements if s["Action"] == "lambda:InvokeFunction")
    assert sorted(json.dumps(r) for r in invoke["Resource"]) == sorted(
        json.dumps({"Fn::GetAtt": [synthesized.logical_id(f), "Arn"]}) for f in functions
    )
    assert ("sns:Publish", json.dumps({"Ref": synthesized.logical_id(workflow.topic)})) in granted


def test_media_functions_time_out_before_their_tasks_do(synthesized: Synthesized) -> None:
    """So a slow picture shows up as the function's timeout, not as the state's bare States.Timeout."""
    workflow = synthesized.stack.workflow
    branches = json.loads(definition_text())["States"]["MakeMedia"]["Branches"]
    task_timeouts = {name: state["TimeoutSeconds"] for b in branches for name, state in b["States"].items()}
    functions = synthesized.resources("AWS::Lambda::Function")
    for state, function in (("Illustrate", workflow.illustrate), ("Narrate", workflow.narrate)):
        timeout = functions[synthesized.logical_id(function.function)]["Properties"]["Timeout"]
        assert timeout < task_timeouts[state], (state, timeout, task_timeouts[state])


def test_failed_runs_raise_an_alarm_and_every_status_change_is_recorded(synthesized: Synthesized) -> None:
    monitoring, workflow = synthesized.stack.monitoring, synthesized.stack.workflow
    machine_ref = {"Ref": synthesized.logical_id(workflow.state_machine)}
    alarm = synthesized.resources("AWS::CloudWatch::Alarm")[synthesized.logical_id(monitoring.failed_runs)]
    properties = alarm["Properties"]
    assert properties["MetricName"] == "ExecutionsFailed"
    assert properties["Dimensions"] == [{"Name": "StateMachineArn", "Value": machine_ref}]
    assert properties["AlarmActions"] == [{"Ref": synthesized.logical_id(monitoring.alerts)}]
    rule = synthesized.resources("AWS::Events::Rule")[synthesized.logical_id(monitoring.run_status_rule)]
    pattern = rule["Properties"]["EventPattern"]
    assert pattern["detail-type"] == ["Step Functions Execution Status Change"]
    assert pattern["detail"] == {"stateMachineArn": [machine_ref]}


def test_the_family_is_emailed_through_an_ssl_only_topic(synthesized: Synthesized) -> None:
    workflow = synthesized.stack.workflow
    topic_ref = {"Ref": synthesized.logical_id(workflow.topic)}
    subscriptions = [
        s["Properties"]
        for s in synthesized.resources("AWS::SNS::Subscription").values()
        if s["Properties"]["TopicArn"] == topic_ref
    ]
    # Only the mailer's queue: no email subscription and no filter policy (tests/infrastructure/test_mail.py).
    assert [(s["Protocol"], "FilterPolicy" in s) for s in subscriptions] == [("sqs", False)]
    policies = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in synthesized.resources("AWS::SNS::TopicPolicy").values()
        if topic_ref in p["Properties"]["Topics"]
    ]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for statements in policies
        for s in statements
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
