"""Many stories through the local stack with random faults everywhere; the invariants checked at the end.

Each worker process runs its own stack (moto keeps its state per process), in waves of stories at
once: most are stored straight into the table, some are written by create_story (so the writer and
its PutItem meet faults too), and some StoryCreated events are delivered twice more. Failed runs
are redriven now and then while faults still fly, and once more after the faults stop. A run that
may have emailed already (it failed in Notify, and SNS did not say no) is redriven only when the
outbox has no email for its story, as a person would before `retry --resend`. Then, for every
story: an email exists ⇒ the item is COMPLETE with both media in S3; at most one email; and every
story has been emailed.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from storyteller.flow import events
from storyteller.flow.retry import email_may_have_been_sent
from storyteller.local.faults import FaultKind, Target
from storyteller.local.runtime import FunctionFailedError

LEAKY = ("AWS_", "STORYTELLER_", "OPENAI_", "POWERTOOLS_", "MOTO_")


@dataclass(frozen=True)
class SoakSettings:
    """How hard to push: stories per worker, stories at once, how often a call fails."""

    stories: int = 500
    wave: int = 50
    fault_rate: float = 0.04
    written_share: float = 0.1  # stories that go through create_story and the writer
    duplicate_share: float = 0.1  # stories whose StoryCreated is delivered twice more
    redrive_share: float = 0.5  # failed runs redriven while faults still fly
    seed: int = 7


@dataclass
class SoakReport:
    """What a soak did and found; `violations` must stay empty."""

    stories: int = 0
    executions: int = 0
    redrives: int = 0
    faults: int = 0
    faults_by_kind: dict[str, int] = field(default_factory=dict)
    emails: int = 0
    complete: int = 0
    writer_failures: int = 0
    resent: int = 0  # runs that failed in Notify, redriven after checking that no email had arrived
    left_failed: int = 0  # runs that failed in Notify after SNS took the message: emailed, left alone
    seconds: float = 0.0
    violations: list[str] = field(default_factory=list)

    def add(self, other: SoakReport) -> None:
        for name, value in asdict(other).items():
            if name == "faults_by_kind":
                for kind, count in value.items():
                    self.faults_by_kind[kind] = self.faults_by_kind.get(kind, 0) + count
            elif name == "seconds":
                self.seconds = max(self.seconds, value)
            else:
                setattr(self, name, getattr(self, name) + value)


def run_soak(settings: SoakSettings, workers: int = 2, stacks: int | None = None) -> SoakReport:
    """Run `stacks` fresh stacks of `settings.stories` stories each, `workers` at a time, and add up what they report.

    A stack holds what two days of a family's stories would, at most a few hundred: the local endpoint
    lists and saves everything it holds, so a longer soak uses more stacks rather than a bigger one.
    """
    started = time.monotonic()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: moto's backends are per process
    with (
        tempfile.TemporaryDirectory(prefix="storyteller-soak-") as scratch,
        context.Pool(workers, maxtasksperchild=1) as pool,
    ):
        jobs = [(settings, index, str(Path(scratch) / f"stack-{index}")) for index in range(stacks or workers)]
        reports = pool.starmap(soak_worker, jobs, chunksize=1)  # a fresh process (and stack) per job
    total = SoakReport()
    for report in reports:
        total.add(report)
    total.seconds = time.monotonic() - started
    return total


def soak_worker(settings: SoakSettings, index: int, home: str) -> SoakReport:
    """One process: its own home and stack, `settings.stories` stories in waves, its own random seed."""
    for name in list(os.environ):
        if name.startswith(LEAKY):
            del os.environ[name]
    os.environ["STORYTELLER_HOME"] = home
    from storyteller.dal.aws import reset_clients
    from storyteller.settings import get_settings
    from tests.reliability.drill import Drill, no_retry_waits

    get_settings.cache_clear()
    reset_clients()

    started = time.monotonic()
    rng = random.Random(settings.seed * 1000 + index)
    with no_retry_waits():
        drill = Drill(get_settings()).start()
        try:
            report = _soak(drill, settings, rng, settings.seed * 1000 + index)
        finally:
            drill.stop()
    report.seconds = time.monotonic() - started
    return report


def _soak(drill: Any, settings: SoakSettings, rng: random.Random, seed: int) -> SoakReport:
    report = SoakReport()
    drill.plan.randomly(settings.fault_rate, seed=seed)
    story_ids: set[str] = set()
    handled: set[str] = set()
    for wave in _waves(settings.stories, settings.wave):
        expected = len(drill.runtime.bus.started)
        for _ in range(wave):
            if rng.random() < settings.written_share:
                try:
                    story_ids.add(drill.runtime.create_story())
                except FunctionFailedError:
                    landed = drill.story_ids() - story_ids  # stored though its answer was lost
                    story_ids.update(landed)
                    report.writer_failures += 0 if landed else 1
                    expected += len(landed)
                    continue
            else:
                story = drill.put_story()
                story_ids.add(story.id)
                if rng.random() < settings.duplicate_share:
                    for _ in range(2):
                        drill.runtime.bus.put(events.bus_entry(story.to_event().model_dump(mode="json")))
                    expected += 2
            expected += 1
        _wait_for_runs(drill, expected)
        for described in _failed_runs(drill, handled):
            handled.add(described["executionArn"])
            if rng.random() < settings.redrive_share and not email_may_have_been_sent(drill.sfn, described):
                drill.sfn.redrive_execution(executionArn=described["executionArn"])
                report.redrives += 1
        _wait_for_runs(drill, expected)

    drill.plan.clear()
    for _ in range(5):  # with no faults, one redrive finishes a run; a few rounds cover a redrive of a redrive
        retryable = []
        for described in _failed_runs(drill, set()):
            if not email_may_have_been_sent(drill.sfn, described):
                retryable.append(described)
            elif not drill.emails(_story_of(described)):
                # What `retry --resend` is for: a person sees the family has no email for this story.
                report.resent += 1
                retryable.append(described)
        if not retryable:
            break
        for described in retryable:
            drill.sfn.redrive_execution(executionArn=described["executionArn"])
            report.redrives += 1
        _wait_for_runs(drill, len(drill.runtime.bus.started))
    report.left_failed = len(_failed_runs(drill, set()))

    drill.settle()
    found = drill.check(story_ids)
    report.stories, report.emails, report.complete = found.stories, found.emails, found.complete
    report.violations.extend(found.violations)
    report.violations.extend(_what_happened(drill, violation.split(":", 1)[0]) for violation in found.violations)
    emailed = drill.emails_by_story()
    report.violations.extend(f"{story_id}: never emailed" for story_id in sorted(story_ids) if not emailed[story_id])
    report.executions = len(drill.runtime.bus.started)
    report.faults = drill.plan.total_injected()
    for (target, kind), count in drill.plan.injected.items():
        key = f"{Target(target).value} {FaultKind(kind).value}"
        report.faults_by_kind[key] = report.faults_by_kind.get(key, 0) + count
    return report


def _waves(total: int, size: int) -> Iterator[int]:
    while total > 0:
        yield min(size, total)
        total -= size


def _wait_for_runs(drill: Any, expected: int, timeout: float = 300.0) -> None:
    """Until every run the pipe and the duplicates should have started did, and none is running."""
    deadline = time.monotonic() + timeout
    while len(drill.runtime.bus.started) < expected:
        if time.monotonic() > deadline:
            raise AssertionError(f"only {len(drill.runtime.bus.started)} of {expected} runs started")
        time.sleep(0.05)
    drill.settle(timeout=timeout)


def _what_happened(drill: Any, story_id: str) -> str:
    """Every run of the story: status, redrives, the states it entered and how its tasks failed."""
    runs = []
    for page in drill.sfn.get_paginator("list_executions").paginate(stateMachineArn=drill.state_machine_arn):
        for execution in page["executions"]:
            described = drill.sfn.describe_execution(executionArn=execution["executionArn"])
            if _story_of(described) != story_id:
                continue
            history = drill.sfn.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)
            steps = []
            for event in history["events"]:
                if "stateEnteredEventDetails" in event:
                    steps.append(event["stateEnteredEventDetails"]["name"])
                elif event["type"] in ("TaskFailed", "ExecutionFailed", "ExecutionRedriven"):
                    failed = event.get("taskFailedEventDetails") or event.get("executionFailedEventDetails") or {}
                    steps.append(f"{event['type']}({failed.get('error', '')})")
            runs.append(f"{execution['name'][:8]} {described['status']} x{described.get('redriveCount', 0)}: {steps}")
    emails = [path.name for path in drill.emails(story_id)]
    return f"{story_id}: runs {runs}; emails {emails}"


def _story_of(described: dict[str, Any]) -> str:
    return str(json.loads(described["input"])["id"])


def _failed_runs(drill: Any, handled: set[str]) -> list[dict[str, Any]]:
    failed: list[dict[str, Any]] = []
    pages = drill.sfn.get_paginator("list_executions").paginate(
        stateMachineArn=drill.state_machine_arn, statusFilter="FAILED"
    )
    for page in pages:
        for execution in page["executions"]:
            if execution["executionArn"] not in handled:
                failed.append(drill.sfn.describe_execution(executionArn=execution["executionArn"]))
    return failed
