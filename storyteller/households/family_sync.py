"""AWS in step with the Families table: each family's own schedule.

The Families table's stream calls this for every change (functions/family_sync): a new or changed family
gets an EventBridge Scheduler schedule at its bedtime in its own zone; a removed family loses it. Email is
the mailer's (storyteller.mailer, through SES): the SNS email subscriptions of earlier releases are removed
here as each family's row changes, and all at once by the deploy (storyteller.households.migration). Every step is
idempotent, so a stream record delivered twice changes nothing the second time.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from storyteller.flow import events
from storyteller.models import Family

SCHEDULE_PREFIX = "family-"


@dataclass(frozen=True)
class SyncTargets:
    """Where the schedules and subscriptions point (the function's environment, from the stack)."""

    schedule_group: str
    create_story_arn: str
    schedule_role_arn: str
    dead_letter_arn: str
    topic_arn: str

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> SyncTargets:
        """The targets the stack puts in family_sync's and the households setup's environment."""
        return cls(
            schedule_group=environ["STORYTELLER_SCHEDULE_GROUP"],
            create_story_arn=environ["STORYTELLER_CREATE_STORY_ARN"],
            schedule_role_arn=environ["STORYTELLER_SCHEDULE_ROLE_ARN"],
            dead_letter_arn=environ["STORYTELLER_SCHEDULE_DLQ_ARN"],
            topic_arn=environ["STORYTELLER_NOTIFY_TOPIC_ARN"],
        )


@dataclass
class SyncResult:
    """What one change did, for the log and the tests."""

    schedule: str | None = None  # "created", "updated", "deleted" or None (unchanged)
    subscribed: dict[str, str] = field(default_factory=dict)  # address → subscription ARN
    unsubscribed: list[str] = field(default_factory=list)


def schedule_name(family_id: str) -> str:
    return f"{SCHEDULE_PREFIX}{family_id}"


def schedule_input(family_id: str) -> dict[str, str]:
    """What the family's schedule sends create_story: the firing's time (its idempotency key) and whose."""
    return {**events.SCHEDULE_INPUT, "familyId": family_id}


def schedule_request(family: Family, targets: SyncTargets) -> dict[str, Any]:
    """Scheduler's CreateSchedule/UpdateSchedule parameters for the family's nightly story."""
    hour, minute = (int(part) for part in family.at.split(":"))
    return {
        "Name": schedule_name(family.id),
        "GroupName": targets.schedule_group,
        "Description": f"Tonight's story for {family.id} at {family.at} ({family.timeZone})",
        "ScheduleExpression": f"cron({minute} {hour} * * ? *)",
        "ScheduleExpressionTimezone": family.timeZone,
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "State": "ENABLED",
        "Target": {
            "Arn": targets.create_story_arn,
            "RoleArn": targets.schedule_role_arn,
            "Input": json.dumps(schedule_input(family.id)),
            "DeadLetterConfig": {"Arn": targets.dead_letter_arn},
            # A story written an hour late is still tonight's; later than that, the DLQ's alarm says so.
            "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3},
        },
    }


def sync_family(
    old: Family | None,
    new: Family | None,
    known_subscriptions: dict[str, str],
    targets: SyncTargets,
    scheduler: Any,
    sns: Any,
) -> SyncResult:
    """Make the family's schedule match `new` (None: the family was removed); old email subscriptions go."""
    result = SyncResult()
    if new is None:
        if old is not None:
            result.schedule = _delete_schedule(scheduler, targets, old.id)
    elif old is None or schedule_request(old, targets) != schedule_request(new, targets):
        result.schedule = _put_schedule(scheduler, schedule_request(new, targets))
    # SNS email subscriptions from before the mailer: the mailer emails every address, so each one goes.
    for address, arn in known_subscriptions.items():
        _unsubscribe(sns, arn)
        result.unsubscribed.append(address)
    return result


def resync_schedules(families: list[Family], targets: SyncTargets, scheduler: Any) -> dict[str, str]:
    """Every family's schedule as this deploy would make it: family id → "created", "updated" or "unchanged".

    The stream only reports a family's own changes; a new role, DLQ, function ARN or input reaches the
    schedules made before only through this (the deploy's households setup runs it when they change).
    """
    done: dict[str, str] = {}
    for family in families:
        request = schedule_request(family, targets)
        live = _live_schedule(scheduler, targets.schedule_group, request["Name"])
        done[family.id] = (
            "unchanged" if live is not None and _carries(live, request) else _put_schedule(scheduler, request)
        )
    return done


def _live_schedule(scheduler: Any, group: str, name: str) -> dict[str, Any] | None:
    try:
        schedule: dict[str, Any] = scheduler.get_schedule(Name=name, GroupName=group)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        return None
    return schedule


def _carries(live: Any, wanted: Any) -> bool:
    """Whether the live schedule has every field the request sets, at the requested value (what GetSchedule
    adds of its own, such as dates and ARNs, is not compared)."""
    if isinstance(wanted, dict):
        return isinstance(live, dict) and all(_carries(live.get(key), value) for key, value in wanted.items())
    return bool(live == wanted)


def _put_schedule(scheduler: Any, request: dict[str, Any]) -> str:
    try:
        scheduler.update_schedule(**request)
        return "updated"
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
    try:
        scheduler.create_schedule(**request)
    except ClientError as error:
        # Made meanwhile by the other writer (the stream's family_sync and the deploy's resync may race).
        if error.response["Error"]["Code"] != "ConflictException":
            raise
        scheduler.update_schedule(**request)
        return "updated"
    return "created"


def _delete_schedule(scheduler: Any, targets: SyncTargets, family_id: str) -> str | None:
    try:
        scheduler.delete_schedule(Name=schedule_name(family_id), GroupName=targets.schedule_group)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceNotFoundException":
            raise
        return None
    return "deleted"


def _unsubscribe(sns: Any, arn: str) -> None:
    try:
        sns.unsubscribe(SubscriptionArn=arn)
    except ClientError as error:
        if error.response["Error"]["Code"] != "NotFound":
            raise
