"""Night one in a new account: a deploy that fails can be retried, `cdk destroy` leaves no schedule behind,
schedules follow what they carry, only our own resources may use our service roles, nothing fails unseen."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storyteller import names
from storyteller.households.family_sync import SyncTargets, schedule_request
from storyteller.models import Family
from tests.infrastructure.conftest import Synthesized

pytestmark = pytest.mark.infra

ACCOUNT = {"Ref": "AWS::AccountId"}


def _resource(synthesized: Synthesized, construct: Any) -> dict[str, Any]:
    resource: dict[str, Any] = synthesized.json["Resources"][synthesized.logical_id(construct)]
    return resource


def _arn(synthesized: Synthesized, construct: Any) -> dict[str, Any]:
    return {"Fn::GetAtt": [synthesized.logical_id(construct), "Arn"]}


def _trust(synthesized: Synthesized, role: Any) -> dict[str, Any]:
    [statement] = _resource(synthesized, role)["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRole"
    return dict(statement)


def _alarm_on(synthesized: Synthesized, namespace: str, metric: str) -> dict[str, Any]:
    [alarm] = [
        alarm["Properties"]
        for alarm in synthesized.resources("AWS::CloudWatch::Alarm").values()
        if (alarm["Properties"].get("Namespace"), alarm["Properties"].get("MetricName")) == (namespace, metric)
    ]
    assert alarm["AlarmActions"] == [{"Ref": synthesized.logical_id(synthesized.stack.monitoring.alerts)}]
    assert alarm["Threshold"] == 1
    return dict(alarm)


def test_the_schedule_group_goes_with_the_stack_and_its_rollback(synthesized: Synthesized) -> None:
    group = _resource(synthesized, synthesized.stack.households.schedule_group)
    # Retained, a failed first deploy's group would make the retry fail on its name, and `cdk destroy`
    # would leave its schedules invoking a deleted function. Scheduler deletes a group's schedules with it.
    assert group["DeletionPolicy"] == "Delete"
    assert group["UpdateReplacePolicy"] == "Delete"


def test_what_is_kept_is_kept_past_the_stack_but_not_past_a_failed_first_deploy(synthesized: Synthesized) -> None:
    storage = synthesized.stack.storage
    kept = (storage.families, storage.characters, storage.scenes, storage.legacy_characters, storage.legacy_scenes)
    for construct in (*kept, storage.media):
        resource = _resource(synthesized, construct)
        assert resource["DeletionPolicy"] == "RetainExceptOnCreate", construct.node.path
        assert resource["UpdateReplacePolicy"] == "Retain", construct.node.path


def test_nothing_retained_has_a_name_a_retry_would_collide_with(synthesized: Synthesized) -> None:
    for logical_id, resource in synthesized.json["Resources"].items():
        if resource.get("DeletionPolicy") not in ("Retain", "RetainExceptOnCreate"):
            continue
        properties = resource.get("Properties", {})
        fixed = {
            key: value
            for key, value in properties.items()
            if key in ("Name", "TableName", "BucketName", "ScheduleGroupName") and isinstance(value, str)
        }
        assert not fixed, f"{logical_id} is retained under a fixed name: {fixed}"


def test_a_change_to_what_schedules_carry_makes_the_deploy_reapply_them(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    households, pipeline = stack.households, stack.pipeline
    setup = _resource(synthesized, households.default_family)["Properties"]
    env = _resource(synthesized, households.setup.function)["Properties"]["Environment"]["Variables"]
    targets = SyncTargets.from_environment(env)
    carried = setup["Schedules"]
    # Every ARN a schedule carries is in the custom resource's properties (a replaced role, DLQ or function
    # changes them, so CloudFormation calls the setup again), as is all the code puts in one.
    assert carried["Target"]["Arn"] == _arn(synthesized, pipeline.create_story.function) == targets.create_story_arn
    assert carried["Target"]["RoleArn"] == _arn(synthesized, pipeline.schedule_role) == targets.schedule_role_arn
    assert carried["Target"]["DeadLetterConfig"]["Arn"] == _arn(synthesized, pipeline.schedule_dlq)
    assert carried["GroupName"] == targets.schedule_group
    sample = Family.model_construct(id="<family>", at="00:00", timeZone="UTC")
    assert carried == json.loads(json.dumps(schedule_request(sample, targets)))
    # The setup may re-apply them: the same rights on family schedules as family_sync, and PassRole.
    policies = [
        statement
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if {"Ref": synthesized.logical_id(households.setup.role)} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    actions = {action for statement in policies for action in _as_list(statement["Action"])}
    assert {"scheduler:GetSchedule", "scheduler:CreateSchedule", "scheduler:UpdateSchedule", "iam:PassRole"} <= actions


def test_service_roles_trust_their_service_for_this_account_and_resource_only(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    schedules = _trust(synthesized, stack.pipeline.schedule_role)
    assert schedules["Principal"] == {"Service": "scheduler.amazonaws.com"}
    assert schedules["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    # Scheduler's SourceArn is the schedule group's ARN (not a schedule's).
    assert schedules["Condition"]["ArnEquals"] == {"aws:SourceArn": _arn(synthesized, stack.households.schedule_group)}

    pipe = _trust(synthesized, stack.pipeline.pipe_role)
    assert pipe["Principal"] == {"Service": "pipes.amazonaws.com"}
    assert pipe["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    [_, pipe_properties] = synthesized.one("AWS::Pipes::Pipe")
    assert pipe_properties["Properties"]["RoleArn"] == _arn(synthesized, stack.pipeline.pipe_role)

    states = _trust(synthesized, stack.workflow.role)
    assert states["Principal"] == {"Service": "states.amazonaws.com"}
    assert states["Condition"]["StringEquals"] == {"aws:SourceAccount": ACCOUNT}
    source = json.dumps(states["Condition"]["ArnLike"]["aws:SourceArn"])
    assert f":stateMachine:{names.STATE_MACHINE}" in source
    assert _resource(synthesized, stack.workflow.state_machine)["Properties"]["StateMachineName"] == names.STATE_MACHINE


def test_a_run_outcome_that_cannot_be_recorded_waits_in_an_alarmed_queue(synthesized: Synthesized) -> None:
    workflow = synthesized.stack.workflow
    [target] = _resource(synthesized, workflow.run_ended_rule)["Properties"]["Targets"]
    assert target["Arn"] == _arn(synthesized, workflow.run_status.function)
    assert target["DeadLetterConfig"]["Arn"] == _arn(synthesized, workflow.run_status_dlq)
    queue_name = {"Fn::GetAtt": [synthesized.logical_id(workflow.run_status_dlq), "QueueName"]}
    alarmed = [
        properties
        for alarm in synthesized.resources("AWS::CloudWatch::Alarm").values()
        if (properties := alarm["Properties"]).get("Dimensions") == [{"Name": "QueueName", "Value": queue_name}]
    ]
    assert len(alarmed) == 1
    assert alarmed[0]["AlarmActions"] == [{"Ref": synthesized.logical_id(synthesized.stack.monitoring.alerts)}]
    # EventBridge may write to the queue, for this rule only.
    [policy] = [
        policy["Properties"]
        for policy in synthesized.resources("AWS::SQS::QueuePolicy").values()
        if {"Ref": synthesized.logical_id(workflow.run_status_dlq)} in policy["Properties"]["Queues"]
    ]
    [send] = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"]
    assert send["Principal"] == {"Service": "events.amazonaws.com"}
    assert send["Condition"]["ArnEquals"]["aws:SourceArn"] == _arn(synthesized, workflow.run_ended_rule)


def test_the_pipes_failed_batches_and_rejected_records_are_alarmed(synthesized: Synthesized) -> None:
    pipe_id, _ = synthesized.one("AWS::Pipes::Pipe")
    failed = _alarm_on(synthesized, "AWS/EventBridge/Pipes", "ExecutionFailed")
    assert failed["Dimensions"] == [{"Name": "PipeName", "Value": {"Ref": pipe_id}}]
    assert failed["Statistic"] == "Sum"
    rejected = _alarm_on(synthesized, names.METRICS_NAMESPACE, "RejectedRecords")
    # Powertools' metrics carry the service as their one dimension (storyteller/observability.py).
    assert rejected["Dimensions"] == [{"Name": "service", "Value": names.SERVICE}]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
