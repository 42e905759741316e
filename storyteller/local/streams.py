"""DynamoDB Streams on moto without its memory growth: a shard iterator is kept only while it can be used.

moto keeps every shard iterator it hands out, twice: in the backend's table of iterators and in the
list of every model instance it keeps for its dashboard (`instances_tracked`); each is an object and a
~750-character ARN, ~2.5 KB. The stream pump asks for records several times a second, each answer with
a new iterator, so a running `storyteller up` grew by megabytes an hour whatever it served (issue 30:
~6.7 KB per shelf view under load). AWS expires an iterator 15 minutes after issuing it; our pump only
ever uses the newest.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.dynamodbstreams.models import DynamoDBStreamsBackend, ShardIterator

# The newest iterators kept: the pump's current one, with room for other readers of the stream.
KEPT_ITERATORS = 64
_lock = threading.Lock()
_original_get_records = DynamoDBStreamsBackend.get_records


def install() -> None:
    """Iterators untracked by moto's dashboard, and trimmed after every GetRecords; idempotent."""
    ShardIterator.__new__ = _untracked  # type: ignore[assignment]
    DynamoDBStreamsBackend.get_records = _get_records  # type: ignore[method-assign]


def _untracked(cls: type[ShardIterator], *args: Any, **kwargs: Any) -> ShardIterator:
    return object.__new__(cls)


def _get_records(self: DynamoDBStreamsBackend, iterator_arn: str, limit: int) -> dict[str, Any]:
    with _lock:
        answer = _original_get_records(self, iterator_arn, limit)
        iterators = self.shard_iterators
        while len(iterators) > KEPT_ITERATORS:
            del iterators[next(iter(iterators))]  # insertion order: the oldest first
    return answer
