"""Retry a story's failed run, as the console's Retry does: find the run, check it is safe, redrive, wait.

Redrive re-runs only what failed or did not finish, under the same execution ARN, so a finished
branch is not paid for again and SaveMedia's condition keeps the email single. One case needs a
person: a run that failed *in Notify* in a way that does not prove SNS refused the message (a 5xx,
a lost or garbled answer). SNS Publish has no idempotency key, so a retry may send a second email;
`retry_story` refuses it unless `resend=True`.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from botocore.exceptions import ClientError

from storyteller.dal.stories import StoryStore
from storyteller.errors import StorytellerError
from storyteller.flow.run_outcome import INTERRUPTED_ERROR, one_line_failure
from storyteller.models import StoryItem

REDRIVABLE = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
NOTIFY_STATE = "Notify"
# Notify errors where SNS answered "no" (4xx): the message was surely not accepted, so sending again is safe.
SURELY_NOT_SENT = frozenset(
    {
        "SNS.ThrottledException",
        "SNS.KMSThrottlingException",
        "SNS.InvalidParameterException",
        "SNS.InvalidParameterValueException",
        "SNS.AuthorizationErrorException",
        "SNS.NotFoundException",
        "SNS.KMSAccessDeniedException",
        "SNS.KMSDisabledException",
        # Locally, a run interrupted in Notify whose message SNS had accepted is finished by recovery,
        # so one still failed in Notify was never sent (storyteller/local/runtime.py).
        INTERRUPTED_ERROR,
    }
)
STORY_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")
POLL_SECONDS = 0.1


class RetryExit(IntEnum):
    """The CLI's exit codes for `storyteller retry` (2 stays the usage and bad-setting code)."""

    COMPLETE = 0
    FAILED_AGAIN = 1
    NO_SUCH_STORY = 3
    NOT_RETRIED = 4


class RetryRefusedError(StorytellerError):
    """Nothing was changed: the story is unknown or expired, or its run is not one to retry now."""

    def __init__(self, message: str, exit_code: RetryExit) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True)
class RetryOutcome:
    """How the retried run ended."""

    story_id: str
    execution_arn: str
    execution_status: str
    story_status: str
    emailed: bool
    redrives: int
    error: str | None
    replayed: bool

    @property
    def exit_code(self) -> RetryExit:
        """0 when the story is complete and emailed, else 1."""
        done = self.execution_status == "SUCCEEDED" and self.story_status == "COMPLETE" and self.emailed
        return RetryExit.COMPLETE if done else RetryExit.FAILED_AGAIN


def retry_story(
    stories: StoryStore,
    sfn: Any,
    state_machine_arn: str,
    story_id: str,
    resend: bool = False,
    timeout: float = 300.0,
    now: datetime | None = None,
) -> RetryOutcome:
    """Redrive the story's failed run and wait for it; RetryRefusedError (nothing changed) when it must not."""
    story = _story(stories, story_id, now)
    arn = story.executionArn or _failed_run_for(sfn, state_machine_arn, story_id)
    if arn is None:
        raise RetryRefusedError(
            f"story {story_id} has no run to retry (status {story.status}): nothing was changed",
            RetryExit.NOT_RETRIED,
        )
    try:
        described = sfn.describe_execution(executionArn=arn)
    except ClientError as error:
        if _code(error) != "ExecutionDoesNotExist":
            raise
        # Only the local endpoint forgets runs (it keeps them in memory): re-run this one under its own name.
        _check_lost_run_is_safe(story, resend)
        sfn.start_execution(
            stateMachineArn=state_machine_arn,
            name=arn.rsplit(":", 1)[1],
            input=json.dumps(story.to_event().model_dump(mode="json")),
        )
        return _wait(stories, sfn, story_id, arn, timeout, replayed=True)
    _check_redrivable(sfn, story, described, resend)
    sfn.redrive_execution(executionArn=arn)
    return _wait(stories, sfn, story_id, arn, timeout, replayed=False)


def email_may_have_been_sent(sfn: Any, described: dict[str, Any]) -> bool:
    """Whether this failed run may have emailed already: it failed in Notify, and not because SNS said no."""
    error = described.get("error") or described["status"]
    return error not in SURELY_NOT_SENT and failed_state(sfn, described["executionArn"]) == NOTIFY_STATE


