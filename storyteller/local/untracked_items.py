"""moto's DynamoDB without its item list: an item copy lives only as long as the answer that holds it.

moto appends every model instance it makes to a class-level list for its dashboard (`instances_tracked`),
and a DynamoDB Query answers with deep copies of the items it found: each family-shelf view left ~10 KB
of copies behind that no collection could free (issue 30: a running `up` grew ~6.7 KB per shelf view
without levelling off). We never open moto's dashboard; its reset and the tables keep their own items.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.models.dynamo_type import Item


def install() -> None:
    """DynamoDB items made without being added to moto's dashboard list; idempotent."""
    Item.__new__ = _untracked  # type: ignore[assignment]


def _untracked(cls: type[Item], *args: Any, **kwargs: Any) -> Item:
    return object.__new__(cls)
