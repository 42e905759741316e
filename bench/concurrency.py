"""Concurrency: 1, 10 and 100 stories started at once through the whole local flow.

Each story is started the way the schedule starts one (`create_story`), all at the same moment, with
providers that sleep T, I, A. Counted: wall time until the last email, executions per second, and
emails per story in the outbox, lost (none) or duplicated (more than one), after a quiet period in
which a late duplicate would have arrived.

    python -m bench.concurrency
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
import warnings
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.common import isolated_home, median, percentile, sleeping_providers, table, verdict, write_result
from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.households.seed import seed
from storyteller.local.runtime import LocalRuntime
from storyteller.settings import get_settings

TEXT_SECONDS, IMAGE_SECONDS, AUDIO_SECONDS = 0.5, 2.0, 2.0
CRITICAL_PATH = TEXT_SECONDS + max(IMAGE_SECONDS, AUDIO_SECONDS)
LEVELS = (1, 10, 100)
TIMEOUT_SECONDS = 120.0
# After the last email: long enough for many pump rounds, so a duplicate would show up.
QUIET_SECONDS = 1.5
POLL_SECONDS = 0.05
# Outbox file names are `<story id>-<SNS message id>.eml` (storyteller/local/outbox.py); a UUID has 36 characters.
_STORY_ID_LENGTH = 36


def _executions_by_story(runtime: LocalRuntime, since: float) -> tuple[Counter[str], Counter[str]]:
    """Executions started since `since`, per story id, and their statuses."""
    assert runtime.resources is not None
    sfn = client("stepfunctions", runtime.settings.aws_region)
    per_story: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=runtime.resources.state_machine_arn):
        for execution in page["executions"]:
            if execution["startDate"].timestamp() < since:
                continue
            statuses[execution["status"]] += 1
            if execution["status"] != "RUNNING":
                described = sfn.describe_execution(executionArn=execution["executionArn"])
                per_story[_story_id(described.get("input", "{}"))] += 1
    return per_story, statuses


def _story_id(execution_input: str) -> str:
    return str(json.loads(execution_input).get("id", "?"))


def _emails(runtime: LocalRuntime) -> list[Path]:
    return list(runtime.outbox_dir.glob("*.eml")) if runtime.outbox_dir.exists() else []


def _emailed_story(file_name: str) -> str:
    return file_name[:_STORY_ID_LENGTH]


def run_level(runtime: LocalRuntime, stories: int) -> dict[str, Any]:
    """Start `stories` stories at the same moment and count what arrives."""
    barrier = threading.Barrier(stories + 1)

    def start_one() -> str:
        barrier.wait()
        return runtime.create_story()

    with ThreadPoolExecutor(max_workers=stories, thread_name_prefix="bench-story") as pool:
        futures = [pool.submit(start_one) for _ in range(stories)]
        started = time.time()
        barrier.wait()
        story_ids = [future.result() for future in futures]
    created = time.time()

    deadline = time.monotonic() + TIMEOUT_SECONDS
    emailed: dict[str, float] = {}
    wanted = set(story_ids)
    while time.monotonic() < deadline and len(emailed) < stories:
        # One listing per round: this loop must not take the CPU the flow it watches needs.
        for path in _emails(runtime):
            story_id = _emailed_story(path.name)
            if story_id in wanted and story_id not in emailed:
                emailed[story_id] = path.stat().st_mtime
        time.sleep(POLL_SECONDS)
    finished = time.time()
    time.sleep(QUIET_SECONDS)

    emails = Counter(_emailed_story(path.name) for path in _emails(runtime))
    per_story, statuses = _executions_by_story(runtime, started - 1)
    latencies = [emailed[story_id] - started for story_id in story_ids if story_id in emailed]
    last_email = max(emailed.values(), default=finished)
    wall = last_email - started
    return {
        "stories": stories,
        "wall_seconds": round(wall, 3),
        "wall_over_critical_path": round(wall / CRITICAL_PATH, 3),
        "create_seconds": round(created - started, 3),
        "executions_per_second": round(sum(per_story.values()) / wall, 2) if wall > 0 else None,
        "stories_per_second": round(len(emailed) / wall, 2) if wall > 0 else None,
        "story_latency_p50_seconds": round(median(latencies), 3),
        "story_latency_max_seconds": round(max(latencies, default=float("nan")), 3),
        "story_latency_p99_seconds": round(percentile(latencies, 0.99), 3),
        "executions": sum(per_story.values()),
        "execution_statuses": dict(statuses),
        "stories_with_more_than_one_execution": sum(1 for count in per_story.values() if count > 1),
        "lost_emails": sum(1 for story_id in story_ids if emails[story_id] == 0),
        "duplicate_emails": sum(emails[story_id] - 1 for story_id in story_ids if emails[story_id] > 1),
    }


def measure() -> dict[str, Any]:
    """Every level in one runtime, smallest first."""
    levels = []
    with isolated_home("concurrency"):
        providers = sleeping_providers(TEXT_SECONDS, IMAGE_SECONDS, AUDIO_SECONDS)
        with LocalRuntime(get_settings(), providers=providers) as runtime:
            seed(CatalogStore(runtime.settings))
            # Handlers share one Powertools Metrics object in this process: a hundred at once overflow it, and
            # it prints its metric set to stdout even with metrics disabled. Kept off the table, counted here.
            stray = io.StringIO()
            with warnings.catch_warnings(), contextlib.redirect_stdout(stray):
                warnings.filterwarnings("ignore", message="No application metrics to publish")
                run_level(runtime, 1)  # warm-up: first imports of handlers and providers
                for stories in LEVELS:
                    levels.append(run_level(runtime, stories))
    hundred = next(level for level in levels if level["stories"] == max(LEVELS))
    return {
        "providers_seconds": {"text": TEXT_SECONDS, "image": IMAGE_SECONDS, "audio": AUDIO_SECONDS},
        "critical_path_seconds": CRITICAL_PATH,
        "levels": levels,
        "stray_stdout_lines": len(stray.getvalue().splitlines()),
        "lost_emails_100": hundred["lost_emails"],
        "duplicate_emails_100": hundred["duplicate_emails"],
        "targets": {
            "lost_and_duplicate_emails": {
                "max": 0,
                "met": all(level["lost_emails"] == 0 and level["duplicate_emails"] == 0 for level in levels),
            }
        },
    }


def report(result: dict[str, Any]) -> str:
    """The figures as a text table."""
    rows = [
        [
            level["stories"],
            level["wall_seconds"],
            level["wall_over_critical_path"],
            level["executions_per_second"],
            level["story_latency_p50_seconds"],
            level["story_latency_max_seconds"],
            level["executions"],
            level["lost_emails"],
            level["duplicate_emails"],
            verdict(level["lost_emails"] == 0 and level["duplicate_emails"] == 0),
        ]
        for level in result["levels"]
    ]
    return "\n".join(
        [
            f"Concurrency: N stories started at once; fakes sleep T={TEXT_SECONDS} s, I={IMAGE_SECONDS} s, "
            f"A={AUDIO_SECONDS} s (one story alone: {CRITICAL_PATH} s of providers)",
            "",
            table(
                [
                    "stories",
                    "wall s",
                    "wall/2.5s",
                    "exec/s",
                    "p50 s",
                    "max s",
                    "executions",
                    "lost",
                    "dup",
                    "0 lost, 0 dup",
                ],
                rows,
            ),
        ]
    )


def main() -> None:
    result = measure()
    print(report(result))
    write_result("concurrency", result)


if __name__ == "__main__":
    main()
