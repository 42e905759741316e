"""A story whose run ended without its email says so: FAILED on the story, from the run's status change.

In AWS an EventBridge rule on the state machine's "Step Functions Execution Status Change" events calls
the `run_status` function; locally the runtime hands the same event shape to the same function. The
state machine itself marks a story COMPLETE (SaveMedia), including after a successful redrive.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field

from storyteller.dal.aws import client
from storyteller.models import StoryStatus
from storyteller.settings import Settings

ENDED_WITHOUT_EMAIL = ("FAILED", "TIMED_OUT", "ABORTED")
STATUS_CHANGE = "Step Functions Execution Status Change"
# Local only: a run that was in flight when the process died comes back FAILED with this error. Its
# last step did not finish; had it been an acknowledged email, recovery would have gone on past it.
INTERRUPTED_ERROR = "Storyteller.Interrupted"
INTERRUPTED_CAUSE = "interrupted by a stop: storyteller was not running to finish this run; retry it"


class ExecutionStatusChange(BaseModel):
    """The `detail` of Step Functions' status-change event (the fields we read)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)

    execution_arn: str = Field(alias="executionArn")
    status: str
    input: str | None = None
    error: str | None = None
    cause: str | None = None

    def story_id(self) -> str | None:
        """The story the run was about: its input is the StoryCreated event."""
        try:
            found = json.loads(self.input or "{}").get("id")
        except (ValueError, AttributeError):
            return None
        return found if isinstance(found, str) and found else None


def record_run_outcome(change: ExecutionStatusChange, settings: Settings) -> bool:
    """Mark the story FAILED when its own run ended without the email; True when the story changed.

    Conditional, so a late event cannot undo a success: the story must still be this run's (a duplicate
    run never claimed it), not emailed and not COMPLETE (a redrive may already have finished it).
    """
    story_id = change.story_id()
    if change.status not in ENDED_WITHOUT_EMAIL or story_id is None:
        return False
    try:
        client("dynamodb", settings.aws_region).update_item(
            TableName=settings.stories_table,
            Key={"id": {"S": story_id}},
            UpdateExpression="SET #status = :failed, runError = :error",
            ConditionExpression=("executionArn = :arn AND attribute_not_exists(notifiedAt) AND #status <> :complete"),
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":failed": {"S": StoryStatus.FAILED.value},
                ":complete": {"S": StoryStatus.COMPLETE.value},
                ":arn": {"S": change.execution_arn},
                ":error": {"S": one_line_failure(change.status, change.error, change.cause)},
            },
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def status_change_event(execution: dict[str, Any]) -> dict[str, Any]:
    """The EventBridge event AWS sends for an execution as DescribeExecution shows it (the local runtime's)."""
    detail = {key: execution.get(key) for key in ("executionArn", "stateMachineArn", "name", "status", "input")}
    detail.update({"error": execution.get("error"), "cause": execution.get("cause")})
    return {"source": "aws.states", "detail-type": STATUS_CHANGE, "detail": detail}


def one_line_failure(status: str, error: str | None, cause: str | None) -> str:
    """An ended run's error and cause on one line (a Lambda's cause is a JSON error body: its message)."""
    text = cause or ""
    with contextlib.suppress(ValueError, AttributeError):
        text = json.loads(text).get("errorMessage", text)
    line = f"{error or status}: {text}" if text else str(error or status)
    return " ".join(line.split())[:300]
