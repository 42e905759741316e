"""The pipe and the rule, as data both the CDK app and the local runtime read.

Stream record → (filter) → `story_created_from_record` (the pipe's enrichment) → bus → (rule) →
state machine with the event's `detail` as input. The pipe's transformation is this one small function;
it reads the whole new item but passes on only references (version 3): a run's input outlives the story.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from storyteller import names
from storyteller.dal.items import from_item
from storyteller.errors import InvalidEventError
from storyteller.models import LegacyStoryCreated, StoryCreated, StoryItem

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
    except ValidationError as error:
        raise InvalidEventError(
            f"stream record {record.get('eventID', '?')} is not a story: {_problems(error)}"
        ) from error
    except TypeError as error:
        raise InvalidEventError(
            f"stream record {record.get('eventID', '?')} is not a story: {type(error).__name__}"
        ) from error


def bus_entry(detail: dict[str, Any]) -> dict[str, Any]:
    """The envelope the pipe's target puts around a StoryCreated detail."""
    return {"source": names.EVENT_SOURCE, "detail-type": names.STORY_CREATED, "detail": detail}


# Versions 1 and 2 carried the whole story. The pipe has written version 3 since this release; older
# events can still arrive for as long as EventBridge retries a delivery (24 hours) or a failed run waits
# for a redrive (14 days after it ended), so they are accepted and reduced to their references.
LEGACY_VERSIONS = ("1", "2")


def parse_story_created(detail: Any) -> StoryCreated:
    """The state machine's input as a version 3 event; unknown versions and bad shapes are refused by name.

    The error says which fields are wrong, never their values: an old event's values are a child's story.
    """
    version = detail.get("version") if isinstance(detail, dict) else None
    if isinstance(detail, dict) and version not in (None, "3", *LEGACY_VERSIONS):
        raise InvalidEventError(
            f"StoryCreated version {version!r} is not supported (only '3'; '1', '2' while in flight)"
        )
    model: type[StoryCreated | LegacyStoryCreated] = StoryCreated if version == "3" else LegacyStoryCreated
    try:
        parsed = model.model_validate(detail)
    except ValidationError as error:
        raise InvalidEventError(f"not a StoryCreated event: {_problems(error)}") from error
    return parsed.reference() if isinstance(parsed, LegacyStoryCreated) else parsed


def _problems(error: ValidationError) -> str:
    """Where and what kind of problem, without `input_value` (which would quote the story)."""
    found = [f"{'.'.join(map(str, problem['loc'])) or 'event'}: {problem['msg']}" for problem in error.errors()]
    return f"{len(found)} problem(s): " + "; ".join(found[:5])
