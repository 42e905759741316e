"""The pipe and the rule, as data both the CDK app and the local runtime read.

Stream record → (filter) → `story_created_from_record` (the pipe's enrichment) → bus → (rule) →
state machine with the event's `detail` as input. An input template cannot turn DynamoDB's typed
list of characters into plain JSON, so the pipe's transformation is this one small function.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from storyteller import names
from storyteller.dal.items import from_item
from storyteller.errors import InvalidEventError
from storyteller.models import StoryCreated, StoryItem

# Only new stories start a run: the state machine's own updates (MODIFY) and TTL deletes (REMOVE) must not.
PIPE_FILTER: dict[str, Any] = {"eventName": ["INSERT"]}
RULE_PATTERN: dict[str, Any] = {"source": [names.EVENT_SOURCE], "detail-type": [names.STORY_CREATED]}
RULE_TARGET_INPUT_PATH = "$.detail"
# What the nightly schedule sends create_story. Scheduler fills the placeholder with the firing's time,
# which keys the firing's idempotency record: a firing delivered twice makes one story.
SCHEDULED_TIME_PLACEHOLDER = "<aws.scheduler.scheduled-time>"
SCHEDULE_INPUT: dict[str, str] = {"source": "aws.scheduler", "scheduledTime": SCHEDULED_TIME_PLACEHOLDER}


def story_created_from_record(record: dict[str, Any]) -> StoryCreated:
    """Our StoryCreated for a stream record, or InvalidEventError saying what is wrong with it."""
    image = record.get("dynamodb", {}).get("NewImage")
    if not isinstance(image, dict):
        raise InvalidEventError(f"stream record {record.get('eventID', '?')} has no NewImage")
    try:
        return StoryItem.model_validate(from_item(image)).to_event()
    except (ValidationError, TypeError) as error:
        raise InvalidEventError(f"stream record {record.get('eventID', '?')} is not a story: {error}") from error


def bus_entry(detail: dict[str, Any]) -> dict[str, Any]:
    """The envelope the pipe's target puts around a StoryCreated detail."""
    return {"source": names.EVENT_SOURCE, "detail-type": names.STORY_CREATED, "detail": detail}


def parse_story_created(detail: Any) -> StoryCreated:
    """The state machine's input as our model; unknown versions and bad shapes are refused by name."""
    if isinstance(detail, dict) and detail.get("version") not in (None, "1", "2"):
        raise InvalidEventError(f"StoryCreated version {detail.get('version')!r} is not supported (only '1', '2')")
    try:
        return StoryCreated.model_validate(detail)
    except ValidationError as error:
        raise InvalidEventError(f"not a StoryCreated event: {error.error_count()} problem(s): {error}") from error
