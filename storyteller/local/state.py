"""Local state survives a crash: what the state file and the media folder hold is loaded into a fresh endpoint.

Writes reach disk as they happen (storyteller/local/write_ahead.py, run_journal.py); this is the other
half, run at start: tables, media, runs and undelivered emails come back, expired stories (TTL) go with
their media, and what a kill interrupted is finished or shown failed.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storyteller import names
from storyteller.dal.aws import client
from storyteller.local import run_journal
from storyteller.local.outbox import Outbox
from storyteller.local.store import DurableStore, partial_files
from storyteller.settings import Settings

log = logging.getLogger(__name__)
LEGACY_TABLES_DIR = "tables"  # before the state file: one JSON file per table, written when idle


@dataclass
class Restored:
    """What start-up found, for the log and the console's notice."""

    stories: int = 0
    runs: int = 0
    interrupted: list[str] = field(default_factory=list)
    resumed: list[str] = field(default_factory=list)  # interrupted after their email went out: finished
    emails_delivered: int = 0
    unstarted: list[dict[str, Any]] = field(default_factory=list)  # story items whose run never started
    skipped: list[str] = field(default_factory=list)


def _id(item: dict[str, Any]) -> str:
    return str(item.get("id", {}).get("S", "?"))


def _lifetime_end(item: dict[str, Any]) -> str | None:
    """When a story without ttl would expire: two days after it was created."""
    created = item.get("createdAt", {}).get("S")
    try:
        moment = datetime.fromisoformat(str(created).replace("Z", "+00:00"))
    except ValueError:
        return None
    return str(int(moment.timestamp()) + names.STORY_LIFETIME_SECONDS)


class LocalState:
    """Loads the state file and media into moto, once, at start."""

    def __init__(self, settings: Settings, store: DurableStore) -> None:
        self._settings = settings
        self._store = store
        self._media_dir = settings.home / "media"
        self._tables = (
            settings.families_table,
            settings.characters_table,
            settings.scenes_table,
            settings.stories_table,
            settings.firings_table,
            settings.deliveries_table,
            settings.memory_table,
        )
        # Rows from before households lack a family: they become the default family's at start.
        self._family_keyed = (settings.characters_table, settings.scenes_table, settings.stories_table)

    def restore(self) -> Restored:
        """Tables, media and runs as they were at the last acknowledged write."""
        restored = Restored()
        if self._store.created:
            self._import_legacy_tables()
        for leftover in partial_files(self._settings.home / "media"):
            leftover.unlink()  # a write the kill interrupted: never acknowledged, never loaded
        kept = self._restore_tables(restored)
        self._restore_media(kept)
        restored.stories = len(kept)
        restored.interrupted = run_journal.restore(self._store, self._settings.aws_region)
        restored.runs = len(self._store.executions())
        restored.unstarted = self._unstarted(kept)
        return restored

    def deliver_kept_messages(self, outbox: Outbox) -> int:
        """Emails whose message the topic acknowledged but the outbox had not written yet."""
        delivered = 0
        for notification in self._store.messages():
            if outbox.deliver(notification):
                delivered += 1
            self._store.forget_message(notification["MessageId"])
        return delivered

    def _restore_tables(self, restored: Restored) -> dict[str, dict[str, Any]]:
        dynamodb = client("dynamodb", self._settings.aws_region)
        now = int(time.time())
        kept: dict[str, dict[str, Any]] = {}
        for table in self._tables:
            expired: list[dict[str, Any]] = []
            for item in self._store.items(table):
                if table in self._family_keyed and names.FAMILY_KEY not in item:
                    self._adopt(table, item)
                if table == self._settings.stories_table:
                    ttl = item.get(names.TTL_ATTRIBUTE, {}).get("N") or _lifetime_end(item)
                    if ttl is None:
                        log.warning("story %s has no ttl and no createdAt: kept until deleted", _id(item))
                    elif names.TTL_ATTRIBUTE not in item:
                        # DynamoDB would keep it forever; create_story gives every story two days. Said, not silent.
                        log.warning("story %s had no ttl: given the two days create_story gives", _id(item))
                        item[names.TTL_ATTRIBUTE] = {"N": ttl}
                        self._store.put_items([(table, {"id": item["id"]}, item)])
                    if ttl is not None and int(ttl) <= now:
                        log.info("story %s expired: removed with its media", _id(item))
                        expired.append({"id": item["id"]})
                        continue
                    kept[item["id"]["S"]] = item
                dynamodb.put_item(TableName=table, Item=item)
            if expired:
                self._store.delete_items(table, expired)
        return kept

    def _adopt(self, table: str, item: dict[str, Any]) -> None:
        """A row from before households becomes the default family's, in the state file too (once)."""
        item[names.FAMILY_KEY] = {"S": names.DEFAULT_FAMILY}
        if table == self._settings.stories_table:
            self._store.put_items([(table, {"id": item["id"]}, item)])
            return
        rekeyed = {names.FAMILY_KEY: item[names.FAMILY_KEY], "id": item["id"]}
        self._store.put_items([(table, {"id": item["id"]}, None), (table, rekeyed, item)])  # one transaction

    def _restore_media(self, stories: dict[str, Any]) -> None:
        s3 = client("s3", self._settings.aws_region)
        stories_dir = self._media_dir / "stories"
        if not stories_dir.exists():
            return
        for story_dir in stories_dir.iterdir():
            for path in story_dir.iterdir():
                if story_dir.name in stories:
                    key = path.relative_to(self._media_dir).as_posix()
                    s3.put_object(Bucket=self._settings.media_bucket, Key=key, Body=path.read_bytes())
                else:
                    path.unlink()  # the bucket's two-day lifecycle rule, applied at start
            if not any(story_dir.iterdir()):
                story_dir.rmdir()

    def _unstarted(self, stories: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        """Stories stored as CREATED that no run ever picked up (the kill fell between the two)."""
        started: set[str] = set()
        for record in self._store.executions():
            try:
                started.add(str(json.loads(record["input"]).get("id")))
            except (ValueError, AttributeError):
                continue
        return [
            item
            for story_id, item in stories.items()
            if story_id not in started and item.get("status", {}).get("S") == "CREATED"
        ]

    def _import_legacy_tables(self) -> None:
        """An install from before the state file: its tables become the state file's first content."""
        folder = self._settings.home / LEGACY_TABLES_DIR
        for table in self._tables:
            path = folder / f"{table}.json"
            if path.exists():
                items = json.loads(path.read_text(encoding="utf-8"))
                # Every table keyed on id then; _adopt re-keys the catalog's rows by family at this same start.
                self._store.put_items([(table, {"id": item["id"]}, item) for item in items])
                log.info("imported %d items of %s from %s", len(items), table, path)
