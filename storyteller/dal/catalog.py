"""The Characters and Scenes tables: what stories can be made of."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import ValidationError

from storyteller.dal.aws import client
from storyteller.dal.items import from_item, to_item
from storyteller.models import Character, Scene
from storyteller.settings import Settings

T = TypeVar("T", Character, Scene)


class CatalogStore:
    """Reads and seeds the cast and the scenes."""

    def __init__(self, settings: Settings) -> None:
        self._dynamodb = client("dynamodb", settings.aws_region)
        self._characters = settings.characters_table
        self._scenes = settings.scenes_table

    def characters(self) -> list[Character]:
        """Every valid character; an invalid row is skipped rather than failing every night."""
        return _valid(Character, self._scan(self._characters))

    def scenes(self) -> list[Scene]:
        """Every valid scene."""
        return _valid(Scene, self._scan(self._scenes))

    def put_character(self, character: Character) -> None:
        """Insert or replace a character by id."""
        self._dynamodb.put_item(TableName=self._characters, Item=to_item(character.model_dump()))

    def put_scene(self, scene: Scene) -> None:
        """Insert or replace a scene by id."""
        self._dynamodb.put_item(TableName=self._scenes, Item=to_item(scene.model_dump()))

    def _scan(self, table: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for page in self._dynamodb.get_paginator("scan").paginate(TableName=table):
            rows.extend(from_item(item) for item in page["Items"])
        return rows


def _valid(model: type[T], rows: list[dict[str, Any]]) -> list[T]:
    valid: list[T] = []
    for row in rows:
        try:
            valid.append(model.model_validate(row))
        except ValidationError:
            continue
    return sorted(valid, key=lambda entry: entry.id)
