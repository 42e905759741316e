"""The two-day promise on this machine: what STORYTELLER_HOME keeps of a story ends with the story.

At start, once a day and when a family is removed, the runtime prunes every story that is no longer
in the Stories table or is past its TTL: its row and media (through the endpoint, so the state file
follows), its emails in the outbox (`{story_id}-….eml`), the log lines that name it and its finished
runs (moto's and the state file's) and its rows in the Deliveries table (each recipient's address).
The state file is then compacted, and its kept generation
replaced, so the deleted pages do not linger on disk.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from storyteller.dal.aws import client
from storyteller.dal.deliveries import DeliveryStore
from storyteller.dal.stories import StoryStore
from storyteller.households.forget import expired_story_ids, forget_stories
from storyteller.local.store import DurableStore
from storyteller.settings import Settings

log = logging.getLogger(__name__)
PRUNE_INTERVAL_SECONDS = 24 * 3600
_FINISHED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


@dataclass
class Pruned:
    """What one pass removed (counts only: what they were about is what is being forgotten)."""

    stories: int = 0
    emails: int = 0
    media: int = 0
    log_lines: int = 0
    runs: int = 0
    deliveries: int = 0
    gone: set[str] = field(default_factory=set)


def prune(
    settings: Settings, store: DurableStore, outbox_dir: Path, log_file: Path, now: datetime | None = None
) -> Pruned:
    """Forget every story that has expired or is no longer in the table, everywhere in STORYTELLER_HOME."""
    expired = expired_story_ids(settings, now)
    forget_stories(expired, settings)
    live = {story.id for story in StoryStore(settings).recent(limit=1_000_000)}
    pruned = Pruned(stories=len(expired), gone=set(expired))
    pruned.emails = _prune_emails(outbox_dir, live, pruned.gone)
    pruned.media = _prune_media(settings, live, pruned.gone)
    pruned.runs = _prune_runs(settings, store, live, pruned.gone)
    delivered = DeliveryStore(settings).forget_all_but(live)
    pruned.deliveries = len(delivered)
    pruned.gone |= delivered
    pruned.log_lines = _prune_log(log_file, pruned.gone - live)
    if pruned.runs or pruned.stories or pruned.deliveries:
        store.compact()
    return pruned


def _story_of_email(name: str, live: set[str]) -> str | None:
    # `{story_id}-{address}.eml`: the id is a UUID with hyphens, so the live ids are matched as prefixes.
    return next((story_id for story_id in live if name.startswith(f"{story_id}-")), None)


def _prune_emails(outbox_dir: Path, live: set[str], gone: set[str]) -> int:
    removed = 0
    for path in sorted(outbox_dir.glob("*.eml")) if outbox_dir.exists() else []:
        if _story_of_email(path.name, live) is None:
            gone.add(path.name[:36])  # a UUID's length: the id the log lines name
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _prune_media(settings: Settings, live: set[str], gone: set[str]) -> int:
    """Media of stories no longer here: out of the bucket (the endpoint unlinks the file) and off the disk."""
    media_dir = settings.home / "media"
    s3 = client("s3", settings.aws_region)
    removed = 0
    for story_dir in sorted((media_dir / "stories").iterdir()) if (media_dir / "stories").exists() else []:
        if story_dir.name in live:
            continue
        gone.add(story_dir.name)
        for path in list(story_dir.iterdir()):
            s3.delete_object(Bucket=settings.media_bucket, Key=path.relative_to(media_dir).as_posix())
            path.unlink(missing_ok=True)
            removed += 1
        story_dir.rmdir()
    return removed


def _prune_runs(settings: Settings, store: DurableStore, live: set[str], gone: set[str]) -> int:
    """Finished runs of stories no longer here: from the engine (the console) and from the state file."""
    backend: Any = stepfunctions_parser_backends[DEFAULT_ACCOUNT_ID][settings.aws_region]
    forgotten: list[str] = []
    for machine in backend.state_machines:
        kept = []
        for execution in machine.executions:
            story_id = _story_id(execution.input_data)
            status = getattr(execution.exec_status, "value", execution.exec_status)
            if story_id is not None and story_id not in live and status in _FINISHED:
                gone.add(story_id)
                forgotten.append(execution.exec_arn)
            else:
                kept.append(execution)
        machine.executions[:] = kept
    recorded = {record["arn"]: _story_id(record.get("input")) for record in store.executions()}
    for arn, story_id in recorded.items():
        if arn not in forgotten and story_id is not None and story_id not in live and arn not in _running(backend):
            gone.add(story_id)
            forgotten.append(arn)
    store.forget_executions(forgotten)
    return len(forgotten)


def _running(backend: Any) -> set[str]:
    return {
        execution.exec_arn
        for machine in backend.state_machines
        for execution in machine.executions
        if getattr(execution.exec_status, "value", execution.exec_status) not in _FINISHED
    }


def _story_id(run_input: Any) -> str | None:
    try:
        parsed = json.loads(run_input) if isinstance(run_input, str) else run_input
    except ValueError:
        return None
    found = parsed.get("id") if isinstance(parsed, dict) else None
    return found if isinstance(found, str) else None


def _prune_log(log_file: Path, gone: Iterable[str]) -> int:
    """Rewrite the log without the lines that name a forgotten story (a fresh file, swapped in whole)."""
    names_gone = [story_id for story_id in gone if story_id]
    if not names_gone or not log_file.exists():
        return 0
    kept: list[str] = []
    removed = 0
    with log_file.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if any(story_id in line for story_id in names_gone):
                removed += 1
            else:
                kept.append(line)
    if removed:
        # In place, not a new file: the log's writers hold it open for appending (storyteller/observability.py).
        with log_file.open("r+", encoding="utf-8") as rewritten:
            rewritten.write("".join(kept))
            rewritten.truncate()
    return removed
