"""From one family to households, in AWS: what the deploy runs once (functions/households_setup).

A single-family install becomes the default family: the family itself (from the settings it was
deployed with: the notify address, the schedule's time and zone), its cast and scenes copied from the
single-family tables into the family-keyed ones, and its live stories marked as the default family's so
they are on its shelf. A fresh install gets the default family with the starter set. Running it again
changes nothing (every write is by key, and only what is missing is written).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.items import from_item
from storyteller.households.family import ensure_default_family
from storyteller.households.seed import CHARACTERS, SCENES
from storyteller.models import Character, Scene
from storyteller.settings import Settings


@dataclass
class Migrated:
    """What the migration did, for the deploy's log and the custom resource's data."""

    family: str
    characters: int = 0
    scenes: int = 0
    stories: int = 0
    starter_set: bool = False


def migrate(settings: Settings, legacy_characters: str | None, legacy_scenes: str | None) -> Migrated:
    """Make the default family whole; the legacy table names are those of the single-family install."""
    family = ensure_default_family(settings)
    catalog = CatalogStore(settings, family.id)
    done = Migrated(family=family.id)
    dynamodb = client("dynamodb", settings.aws_region)
    if not catalog.characters():
        legacy = _rows(dynamodb, legacy_characters, Character)
        done.starter_set = not legacy
        for character in legacy or list(CHARACTERS):
            catalog.put_character(character)
            done.characters += 1
    if not catalog.scenes():
        for scene in _rows(dynamodb, legacy_scenes, Scene) or list(SCENES):
            catalog.put_scene(scene)
            done.scenes += 1
    done.stories = _adopt_stories(dynamodb, settings.stories_table)
    return done


def _rows(dynamodb: Any, table: str | None, model: type[Character] | type[Scene]) -> list[Any]:
    if not table:
        return []
    rows: list[Any] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            try:
                rows.append(model.model_validate(from_item(item)))
            except ValidationError:
                continue  # a row the single-family install would have skipped too
    return rows


def _adopt_stories(dynamodb: Any, table: str) -> int:
    """Stories from before households become the default family's (a MODIFY: the pipe passes INSERTs only)."""
    adopted = 0
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=table,
        ProjectionExpression="id",
        FilterExpression="attribute_not_exists(#f)",
        ExpressionAttributeNames={"#f": names.FAMILY_KEY},
    )
    for page in pages:
        for item in page["Items"]:
            dynamodb.update_item(
                TableName=table,
                Key={"id": item["id"]},
                UpdateExpression="SET #f = :f",
                ConditionExpression="attribute_exists(id) AND attribute_not_exists(#f)",
                ExpressionAttributeNames={"#f": names.FAMILY_KEY},
                ExpressionAttributeValues={":f": {"S": names.DEFAULT_FAMILY}},
            )
            adopted += 1
    return adopted
