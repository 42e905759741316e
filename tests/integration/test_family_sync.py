"""family_sync against moto's Scheduler and SNS: a family's schedule follows its bedtime, and the SNS email
subscriptions of earlier releases go (the mailer emails through SES)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from storyteller.households.family import new_family
from storyteller.households.family_sync import (
    SyncTargets,
    resync_schedules,
    schedule_name,
    schedule_request,
    sync_family,
)
from storyteller.mailer.migration import remove_email_subscriptions

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
    assert scheduler.list_schedules(GroupName="families")["Schedules"] == []
    assert sync_family(later, None, {}, targets, scheduler, aws["sns"]).schedule is None  # delivered twice: no error


def _old_email_subscription(sns: Any, topic: str, address: str) -> str:
    """What family_sync made before the mailer: an email subscription filtered on the family's id."""
    arn: str = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=address, ReturnSubscriptionArn=True)[
        "SubscriptionArn"
    ]
    return arn


def _mailer_queue(aws: dict[str, Any]) -> None:
    url = aws["sqs"].create_queue(QueueName="mailer")["QueueUrl"]
    arn = aws["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    aws["sns"].subscribe(TopicArn=aws["topic"], Protocol="sqs", Endpoint=arn)


def test_a_change_removes_the_familys_old_email_subscriptions_and_makes_none(aws: dict[str, Any]) -> None:
    sns, targets = aws["sns"], _targets(aws)
    _mailer_queue(aws)
    smiths = new_family("smiths", ["mum@smiths.example", "gran@smiths.example"], "Europe/Paris", "19:30")
    known = {address: _old_email_subscription(sns, aws["topic"], address) for address in smiths.recipients}

    fresh = sync_family(None, smiths, {}, targets, aws["scheduler"], sns)
    changed = sync_family(smiths, smiths, known, targets, aws["scheduler"], sns)

    assert fresh.subscribed == {}
    assert sorted(changed.unsubscribed) == sorted(smiths.recipients)
    left = sns.list_subscriptions_by_topic(TopicArn=aws["topic"])["Subscriptions"]
    assert [s["Protocol"] for s in left] == ["sqs"]  # only the mailer's queue


def test_the_deploy_removes_every_email_subscription_and_keeps_the_mailers_queue(aws: dict[str, Any]) -> None:
    sns = aws["sns"]
    _mailer_queue(aws)
    for address in ("mum@smiths.example", "dad@okafor.example"):
        _old_email_subscription(sns, aws["topic"], address)

    assert remove_email_subscriptions(sns, aws["topic"]) == 2
    assert remove_email_subscriptions(sns, aws["topic"]) == 0  # a second deploy removes nothing more

    left = sns.list_subscriptions_by_topic(TopicArn=aws["topic"])["Subscriptions"]
    assert [s["Protocol"] for s in left] == ["sqs"]


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
