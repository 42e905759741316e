"""The StoryMemory table: what each family was told, kept four weeks, never the story's text."""

from __future__ import annotations

from typing import Any

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.items import from_item, to_item
from storyteller.models import PastStory, StoryItem
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
        record = {
            names.FAMILY_KEY: story.familyId,
            "toldAt": f"{told}#{story.id}",
            "storyId": story.id,
            "title": story.title,
            "plot": story.plot,
            "synopsis": story.synopsis,
            "characterIds": sorted(character.id for character in story.characters),
            names.TTL_ATTRIBUTE: int(story.createdAt.timestamp()) + names.MEMORY_LIFETIME_SECONDS,
        }
        self._dynamodb.put_item(
            TableName=self._table, Item=to_item({key: value for key, value in record.items() if value is not None})
        )

    def recent_of_cast(
        self, character_ids: set[str], limit: int = 7, family_id: str = names.DEFAULT_FAMILY
    ) -> list[PastStory]:
        """What this family was told with any of these characters, newest first."""
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
            PastStory(title=row["title"], plot=row.get("plot"), synopsis=row.get("synopsis"))
            for row in shared[:limit]
            if row.get("title")
        ]
