"""family_sync against moto's Scheduler and SNS: a family's schedule follows its bedtime, and the filter
policy on its subscriptions lets through only the messages the Notify state tags with its id."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from storyteller.family_sync import (
    SyncTargets,
    filter_policy,
    resync_schedules,
    schedule_name,
    schedule_request,
    sync_family,
)
from storyteller.households import new_family

REGION = "eu-west-2"
ASL = Path(__file__).resolve().parents[2] / "statemachine" / "story_media.asl.json"


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        clients = {name: boto3.client(name, region_name=REGION) for name in ("scheduler", "sns", "sqs")}
        clients["scheduler"].create_schedule_group(Name="families")
        clients["topic"] = clients["sns"].create_topic(Name="story-ready")["TopicArn"]
        yield clients


def _targets(aws: dict[str, Any]) -> SyncTargets:
    return SyncTargets(
        schedule_group="families",
        create_story_arn=f"arn:aws:lambda:{REGION}:123456789012:function:storyteller-create-story",
        schedule_role_arn="arn:aws:iam::123456789012:role/schedules",
        dead_letter_arn=f"arn:aws:sqs:{REGION}:123456789012:schedule-dlq",
        topic_arn=aws["topic"],
    )


def test_a_familys_schedule_follows_its_bedtime_and_goes_with_it(aws: dict[str, Any]) -> None:
    scheduler, targets = aws["scheduler"], _targets(aws)
    smiths = new_family("smiths", ["mum@smiths.example"], "Europe/Paris", "19:30")

    created = sync_family(None, smiths, {}, targets, scheduler, aws["sns"])
    schedule = scheduler.get_schedule(Name=schedule_name("smiths"), GroupName="families")
    assert created.schedule == "created"
    assert (schedule["ScheduleExpression"], schedule["ScheduleExpressionTimezone"]) == (
        "cron(30 19 * * ? *)",
        "Europe/Paris",
    )
    assert json.loads(schedule["Target"]["Input"])["familyId"] == "smiths"

    later = smiths.model_copy(update={"at": "20:15", "timeZone": "Europe/Lisbon"})
    assert sync_family(smiths, later, created.subscribed, targets, scheduler, aws["sns"]).schedule == "updated"
    schedule = scheduler.get_schedule(Name=schedule_name("smiths"), GroupName="families")
    assert (schedule["ScheduleExpression"], schedule["ScheduleExpressionTimezone"]) == (
        "cron(15 20 * * ? *)",
        "Europe/Lisbon",
    )
    same = sync_family(later, later, created.subscribed, targets, scheduler, aws["sns"])
    assert same.schedule is None  # a change that is not the bedtime (a recorded subscription) leaves it

    removed = sync_family(later, None, created.subscribed, targets, scheduler, aws["sns"])
    assert removed.schedule == "deleted"
    assert removed.unsubscribed == ["mum@smiths.example"]
    assert scheduler.list_schedules(GroupName="families")["Schedules"] == []
    assert sync_family(later, None, {}, targets, scheduler, aws["sns"]).schedule is None  # delivered twice: no error


def test_recipients_are_subscribed_with_their_familys_filter_and_removed_ones_unsubscribed(aws: dict[str, Any]) -> None:
    sns, targets = aws["sns"], _targets(aws)
    smiths = new_family("smiths", ["mum@smiths.example", "gran@smiths.example"], "Europe/Paris", "19:30")

    first = sync_family(None, smiths, {}, targets, aws["scheduler"], sns)
    fewer = smiths.model_copy(update={"recipients": ["mum@smiths.example"]})
    second = sync_family(smiths, fewer, first.subscribed, targets, aws["scheduler"], sns)

    assert set(first.subscribed) == {"mum@smiths.example", "gran@smiths.example"}
    assert second.unsubscribed == ["gran@smiths.example"]
    assert second.subscribed == {}
    left = sns.list_subscriptions_by_topic(TopicArn=aws["topic"])["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in left] == [("email", "mum@smiths.example")]
    attributes = sns.get_subscription_attributes(SubscriptionArn=left[0]["SubscriptionArn"])["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"familyId": ["smiths"]}


def test_the_notify_states_attribute_reaches_only_that_familys_subscribers(aws: dict[str, Any]) -> None:
    sns, sqs, topic = aws["sns"], aws["sqs"], aws["topic"]
    inboxes = {}
    for family in ("smiths", "okafor"):
        url = sqs.create_queue(QueueName=f"inbox-{family}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=arn,
            Attributes={"FilterPolicy": filter_policy(family), "FilterPolicyScope": "MessageAttributes"},
        )
        inboxes[family] = url
    notify = json.loads(ASL.read_text(encoding="utf-8"))["States"]["Notify"]["Parameters"]
    story = {"id": "s-1", "title": "The Treehouse", "family": {"id": "smiths", "shelf": "/shelf/smiths/t"}}
    attributes = {
        name: {"DataType": value["DataType"], "StringValue": _path(story, value["StringValue.$"])}
        for name, value in notify["MessageAttributes"].items()
    }

    sns.publish(TopicArn=topic, Message="ready", Subject="story", MessageAttributes=attributes)

    got = {
        family: sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", [])
        for family, url in inboxes.items()
    }
    assert len(got["smiths"]) == 1
    assert got["okafor"] == []


def _path(document: dict[str, Any], path: str) -> str:
    value: Any = document
    for part in path.removeprefix("$.").split("."):
        value = value[part]
    return str(value)


def test_a_deploy_reapplies_every_schedule_whose_role_dlq_function_or_input_changed(aws: dict[str, Any]) -> None:
    scheduler, targets = aws["scheduler"], _targets(aws)
    smiths = new_family("smiths", ["mum@smiths.example"], "Europe/Paris", "19:30")
    okafor = new_family("okafor", ["dad@okafor.example"], "Africa/Lagos", "20:00")
    sync_family(None, smiths, {}, targets, scheduler, aws["sns"])

    first = resync_schedules([okafor, smiths], targets, scheduler)
    assert first == {"okafor": "created", "smiths": "unchanged"}  # a family the stream never reached gets one

    for changed in (
        replace(targets, schedule_role_arn="arn:aws:iam::123456789012:role/schedules-v2"),
        replace(targets, dead_letter_arn=f"arn:aws:sqs:{REGION}:123456789012:schedule-dlq-v2"),
        replace(targets, create_story_arn=f"arn:aws:lambda:{REGION}:123456789012:function:create-story-v2"),
    ):
        assert resync_schedules([okafor, smiths], changed, scheduler) == {"okafor": "updated", "smiths": "updated"}
        live = scheduler.get_schedule(Name=schedule_name("smiths"), GroupName="families")["Target"]
        assert (live["Arn"], live["RoleArn"], live["DeadLetterConfig"]["Arn"]) == (
            changed.create_story_arn,
            changed.schedule_role_arn,
            changed.dead_letter_arn,
        )
        assert resync_schedules([okafor, smiths], changed, scheduler) == {"okafor": "unchanged", "smiths": "unchanged"}

    # What the code sends in each firing changes too (here: the input), and reaches the schedule.
    scheduler.update_schedule(
        **{
            **schedule_request(smiths, targets),
            "Target": {**schedule_request(smiths, targets)["Target"], "Input": "{}"},
        }
    )
    assert resync_schedules([smiths], targets, scheduler) == {"smiths": "updated"}
    live_input = scheduler.get_schedule(Name=schedule_name("smiths"), GroupName="families")["Target"]["Input"]
    assert json.loads(live_input)["familyId"] == "smiths"


def test_removing_the_schedule_group_removes_its_schedules(aws: dict[str, Any]) -> None:
    scheduler, targets = aws["scheduler"], _targets(aws)
    sync_family(
        None, new_family("smiths", ["mum@smiths.example"], "Europe/Paris", "19:30"), {}, targets, scheduler, aws["sns"]
    )

    scheduler.delete_schedule_group(Name="families")  # what `cdk destroy` does to the stack's group

    assert scheduler.list_schedules()["Schedules"] == []


class _RacedScheduler:
    """moto's Scheduler, where the other writer (the stream's family_sync) creates the schedule just after
    this writer's update found none: the race between the deploy's resync and a family's first record."""

    def __init__(self, scheduler: Any) -> None:
        self._scheduler = scheduler
        self.raced = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._scheduler, name)

    def update_schedule(self, **request: Any) -> Any:
        try:
            return self._scheduler.update_schedule(**request)
        finally:
            if not self.raced:
                self.raced = True
                self._scheduler.create_schedule(**{**request, "Description": "made by the other writer"})


def test_a_schedule_made_meanwhile_by_the_other_writer_is_updated_not_an_error(aws: dict[str, Any]) -> None:
    scheduler, targets = _RacedScheduler(aws["scheduler"]), _targets(aws)
    smiths = new_family("smiths", ["mum@smiths.example"], "Europe/Paris", "19:30")

    assert resync_schedules([smiths], targets, scheduler) == {"smiths": "updated"}

    assert scheduler.raced
    live = aws["scheduler"].get_schedule(Name=schedule_name("smiths"), GroupName="families")
    assert live["Description"] == schedule_request(smiths, targets)["Description"]  # this writer's, in the end
