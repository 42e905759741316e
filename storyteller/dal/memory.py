"""The StoryMemory table: what each family was told, kept four weeks, never the story's text.

It outlives the two-day story, so it holds no name either (a title often names the cast): each cast member's
name is kept as a marker of their id and put back, from tonight's cast, when a writer reads the memory. Nor
does it hold the story's id, only a digest that keeps two stories told in one second apart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.items import from_item, to_item
from storyteller.models import Character, PastStory, StoryItem
from storyteller.settings import Settings

# A family hears one story a night: four weeks of records is one Query page.
READ_LIMIT = 60


class StoryMemory:
    """Remembers each story's title, plot, synopsis and cast ids; outlives the two-day story by its own TTL."""

    def __init__(self, settings: Settings) -> None:
        self._dynamodb = client("dynamodb", settings.aws_region)
        self._table = settings.memory_table

    def remember(self, story: StoryItem) -> None:
        """One record per story, keyed by when it was told (and its id: two stories in one second differ)."""
        told = story.createdAt.isoformat()
        digest = hashlib.sha256(story.id.encode()).hexdigest()[:16]
        record = {
            names.FAMILY_KEY: story.familyId,
            "toldAt": f"{told}#{digest}",
            "title": _without_names(story.title, story.characters),
            "plot": story.plot,
            "synopsis": _without_names(story.synopsis, story.characters),
            "characterIds": sorted(character.id for character in story.characters),
            names.TTL_ATTRIBUTE: int(story.createdAt.timestamp()) + names.MEMORY_LIFETIME_SECONDS,
        }
        self._dynamodb.put_item(
            TableName=self._table, Item=to_item({key: value for key, value in record.items() if value is not None})
        )

    def recent_of_cast(
        self,
        character_ids: set[str],
        limit: int = 7,
        family_id: str = names.DEFAULT_FAMILY,
        names_by_id: Mapping[str, str] | None = None,
    ) -> list[PastStory]:
        """What this family was told with any of these characters, newest first; names put back from
        `names_by_id` (tonight's cast), a marker left where a name is not known."""
        answer = self._dynamodb.query(
            TableName=self._table,
            KeyConditionExpression="#f = :f",
            ExpressionAttributeNames={"#f": names.FAMILY_KEY},
            ExpressionAttributeValues={":f": {"S": family_id}},
            ScanIndexForward=False,
            Limit=READ_LIMIT,
        )
        rows: list[dict[str, Any]] = [from_item(item) for item in answer["Items"]]
        shared = [row for row in rows if character_ids & set(row.get("characterIds", []))]
        return [
            PastStory(
                title=_with_names(row["title"], names_by_id or {}),
                plot=row.get("plot"),
                synopsis=_with_names(row["synopsis"], names_by_id or {}) if row.get("synopsis") else None,
            )
            for row in shared[:limit]
            if row.get("title")
        ]

    def forget_family(self, family_id: str) -> int:
        """Delete everything the family was told (a removed family leaves no record); returns how many."""
        pages = self._dynamodb.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="#f = :f",
            ProjectionExpression="#f, toldAt",
            ExpressionAttributeNames={"#f": names.FAMILY_KEY},
            ExpressionAttributeValues={":f": {"S": family_id}},
        )
        keys = [item for page in pages for item in page["Items"]]
        for key in keys:
            self._dynamodb.delete_item(TableName=self._table, Key=key)
        return len(keys)


def _marker(character_id: str) -> str:
    return "{cast:" + character_id + "}"


def _without_names(words: str | None, characters: Iterable[Character]) -> str | None:
    """The words with each character's name replaced by its marker (longest first: "Ann" inside "Annabel")."""
    if words is None:
        return None
    for character in sorted(characters, key=lambda character: len(character.name), reverse=True):
        words = words.replace(character.name, _marker(character.id))
    return words


def _with_names(words: str, names_by_id: Mapping[str, str]) -> str:
    for character_id, name in names_by_id.items():
        words = words.replace(_marker(character_id), name)
    return words
