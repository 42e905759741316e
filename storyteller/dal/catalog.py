"""The Characters and Scenes tables: what one family's stories can be made of (keyed familyId, id)."""

from __future__ import annotations

from typing import Any, TypeVar

from botocore.exceptions import ClientError
from pydantic import ValidationError

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.items import from_item, to_item
from storyteller.errors import DuplicateError, NotFoundError
from storyteller.models import Character, Scene
from storyteller.settings import Settings

T = TypeVar("T", Character, Scene)


class CatalogStore:
    """Reads and writes one family's cast and scenes."""

    def __init__(self, settings: Settings, family_id: str = names.DEFAULT_FAMILY) -> None:
        self._dynamodb = client("dynamodb", settings.aws_region)
        self._characters = settings.characters_table
        self._scenes = settings.scenes_table
        self.family_id = family_id

    def characters(self) -> list[Character]:
        """Every valid character; an invalid row is skipped rather than failing every night."""
        return _valid(Character, self._query(self._characters))

    def scenes(self) -> list[Scene]:
        """Every valid scene."""
        return _valid(Scene, self._query(self._scenes))

    def put_character(self, character: Character) -> None:
        """Insert or replace a character by id (the starter set, copied again, changes nothing)."""
        self._put(self._characters, character, only_new=False)

    def put_scene(self, scene: Scene) -> None:
        """Insert or replace a scene by id."""
        self._put(self._scenes, scene, only_new=False)

    def add_character(self, character: Character) -> None:
        """A new character; the same id or name (in any case) is refused, never overwritten."""
        if any(known.name.casefold() == character.name.casefold() for known in self.characters()):
            raise DuplicateError(f"family {self.family_id!r} already has a character called {character.name!r}")
        self._put(self._characters, character, only_new=True)

    def add_scene(self, scene: Scene) -> None:
        """A new scene; an id already there is refused."""
        self._put(self._scenes, scene, only_new=True)

    def remove_character(self, character_id: str) -> None:
        self._remove(self._characters, character_id, "character")

    def remove_scene(self, scene_id: str) -> None:
        self._remove(self._scenes, scene_id, "scene")

    def remove_all(self) -> int:
        """Every character and scene of the family (the family is being removed); how many went."""
        removed = 0
        for table in (self._characters, self._scenes):
            for row in self._query(table):
                self._dynamodb.delete_item(TableName=table, Key=self._key(str(row["id"])))
                removed += 1
        return removed

    def _key(self, entry_id: str) -> dict[str, Any]:
        return {names.FAMILY_KEY: {"S": self.family_id}, "id": {"S": entry_id}}

    def _put(self, table: str, entry: Character | Scene, only_new: bool) -> None:
        item = to_item({names.FAMILY_KEY: self.family_id, **entry.model_dump()})
        condition = {"ConditionExpression": "attribute_not_exists(id)"} if only_new else {}
        try:
            self._dynamodb.put_item(TableName=table, Item=item, **condition)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            kind = "character" if isinstance(entry, Character) else "scene"
            raise DuplicateError(f"family {self.family_id!r} already has a {kind} {entry.id!r}") from None

    def _remove(self, table: str, entry_id: str, kind: str) -> None:
        try:
            self._dynamodb.delete_item(
                TableName=table, Key=self._key(entry_id), ConditionExpression="attribute_exists(id)"
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raise NotFoundError(f"family {self.family_id!r} has no {kind} {entry_id!r}") from None

    def _query(self, table: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        pages = self._dynamodb.get_paginator("query").paginate(
            TableName=table,
            KeyConditionExpression="#f = :f",
            ExpressionAttributeNames={"#f": names.FAMILY_KEY},
            ExpressionAttributeValues={":f": {"S": self.family_id}},
        )
        for page in pages:
            rows.extend(from_item(item) for item in page["Items"])
        return rows


def _valid(model: type[T], rows: list[dict[str, Any]]) -> list[T]:
    valid: list[T] = []
    for row in rows:
        row.pop(names.FAMILY_KEY, None)
        try:
            valid.append(model.model_validate(row))
        except ValidationError:
            continue
    return sorted(valid, key=lambda entry: entry.id)
