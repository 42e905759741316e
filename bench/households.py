"""Households at scale: 1,000 families whose bedtime falls in the same minute, through the real local
scheduler (one job per family, storyteller/local/scheduler.py) and the whole flow.

The families live in six time zones, each with its own local bedtime for the same instant; providers
sleep T, I, A. Counted: wall time from the shared minute to the last email, executions per second, and
emails per family in the outbox (each to its own recipient), lost or duplicated, after a quiet period;
and whether the mailer recorded each email's delivery in the Deliveries table, under its own
(story, recipient) and its own family (what the console's run and nights pages show).

    python -m bench.households          (FAMILIES=200 python -m bench.households for a quicker look)
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
import warnings
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import isolated_home, median, percentile, sleeping_providers, table, verdict, write_result
from bench.concurrency import QUIET_SECONDS, _executions_by_story
from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.families import FamilyStore
from storyteller.households.family import new_family
from storyteller.local.outbox import read_email
from storyteller.local.runtime import LocalRuntime
from storyteller.local.scheduler import FamilySchedules
from storyteller.mail import DeliveryStatus
from storyteller.models import Character, Scene
from storyteller.settings import get_settings

FAMILIES = int(os.environ.get("FAMILIES", "1000"))
TEXT_SECONDS, IMAGE_SECONDS, AUDIO_SECONDS = 0.5, 2.0, 2.0
ZONES = ("Europe/London", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata")
TIMEOUT_SECONDS = 1800.0
POLL_SECONDS = 0.5


def _families(runtime: LocalRuntime, count: int) -> list[str]:
    """`count` families, each with two characters and a scene of its own, and one recipient."""
    families, ids = FamilyStore(runtime.settings), []
    for number in range(count):
        family_id = f"family-{number:04d}"
        families.add(new_family(family_id, [f"parent@{family_id}.example"], ZONES[number % len(ZONES)], "03:00"))
        catalog = CatalogStore(runtime.settings, family_id)
        catalog.put_character(Character(id="ada", name="Ada", description=f"the eldest child of {family_id}"))
        catalog.put_character(Character(id="sam", name="Sam", description="her little brother, who loves trains"))
        catalog.put_scene(Scene(id="home", description="a cosy bedroom with a window full of stars"))
        ids.append(family_id)
    return ids


def _all_at(runtime: LocalRuntime, family_ids: list[str], moment: datetime) -> None:
    """Every family's bedtime moved to the same instant, written in each family's own zone."""
    families = FamilyStore(runtime.settings)
    for family_id in family_ids:
        family = families.require(family_id)
        local = moment.astimezone(ZoneInfo(family.timeZone))
        families.replace(family.model_copy(update={"at": f"{local:%H:%M}"}))


def _one_bedtime(runtime: LocalRuntime, family_ids: list[str]) -> datetime:
    """A minute far enough ahead that every family is moved to it before it comes: on a loaded machine moving
    1,000 families can take minutes, and a bedtime passed meanwhile would be tomorrow's."""
    lead = 75.0
    while True:
        bedtime = (datetime.now(UTC) + timedelta(seconds=lead)).replace(second=0, microsecond=0)
        started = time.monotonic()
        _all_at(runtime, family_ids, bedtime)
        if (bedtime - datetime.now(UTC)).total_seconds() >= 15:
            return bedtime
        lead = 75.0 + 2 * (time.monotonic() - started)


def measure(count: int = FAMILIES) -> dict[str, Any]:
    with isolated_home("households"):
        providers = sleeping_providers(TEXT_SECONDS, IMAGE_SECONDS, AUDIO_SECONDS)
        with LocalRuntime(get_settings(), providers=providers) as runtime:
            stray = io.StringIO()
            with warnings.catch_warnings(), contextlib.redirect_stdout(stray):
                warnings.filterwarnings("ignore", message="No application metrics to publish")
                setup_started = time.monotonic()
                family_ids = _families(runtime, count)
                bedtime = _one_bedtime(runtime, family_ids)
                setup_seconds = time.monotonic() - setup_started
                everyone, ours = FamilyStore(runtime.settings), set(family_ids)
                schedules = FamilySchedules(
                    lambda: [family for family in everyone.all() if family.id in ours],
                    lambda family_id, firing: runtime.create_story(scheduled_time=firing, family_id=family_id),
                )
                schedules.start()
                try:
                    scheduled = sorted(set(schedules.next_runs().values()))
                    print(f"{count} families set up in {setup_seconds:.0f} s; all due at {scheduled}", file=sys.stderr)
                    result = _watch(runtime, family_ids, bedtime)
                finally:
                    schedules.stop()
            result |= {"setup_seconds": round(setup_seconds, 1), "distinct_next_runs": len(scheduled)}
    return result


