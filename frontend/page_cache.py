"""Finished story pages, rendered once and served from memory until their media links need renewing.

A COMPLETE story never changes (its text and media keys are final), so its page is the same bytes for
everyone; rendering it cost a DynamoDB read, two presignings and a template. Kept per story for a few
minutes, never past the story's expiry, and never for a story still being made or failed (a retry
may complete it). Each Lambda execution environment keeps its own; a cold start starts empty.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

# Short enough that an operator's change (a deleted story) shows soon; links are presigned for an hour or more.
KEEP_SECONDS = 300.0
ENTRIES = 512


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    until: float  # time.monotonic()


class PageCache:
    """Thread-safe LRU of rendered pages with a deadline each."""

    def __init__(self, entries: int = ENTRIES) -> None:
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._entries = entries
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None:
                return None
            if time.monotonic() >= page.until:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return page.body

    def put(self, key: str, body: bytes, seconds: float) -> None:
        """Keep `body` for `seconds` (no longer than KEEP_SECONDS)."""
        if seconds <= 0:
            return
        with self._lock:
            self._pages[key] = CachedPage(body, time.monotonic() + min(seconds, KEEP_SECONDS))
            self._pages.move_to_end(key)
            while len(self._pages) > self._entries:
                self._pages.popitem(last=False)
