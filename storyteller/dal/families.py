"""The Families table: one row per household (pk `id`)."""

from __future__ import annotations

import logging
from typing import Any

from botocore.exceptions import ClientError
from pydantic import ValidationError

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.items import from_item, to_item
from storyteller.errors import DuplicateError, UnknownFamilyError
from storyteller.mail import MailStop
from storyteller.models import Family
from storyteller.settings import Settings

log = logging.getLogger(__name__)


class FamilyStore:
    """Adds, reads, changes and removes families; a family id is never silently overwritten."""

    def __init__(self, settings: Settings) -> None:
        self._dynamodb = client("dynamodb", settings.aws_region)
        self._table = settings.families_table

    def add(self, family: Family) -> None:
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item=to_item(family.model_dump(mode="json")),
                ConditionExpression="attribute_not_exists(id)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raise DuplicateError(f"there is already a family {family.id!r}") from None

    def replace(self, family: Family) -> None:
        """Save a changed family (recipients, bedtime, a new shelf token); it must exist. Only the family's
        own attributes are set, so what AWS keeps beside them (its subscriptions) stays."""
        values = {key: value for key, value in to_item(family.model_dump(mode="json")).items() if key != "id"}
        placeholders = {f"#a{index}": key for index, key in enumerate(values)}
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": family.id}},
                UpdateExpression="SET " + ", ".join(f"{name} = :{name[1:]}" for name in placeholders),
                ConditionExpression="attribute_exists(id)",
                ExpressionAttributeNames=placeholders,
                ExpressionAttributeValues={f":{name[1:]}": values[key] for name, key in placeholders.items()},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raise UnknownFamilyError(f"no family {family.id!r}") from None

    def record_subscriptions(self, family_id: str, subscriptions: dict[str, str]) -> None:
        """Keep the family's subscription ARNs beside it; a family removed meanwhile is left removed."""
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": family_id}},
                UpdateExpression="SET #s = :s",
                ConditionExpression="attribute_exists(id)",
                ExpressionAttributeNames={"#s": names.SUBSCRIPTIONS_ATTRIBUTE},
                ExpressionAttributeValues={":s": to_item({"s": subscriptions})["s"]},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def stop_mail(self, family_id: str, address: str, stop: MailStop) -> bool:
        """No more email to one of the family's addresses; False when it was stopped already (or no family).

        The first reason stays: a replayed unsubscribe or a second bounce changes nothing.
        """
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": family_id}},
                # Two steps in one expression are not allowed on a map that may not exist: make it first.
                UpdateExpression="SET #stops = if_not_exists(#stops, :empty)",
                ConditionExpression="attribute_exists(id)",
                ExpressionAttributeNames={"#stops": names.MAIL_STOPS_ATTRIBUTE},
                ExpressionAttributeValues={":empty": {"M": {}}},
            )
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": family_id}},
                UpdateExpression="SET #stops.#address = :stop",
                ConditionExpression="attribute_exists(id) AND attribute_not_exists(#stops.#address)",
                ExpressionAttributeNames={"#stops": names.MAIL_STOPS_ATTRIBUTE, "#address": address},
                ExpressionAttributeValues={":stop": to_item({"s": stop.model_dump(mode="json")})["s"]},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return False
        return True

    def mail_stops(self, family_id: str) -> dict[str, MailStop]:
        """The family's addresses that get no email, with why."""
        found = self._dynamodb.get_item(
            TableName=self._table,
            Key={"id": {"S": family_id}},
            ProjectionExpression="#stops",
            ExpressionAttributeNames={"#stops": names.MAIL_STOPS_ATTRIBUTE},
            ConsistentRead=True,
        )
        stops = from_item(found.get("Item") or {}).get(names.MAIL_STOPS_ATTRIBUTE) or {}
        return {address: MailStop.model_validate(stop) for address, stop in stops.items()}

    def get(self, family_id: str) -> Family | None:
        found = self._dynamodb.get_item(TableName=self._table, Key={"id": {"S": family_id}}, ConsistentRead=True)
        item = found.get("Item")
        return family_from_row(from_item(item)) if item else None

    def require(self, family_id: str) -> Family:
        """The family, or UnknownFamilyError naming the ones there are."""
        family = self.get(family_id)
        if family is None:
            known = ", ".join(sorted(f.id for f in self.all())) or "none yet: `storyteller family add`"
            raise UnknownFamilyError(f"no family {family_id!r} (families: {known})")
        return family

    def all(self) -> list[Family]:
        """Every valid family, by id; a malformed row is logged and skipped."""
        rows: list[dict[str, Any]] = []
        for page in self._dynamodb.get_paginator("scan").paginate(TableName=self._table):
            rows.extend(from_item(item) for item in page["Items"])
        families = [family for row in rows if (family := family_from_row(row)) is not None]
        return sorted(families, key=lambda family: family.id)

    def remove(self, family_id: str) -> None:
        try:
            self._dynamodb.delete_item(
                TableName=self._table, Key={"id": {"S": family_id}}, ConditionExpression="attribute_exists(id)"
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raise UnknownFamilyError(f"no family {family_id!r}") from None


def family_from_row(row: dict[str, Any]) -> Family | None:
    """A row as a family, or None (logged) when it is not one; AWS's bookkeeping beside it is left out."""
    row.pop(names.SUBSCRIPTIONS_ATTRIBUTE, None)
    row.pop(names.MAIL_STOPS_ATTRIBUTE, None)
    try:
        return Family.model_validate(row)
    except ValidationError as error:
        log.warning("skipped malformed family row %r: %s", row.get("id", "?"), error.errors()[:1])
        return None
