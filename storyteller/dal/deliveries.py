"""The Deliveries table: one row per (story, recipient), claimed before the send, settled after it."""

from __future__ import annotations

from datetime import UTC, datetime

from botocore.exceptions import ClientError

from storyteller.dal.aws import client
from storyteller.dal.items import from_item, to_item
from storyteller.mail import Delivery, DeliveryStatus, Outcome
from storyteller.settings import Settings


class DeliveryStore:
    """Conditional writes make the claim the one place that decides whether an email may go."""

    def __init__(self, settings: Settings) -> None:
        self._dynamodb = client("dynamodb", settings.aws_region)
        self._table = settings.deliveries_table

    def claim(self, story_id: str, recipient: str, family_id: str, ttl: int | None) -> Delivery | None:
        """Take the (story, recipient) claim; None when taken now, else the row that was already there."""
        row = Delivery(
            storyId=story_id,
            recipient=recipient,
            familyId=family_id,
            status=DeliveryStatus.SENDING,
            at=datetime.now(UTC),
            ttl=ttl,
        )
        try:
            self._dynamodb.put_item(
                TableName=self._table,
                Item=to_item(row.model_dump(mode="json")),
                ConditionExpression="attribute_not_exists(storyId)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            found = error.response.get("Item")
            return Delivery.model_validate(from_item(found)) if found else self.get(story_id, recipient)
        return None

    def release(self, story_id: str, recipient: str) -> None:
        """Give a claim back when the send surely did not happen (throttled), so a redelivery sends."""
        self._dynamodb.delete_item(
            TableName=self._table,
            Key=_key(story_id, recipient),
            ConditionExpression="#s = :sending",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":sending": {"S": DeliveryStatus.SENDING.value}},
        )

    def settle(self, story_id: str, recipient: str, outcome: Outcome) -> None:
        """Record what the mail server said; a later event (delivered, bounced) overwrites an earlier one."""
        values = {
            ":status": outcome.status.value,
            ":at": datetime.now(UTC).isoformat(),
            ":detail": outcome.detail or "",
        }
        expression = "SET #s = :status, #at = :at, detail = :detail"
        if outcome.messageId:
            values[":message"] = outcome.messageId
            expression += ", messageId = :message"
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key=_key(story_id, recipient),
                UpdateExpression=expression,
                # Only a claimed row: an event for a story that has expired meanwhile makes no half row.
                ConditionExpression="attribute_exists(storyId)",
                ExpressionAttributeNames={"#s": "status", "#at": "at"},
                ExpressionAttributeValues=to_item(values),
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def get(self, story_id: str, recipient: str) -> Delivery | None:
        found = self._dynamodb.get_item(TableName=self._table, Key=_key(story_id, recipient), ConsistentRead=True)
        item = found.get("Item")
        return Delivery.model_validate(from_item(item)) if item else None

    def of_story(self, story_id: str) -> list[Delivery]:
        """Every recipient's row of one story, by address."""
        pages = self._dynamodb.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="storyId = :id",
            ExpressionAttributeValues={":id": {"S": story_id}},
            ConsistentRead=True,
        )
        return [Delivery.model_validate(from_item(item)) for page in pages for item in page["Items"]]

    def forget_all_but(self, live: set[str]) -> set[str]:
        """Delete every row of a story not in `live` (local retention: AWS's TTL does it there); their story ids."""
        pages = self._dynamodb.get_paginator("scan").paginate(
            TableName=self._table, ProjectionExpression="storyId, recipient", ConsistentRead=True
        )
        gone: set[str] = set()
        for item in (item for page in pages for item in page["Items"]):
            story_id, recipient = item["storyId"]["S"], item["recipient"]["S"]
            if story_id not in live:
                self._dynamodb.delete_item(TableName=self._table, Key=_key(story_id, recipient))
                gone.add(story_id)
        return gone


def _key(story_id: str, recipient: str) -> dict[str, dict[str, str]]:
    return {"storyId": {"S": story_id}, "recipient": {"S": recipient}}
