"""The Stories table."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError
from pydantic import ValidationError

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.items import from_item, to_item
from storyteller.dal.memory import StoryMemory
from storyteller.models import PastStory, StoryItem
from storyteller.settings import Settings

log = logging.getLogger(__name__)


class StoryStore:
    """Writes new stories once and reads them back as models."""

    def __init__(self, settings: Settings) -> None:
        self._dynamodb = client("dynamodb", settings.aws_region)
        self._table = settings.stories_table
        self._memory = StoryMemory(settings)

    def put_new(self, story: StoryItem) -> None:
        """Insert a story and remember it; an existing id is an error, never an overwrite of a finished story."""
        self._put(story)
        # The same key every time: a retried put remembers the story once.
        self._memory.remember(story)

    def _put(self, story: StoryItem) -> None:
        item = to_item(story.model_dump(mode="json"))
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item=item,
                ConditionExpression="attribute_not_exists(id)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            # The SDK retries a put whose answer was lost (cut short, timed out) although it landed: the
            # retry then meets our own item, perhaps already claimed by its run. That is success, not a
            # failed night with a story in the table.
            found = from_item(error.response.get("Item") or {})
            written = from_item(item)
            ours = bool(found) and all(found.get(key) == value for key, value in written.items() if key != "status")
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException" and ours:
                return
            raise

    def get(self, story_id: str) -> StoryItem | None:
        """The story, or None when there is none or its row is malformed (expired ones included)."""
        found = self._dynamodb.get_item(TableName=self._table, Key={"id": {"S": story_id}}, ConsistentRead=True)
        item = found.get("Item")
        return _story(from_item(item)) if item else None

    def recent(self, limit: int = 20) -> list[StoryItem]:
        """Newest first; a malformed row is skipped with a warning. A scan is fine: the TTL keeps the table
        to a few days of stories."""
        rows: list[dict[str, Any]] = []
        for page in self._dynamodb.get_paginator("scan").paginate(TableName=self._table):
            rows.extend(from_item(item) for item in page["Items"])
        stories = [story for row in rows if (story := _story(row)) is not None]
        stories.sort(key=lambda story: story.createdAt, reverse=True)
        return stories[:limit]

    def of_family(self, family_id: str, limit: int = 20) -> list[StoryItem]:
        """A family's stories, newest first, from the table's family index (a shelf reads only its own)."""
        # `query` itself, not a paginator: botocore makes a new class for every get_paginator call, cyclic
        # garbage that `up`'s frozen heap leaves uncollected for hours (issue 30: 6.7 KB a shelf view).
        request: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": names.STORIES_BY_FAMILY_INDEX,
            "KeyConditionExpression": "#f = :f",
            "ExpressionAttributeNames": {"#f": names.FAMILY_KEY},
            "ExpressionAttributeValues": {":f": {"S": family_id}},
            "ScanIndexForward": False,
            "Limit": limit * 2,  # a few expired or malformed rows are skipped below
        }
        rows: list[dict[str, Any]] = []
        while True:
            page = self._dynamodb.query(**request)
            rows.extend(from_item(item) for item in page["Items"])
            if "LastEvaluatedKey" not in page or len(rows) >= limit * 2:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        stories = [story for row in rows if (story := _story(row)) is not None and not story.expired()]
        stories.sort(key=lambda story: story.createdAt, reverse=True)
        return stories[:limit]

    def recent_of_cast(
        self,
        character_ids: set[str],
        limit: int = 7,
        family_id: str = names.DEFAULT_FAMILY,
        names_by_id: Mapping[str, str] | None = None,
    ) -> list[PastStory]:
        """Titles, plots and synopses of the family's newest stories sharing a character with this cast, newest
        first: from the memory, which keeps them four weeks while a story itself lives two days (and keeps no
        name: `names_by_id` puts tonight's cast's names back)."""
        return self._memory.recent_of_cast(character_ids, limit, family_id, names_by_id)


def _story(row: dict[str, Any]) -> StoryItem | None:
    """A row as a story; one that is not (edited by hand, half-migrated) is named in the log, not raised:
    one bad row must not take the pages or `storyteller up` down with it."""
    try:
        return StoryItem.model_validate(row)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:3])
        log.warning("skipped malformed story row %r: %s", row.get("id", "?"), problems)
        return None
