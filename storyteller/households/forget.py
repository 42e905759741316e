"""Forgetting stories on purpose: an expired story, or every story of a removed family, and its media.

The same two calls serve AWS (family_sync on the Families stream's REMOVE) and the local runtime (its
daily prune, `storyteller family remove`). What AWS itself keeps (Step Functions history, logs, traces)
holds ids only since StoryCreated version 3; docs/security.md lists it with how long.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.families import FamilyStore
from storyteller.dal.items import from_item
from storyteller.dal.memory import StoryMemory
from storyteller.settings import Settings


@dataclass
class Forgotten:
    """The story ids whose rows and media were deleted, for the log and for what local pruning does next."""

    story_ids: list[str] = field(default_factory=list)


def family_story_ids(family_id: str, settings: Settings) -> list[str]:
    """Every story of the family still in the table, expired or not (DynamoDB deletes lazily)."""
    dynamodb = client("dynamodb", settings.aws_region)
    pages = dynamodb.get_paginator("query").paginate(
        TableName=settings.stories_table,
        IndexName=names.STORIES_BY_FAMILY_INDEX,
        KeyConditionExpression="#f = :f",
        ProjectionExpression="id",
        ExpressionAttributeNames={"#f": names.FAMILY_KEY},
        ExpressionAttributeValues={":f": {"S": family_id}},
    )
    return [str(item["id"]["S"]) for page in pages for item in page["Items"]]


def expired_story_ids(settings: Settings, now: datetime | None = None) -> list[str]:
    """Stories past their TTL that the table still holds (DynamoDB deletes within days, moto never)."""
    moment = int((now or datetime.now(UTC)).timestamp())
    dynamodb = client("dynamodb", settings.aws_region)
    found: list[str] = []
    for page in dynamodb.get_paginator("scan").paginate(
        TableName=settings.stories_table, ProjectionExpression="id, #t", ExpressionAttributeNames={"#t": "ttl"}
    ):
        for item in page["Items"]:
            row = from_item(item)
            ttl = row.get(names.TTL_ATTRIBUTE)
            if ttl is not None and int(ttl) <= moment:
                found.append(str(row["id"]))
    return found


def forget_stories(story_ids: list[str], settings: Settings) -> Forgotten:
    """Delete each story's row, picture and narration; deleting what is already gone is not an error."""
    dynamodb = client("dynamodb", settings.aws_region)
    s3 = client("s3", settings.aws_region)
    for story_id in story_ids:
        for key in (names.image_key(story_id), names.audio_key(story_id)):
            s3.delete_object(Bucket=settings.media_bucket, Key=key)
        dynamodb.delete_item(TableName=settings.stories_table, Key={"id": {"S": story_id}})
    return Forgotten(story_ids=list(story_ids))


def forget_family(family_id: str, settings: Settings) -> Forgotten:
    """Every story of a removed family, with its media, and the memory of what it was told."""
    StoryMemory(settings).forget_family(family_id)
    return forget_stories(family_story_ids(family_id, settings), settings)


def remove_family(family_id: str, settings: Settings) -> tuple[int, Forgotten]:
    """`storyteller family remove`: the family's row (its addresses), cast and scenes, stories and media.

    Returns how many characters and scenes went, and the stories. The schedule goes when the scheduler (or, in
    AWS, family_sync) sees the row gone; the local emails, logs and runs with the runtime's next prune.
    """
    families = FamilyStore(settings)
    families.require(family_id)
    removed = CatalogStore(settings, family_id).remove_all()
    families.remove(family_id)
    return removed, forget_family(family_id, settings)