def failed_state(sfn: Any, execution_arn: str) -> str | None:
    """The top-level state the run was in when it ended: where a redrive resumes."""
    definition = json.loads(sfn.describe_state_machine_for_execution(executionArn=execution_arn)["definition"])
    top_level = set(definition["States"])
    events: list[dict[str, Any]] = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
        events.extend(page["events"])
    for event in reversed(events):
        name = event.get("stateEnteredEventDetails", {}).get("name")
        if name in top_level:
            return str(name)
    return None


def _story(stories: StoryStore, story_id: str, now: datetime | None) -> StoryItem:
    if not STORY_ID.match(story_id):
        raise RetryRefusedError(
            f"{story_id[:80]!r} is not a story id (the UUID in the story's link)", RetryExit.NO_SUCH_STORY
        )
    story = stories.get(story_id)
    if story is None:
        raise RetryRefusedError(
            f"no story {story_id}: it never existed, or it expired and was deleted", RetryExit.NO_SUCH_STORY
        )
    if story.expired(now):
        ended = datetime.fromtimestamp(story.ttl, UTC).strftime("%Y-%m-%d %H:%M UTC")
        raise RetryRefusedError(
            f"story {story_id} expired at {ended} (stories last two days): nothing to retry", RetryExit.NO_SUCH_STORY
        )
    return story


def _check_redrivable(sfn: Any, story: StoryItem, described: dict[str, Any], resend: bool) -> None:
    status = described["status"]
    if status == "RUNNING":
        redrives = described.get("redriveCount", 0)
        again = f", retried {redrives} time{'s' if redrives != 1 else ''}" if redrives else ""
        raise RetryRefusedError(
            f"story {story.id}'s run is still running{again}: nothing was changed", RetryExit.NOT_RETRIED
        )
    if status not in REDRIVABLE:
        said = f"was emailed at {story.notifiedAt:%Y-%m-%d %H:%M}" if story.notifiedAt else f"is {story.status}"
        raise RetryRefusedError(
            f"story {story.id}'s run {status.lower()} and the story {said}: nothing to retry", RetryExit.NOT_RETRIED
        )
    error = described.get("error") or status
    if not resend and email_may_have_been_sent(sfn, described):
        raise RetryRefusedError(
            f"story {story.id}'s run failed while emailing ({error}), so the email may have been sent; "
            "if the family did not get it, retry with --resend",
            RetryExit.NOT_RETRIED,
        )


def _check_lost_run_is_safe(story: StoryItem, resend: bool) -> None:
    if story.notifiedAt is not None:
        raise RetryRefusedError(
            f"story {story.id} was emailed at {story.notifiedAt:%Y-%m-%d %H:%M}: nothing to retry",
            RetryExit.NOT_RETRIED,
        )
    # COMPLETE without notifiedAt: the lost run got as far as emailing, and how that ended was lost with it.
    if story.status == "COMPLETE" and not resend:
        raise RetryRefusedError(
            f"story {story.id}'s media are saved but its run was lost with a restart while emailing, so the "
            "email may have been sent; if the family did not get it, retry with --resend",
            RetryExit.NOT_RETRIED,
        )


def _failed_run_for(sfn: Any, state_machine_arn: str, story_id: str) -> str | None:
    # A run that failed before Claim recorded it on the story: found by the story id in its input.
    for status in sorted(REDRIVABLE):
        for page in sfn.get_paginator("list_executions").paginate(
            stateMachineArn=state_machine_arn, statusFilter=status
        ):
            for execution in page["executions"]:
                described = sfn.describe_execution(executionArn=execution["executionArn"])
                try:
                    run_input = json.loads(described.get("input") or "{}")
                except ValueError:
                    continue
                if isinstance(run_input, dict) and run_input.get("id") == story_id:
                    return str(execution["executionArn"])
    return None


def _wait(stories: StoryStore, sfn: Any, story_id: str, arn: str, timeout: float, replayed: bool) -> RetryOutcome:
    deadline = time.monotonic() + timeout
    described = sfn.describe_execution(executionArn=arn)
    while described["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        described = sfn.describe_execution(executionArn=arn)
    story = stories.get(story_id)
    error = None
    if described["status"] == "RUNNING":
        error = f"still running after {timeout:.0f} s"
    elif described["status"] != "SUCCEEDED":
        error = one_line_failure(described["status"], described.get("error"), described.get("cause"))
    return RetryOutcome(
        story_id=story_id,
        execution_arn=arn,
        execution_status=described["status"],
        story_status=str(story.status) if story else "MISSING",
        emailed=bool(story and story.notifiedAt),
        redrives=int(described.get("redriveCount", 0)),
        error=error,
        replayed=replayed,
    )


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
