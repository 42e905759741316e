"""Local state survives a restart: tables as JSON and media as files under STORYTELLER_HOME."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from storyteller import names
from storyteller.dal.aws import client
from storyteller.settings import Settings

log = logging.getLogger(__name__)


class LocalState:
    """Saves what moto holds in memory to disk, and loads it back into a fresh endpoint."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._tables_dir = settings.home / "tables"
        self._media_dir = settings.home / "media"
        self._tables = (settings.characters_table, settings.scenes_table, settings.stories_table)

    def save(self) -> None:
        """Write every table and any media not on disk yet; each file is replaced atomically."""
        dynamodb = client("dynamodb", self._settings.aws_region)
        self._tables_dir.mkdir(parents=True, exist_ok=True)
        for table in self._tables:
            items: list[dict[str, Any]] = []
            for page in dynamodb.get_paginator("scan").paginate(TableName=table):
                items.extend(page["Items"])
            _write_atomically(self._tables_dir / f"{table}.json", json.dumps(items, indent=1).encode())
        s3 = client("s3", self._settings.aws_region)
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self._settings.media_bucket):
            for entry in page.get("Contents", []):
                path = self._media_dir / entry["Key"]
                if not path.resolve().is_relative_to(self._media_dir.resolve()):
                    # The endpoint refuses such keys; this keeps a file outside STORYTELLER_HOME impossible.
                    log.warning("not saving object %r: its key leads outside %s", entry["Key"], self._media_dir)
                    continue
                if not path.exists():
                    body = s3.get_object(Bucket=self._settings.media_bucket, Key=entry["Key"])["Body"].read()
                    _write_atomically(path, body)

    def restore(self) -> int:
        """Load saved tables and media; expired stories (TTL) are dropped with their media. Returns stories kept."""
        dynamodb = client("dynamodb", self._settings.aws_region)
        now = int(time.time())
        kept: set[str] = set()
        for table in self._tables:
            path = self._tables_dir / f"{table}.json"
            if not path.exists():
                continue
            for item in json.loads(path.read_text()):
                if table == self._settings.stories_table:
                    if int(item.get(names.TTL_ATTRIBUTE, {}).get("N", "0")) <= now:
                        continue
                    kept.add(item["id"]["S"])
                dynamodb.put_item(TableName=table, Item=item)
        self._restore_media(kept)
        return len(kept)

    def _restore_media(self, story_ids: set[str]) -> None:
        s3 = client("s3", self._settings.aws_region)
        stories_dir = self._media_dir / "stories"
        if not stories_dir.exists():
            return
        for story_dir in stories_dir.iterdir():
            for path in story_dir.iterdir():
                if story_dir.name in story_ids:
                    key = path.relative_to(self._media_dir).as_posix()
                    s3.put_object(Bucket=self._settings.media_bucket, Key=key, Body=path.read_bytes())
                else:
                    path.unlink()  # the bucket's two-day lifecycle rule, applied at start
            if not any(story_dir.iterdir()):
                story_dir.rmdir()


def _write_atomically(path: Path, body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    partial.write_bytes(body)
    partial.replace(path)