def _watch(runtime: LocalRuntime, family_ids: list[str], bedtime: datetime) -> dict[str, Any]:
    deadline = time.monotonic() + TIMEOUT_SECONDS + max(0.0, (bedtime - datetime.now(UTC)).total_seconds())
    emailed: dict[str, float] = {}  # recipient → when its email was written
    wanted = {f"parent@{family_id}.example" for family_id in family_ids}
    seen: set[str] = set()
    last_report = time.monotonic()
    while time.monotonic() < deadline and len(emailed) < len(wanted):
        for path in _emails(runtime):
            if path.name not in seen:
                seen.add(path.name)
                recipient = str(read_email(path)["To"])
                emailed.setdefault(recipient, path.stat().st_mtime)
        if time.monotonic() - last_report > 30:
            print(f"  {len(emailed)}/{len(wanted)} families emailed", file=sys.stderr)
            last_report = time.monotonic()
        time.sleep(POLL_SECONDS)
    time.sleep(QUIET_SECONDS)
    sent = [(path.name[: len(path.name) - len(f"-{recipient}.eml")], recipient) for path, recipient in _sent(runtime)]
    recipients = Counter(recipient for _, recipient in sent)
    rows = _delivery_rows(runtime)
    recorded = {
        recipient
        for story_id, recipient in sent
        if rows.get((story_id, recipient), ("", ""))[0] == DeliveryStatus.DELIVERED.value
    }
    family_of = {f"parent@{family_id}.example": family_id for family_id in family_ids}
    misrecorded = sum(1 for (_, recipient), (_, family) in rows.items() if family_of.get(recipient) != family)
    start = bedtime.timestamp()
    per_story, statuses = _executions_by_story(runtime, start - 1)
    latencies = [moment - start for moment in emailed.values()]
    wall = max(emailed.values(), default=time.time()) - start
    return {
        "families": len(family_ids),
        "providers_seconds": {"text": TEXT_SECONDS, "image": IMAGE_SECONDS, "audio": AUDIO_SECONDS},
        "wall_seconds": round(wall, 1),
        "executions": sum(per_story.values()),
        "execution_statuses": dict(statuses),
        "executions_per_second": round(sum(per_story.values()) / wall, 2) if wall > 0 else None,
        "latency_p50_seconds": round(median(latencies), 1),
        "latency_p99_seconds": round(percentile(latencies, 0.99), 1),
        "emailed_families": len(emailed),
        "lost_emails": sum(1 for recipient in wanted if recipients[recipient] == 0),
        "duplicate_emails": sum(recipients[recipient] - 1 for recipient in wanted if recipients[recipient] > 1),
        "stray_recipients": sum(count for recipient, count in recipients.items() if recipient not in wanted),
        "deliveries_recorded": len(recorded & wanted),
        "deliveries_unrecorded": len(wanted - recorded),
        "delivery_rows": len(rows),
        "delivery_rows_misrecorded": misrecorded,
        "targets": {
            "all_emailed_once": {
                "met": len(emailed) == len(wanted)
                and all(recipients[recipient] == 1 for recipient in wanted)
                and not any(recipient not in wanted for recipient in recipients)
            },
            "each_delivery_recorded": {"met": recorded >= wanted and len(rows) == len(wanted) and misrecorded == 0},
        },
    }


def _emails(runtime: LocalRuntime) -> list[Path]:
    return list(runtime.outbox_dir.glob("*.eml")) if runtime.outbox_dir.exists() else []


def _sent(runtime: LocalRuntime) -> list[tuple[Path, str]]:
    """Each email in the outbox and the recipient its `To` names."""
    return [(path, str(read_email(path)["To"])) for path in _emails(runtime)]


def _delivery_rows(runtime: LocalRuntime) -> dict[tuple[str, str], tuple[str, str]]:
    """The Deliveries table: (story, recipient) → (status, family), read in one scan."""
    dynamodb = client("dynamodb", runtime.settings.aws_region)
    pages = dynamodb.get_paginator("scan").paginate(TableName=runtime.settings.deliveries_table, ConsistentRead=True)
    return {
        (item["storyId"]["S"], item["recipient"]["S"]): (item["status"]["S"], item["familyId"]["S"])
        for page in pages
        for item in page["Items"]
    }


def report(result: dict[str, Any]) -> str:
    met = result["targets"]["all_emailed_once"]["met"]
    recorded = result["targets"]["each_delivery_recorded"]["met"]
    row = [
        result["families"],
        result["setup_seconds"],
        result["wall_seconds"],
        result["executions_per_second"],
        result["latency_p50_seconds"],
        result["latency_p99_seconds"],
        result["lost_emails"],
        result["duplicate_emails"],
        result["stray_recipients"],
        verdict(met),
        f"{result['deliveries_recorded']} / {result['delivery_rows_misrecorded']}",
        verdict(recorded),
    ]
    return "\n".join(
        [
            f"Households: {result['families']} families due in the same minute ({len(ZONES)} zones); fakes sleep "
            f"T={TEXT_SECONDS} s, I={IMAGE_SECONDS} s, A={AUDIO_SECONDS} s",
            "",
            table(
                [
                    "families",
                    "setup s",
                    "wall s",
                    "exec/s",
                    "p50 s",
                    "p99 s",
                    "lost",
                    "dup",
                    "stray",
                    "each once",
                    "recorded / misrecorded",
                    "each recorded",
                ],
                [row],
            ),
        ]
    )


def main() -> None:
    result = measure()
    print(report(result))
    write_result("households", result)


if __name__ == "__main__":
    main()
