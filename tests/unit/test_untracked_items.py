"""A DynamoDB Query on the local endpoint leaves no copy of its items behind (issue 30: shelf memory)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.models.dynamo_type import Item

from storyteller.local import untracked_items


@pytest.fixture
def table() -> Iterator[str]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="eu-west-2")
        dynamodb.create_table(
            TableName="Shelf",
            KeySchema=[{"AttributeName": "familyId", "KeyType": "HASH"}, {"AttributeName": "id", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "familyId", "AttributeType": "S"},
                {"AttributeName": "id", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        for number in range(3):
            dynamodb.put_item(TableName="Shelf", Item={"familyId": {"S": "smiths"}, "id": {"S": f"story-{number}"}})
        yield "Shelf"


def _items_alive() -> int:
    gc.collect()
    return sum(isinstance(thing, Item) for thing in gc.get_objects())


def test_a_hundred_queries_leave_no_item_copies_behind(table: str) -> None:
    untracked_items.install()  # as the local endpoint does at start
    dynamodb = boto3.client("dynamodb", region_name="eu-west-2")

    def shelf_view() -> None:
        answer = dynamodb.query(
            TableName=table,
            KeyConditionExpression="familyId = :family",
            ExpressionAttributeValues={":family": {"S": "smiths"}},
        )
        assert len(answer["Items"]) == 3

    shelf_view()
    before = _items_alive()
    for _ in range(100):
        shelf_view()

    # moto copies the three items for every answer; tracked for its dashboard, 300 copies would stay.
    assert _items_alive() <= before
