"""What the pages read stories, deliveries and media links from: the real stores and the tests' fakes both fit.

Apart from app.py so the console can name the shelf it is handed without importing the app that hands it.
"""

from __future__ import annotations

from typing import Protocol

from storyteller.mail import Delivery
from storyteller.models import StoryItem


class StoryShelf(Protocol):
    """Where stories are read from (the Stories table, or a fake in unit tests)."""

    def get(self, story_id: str) -> StoryItem | None: ...

    def recent(self, limit: int = 20) -> list[StoryItem]: ...

    def of_family(self, family_id: str, limit: int = 20) -> list[StoryItem]: ...


class DeliveryBook(Protocol):
    """Each recipient's email of a story (storyteller.dal.deliveries.DeliveryStore)."""

    def of_story(self, story_id: str) -> list[Delivery]: ...


class MediaLinks(Protocol):
    """Turns a stored S3 key into a URL the browser can fetch."""

    def presign(self, key: str, seconds: int) -> str: ...
