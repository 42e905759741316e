"""Households in the template: each family's schedule and subscriptions are made by family_sync from the
Families stream, with what the template gives it; the deploy makes the default family (issue 14)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from functions.create_story.handler import FIRING
from storyteller import names
from storyteller.households.family import new_family
from storyteller.households.family_sync import SCHEDULE_PREFIX, SyncTargets, schedule_request
from tests.infrastructure.conftest import Synthesized

pytestmark = pytest.mark.infra


def _statements(synthesized: Synthesized, role: Any) -> list[dict[str, Any]]:
    role_ref = {"Ref": synthesized.logical_id(role)}
    return [
        statement
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if role_ref in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _allows(statements: list[dict[str, Any]], action: str, resource: Any) -> bool:
    return any(
        action in _as_list(statement["Action"]) and resource in _as_list(statement["Resource"])
        for statement in statements
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _arn(synthesized: Synthesized, construct: Any) -> dict[str, Any]:
    return {"Fn::GetAtt": [synthesized.logical_id(construct), "Arn"]}


def test_families_and_their_catalog_are_keyed_as_the_code_reads_them(synthesized: Synthesized) -> None:
    storage = synthesized.stack.storage
    resources = synthesized.json["Resources"]
    families = resources[synthesized.logical_id(storage.families)]
    assert families["Properties"]["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert families["Properties"]["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert families["DeletionPolicy"] == "RetainExceptOnCreate"  # kept, unless the deploy making it fails
    for table in (storage.characters, storage.scenes):
        assert resources[synthesized.logical_id(table)]["Properties"]["KeySchema"] == [
            {"AttributeName": names.FAMILY_KEY, "KeyType": "HASH"},
            {"AttributeName": "id", "KeyType": "RANGE"},
        ]
    [index] = resources[synthesized.logical_id(storage.stories)]["Properties"]["GlobalSecondaryIndexes"]
    assert index["IndexName"] == names.STORIES_BY_FAMILY_INDEX
    assert index["KeySchema"] == [
        {"AttributeName": names.FAMILY_KEY, "KeyType": "HASH"},
        {"AttributeName": "createdAt", "KeyType": "RANGE"},
    ]
    assert index["Projection"] == {"ProjectionType": "ALL"}  # the shelf reads whole stories


def test_family_sync_makes_each_schedule_with_what_the_template_gives_it(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    households, pipeline = stack.households, stack.pipeline
    function = synthesized.json["Resources"][synthesized.logical_id(households.family_sync.function)]
    env = function["Properties"]["Environment"]["Variables"]
    targets = SyncTargets(
        schedule_group=env["STORYTELLER_SCHEDULE_GROUP"],
        create_story_arn=env["STORYTELLER_CREATE_STORY_ARN"],
        schedule_role_arn=env["STORYTELLER_SCHEDULE_ROLE_ARN"],
        dead_letter_arn=env["STORYTELLER_SCHEDULE_DLQ_ARN"],
        topic_arn=env["STORYTELLER_NOTIFY_TOPIC_ARN"],
    )
    assert targets.create_story_arn == _arn(synthesized, pipeline.create_story.function)
    assert targets.schedule_role_arn == _arn(synthesized, pipeline.schedule_role)
    assert targets.dead_letter_arn == _arn(synthesized, pipeline.schedule_dlq)
    assert targets.topic_arn == {"Ref": synthesized.logical_id(stack.workflow.topic)}
    group = synthesized.resources("AWS::Scheduler::ScheduleGroup")[synthesized.logical_id(households.schedule_group)]
    assert targets.schedule_group == group["Properties"]["Name"]

    smiths = new_family("smiths", ["mum@smiths.example"], "Europe/Paris", "19:30")
    request = schedule_request(smiths, targets)

    assert request["ScheduleExpression"] == "cron(30 19 * * ? *)"
    assert request["ScheduleExpressionTimezone"] == "Europe/Paris"
    assert request["Name"] == f"{SCHEDULE_PREFIX}smiths"
    firing = json.loads(request["Target"]["Input"].replace("<aws.scheduler.scheduled-time>", "2026-12-04T18:30:00Z"))
    import jmespath

    assert jmespath.search(FIRING.event_key_jmespath, firing) == ["smiths", "2026-12-04T18:30:00Z"]
    # The schedule runs as the role, which may invoke create_story and drop a failed firing in the DLQ.
    schedule_role = _statements(synthesized, pipeline.schedule_role)
    assert _allows(schedule_role, "lambda:InvokeFunction", targets.create_story_arn)
    assert _allows(schedule_role, "sqs:SendMessage", targets.dead_letter_arn)
    trust = synthesized.json["Resources"][synthesized.logical_id(pipeline.schedule_role)]["Properties"]
    assert trust["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "scheduler.amazonaws.com"}


def test_family_sync_may_touch_family_schedules_and_subscriptions_only(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    households = stack.households
    statements = _statements(synthesized, households.family_sync.role)
    schedules = [statement for statement in statements if "scheduler:CreateSchedule" in _as_list(statement["Action"])]
    assert len(schedules) == 1
    [resource] = _as_list(schedules[0]["Resource"])
    text = json.dumps(resource)
    assert f"/{SCHEDULE_PREFIX}*" in text  # family schedules of this stack's group, nothing else
    assert (
        synthesized.json["Resources"][synthesized.logical_id(households.schedule_group)]["Properties"]["Name"] in text
    )
    [pass_role] = [statement for statement in statements if statement["Action"] == "iam:PassRole"]
    assert pass_role["Resource"] == _arn(synthesized, stack.pipeline.schedule_role)
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}
    topic = {"Ref": synthesized.logical_id(stack.workflow.topic)}
    assert not _allows(statements, "sns:Subscribe", topic)  # the mailer emails through SES
    assert _allows(statements, "sns:Unsubscribe", topic)  # only to remove earlier releases' subscriptions
    assert not _allows(statements, "sns:Publish", topic)


def test_the_families_stream_feeds_family_sync_in_order_with_a_dead_letter_queue(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    [mapping] = [
        m["Properties"]
        for m in synthesized.resources("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": synthesized.logical_id(stack.households.family_sync.function)}
    ]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [synthesized.logical_id(stack.storage.families), "StreamArn"]}
    assert mapping["StartingPosition"] == "TRIM_HORIZON"  # the default family's row, written at deploy, is read
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]  # the handler's partial responses
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == _arn(synthesized, stack.pipeline.family_sync_dlq)
    alarmed = {
        json.dumps(alarm["Properties"].get("Dimensions"))
        for alarm in synthesized.resources("AWS::CloudWatch::Alarm").values()
    }
    dlq_name = {"Fn::GetAtt": [synthesized.logical_id(stack.pipeline.family_sync_dlq), "QueueName"]}
    assert any(json.dumps(dlq_name) in dimensions for dimensions in alarmed)


def test_the_deploy_makes_the_default_family_from_the_single_family_settings(synthesized: Synthesized) -> None:
    stack = synthesized.stack
    households, storage = stack.households, stack.storage
    resources = synthesized.json["Resources"]
    setup = resources[synthesized.logical_id(households.default_family)]
    assert setup["Properties"]["LegacyCharactersTable"] == {"Ref": synthesized.logical_id(storage.legacy_characters)}
    assert setup["Properties"]["LegacyScenesTable"] == {"Ref": synthesized.logical_id(storage.legacy_scenes)}
    env = resources[synthesized.logical_id(households.setup.function)]["Properties"]["Environment"]["Variables"]
    assert env["STORYTELLER_NOTIFY_EMAIL"] == synthesized.context["notifyEmail"]
    assert env["STORYTELLER_SCHEDULE_CRON"] == synthesized.context["scheduleExpression"]
    assert env["STORYTELLER_SCHEDULE_TIME_ZONE"] == synthesized.context["scheduleTimeZone"]
    assert env["STORYTELLER_FAMILIES_TABLE"] == {"Ref": synthesized.logical_id(storage.families)}
    # The row it writes must reach family_sync's stream mapping: the custom resource waits for it.
    mapping_ids = [
        logical_id
        for logical_id, m in synthesized.resources("AWS::Lambda::EventSourceMapping").items()
        if m["Properties"]["FunctionName"] == {"Ref": synthesized.logical_id(households.family_sync.function)}
    ]
    assert set(mapping_ids) <= set(setup.get("DependsOn", []))
    for table in (storage.legacy_characters, storage.legacy_scenes, storage.families):
        assert resources[synthesized.logical_id(table)]["DeletionPolicy"] == "RetainExceptOnCreate"
    assert not synthesized.resources("AWS::Scheduler::Schedule")  # no stack-wide schedule: one per family
