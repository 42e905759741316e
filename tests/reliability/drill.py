"""A local stack with a fault plan, and the questions the reliability tests (and bench/) ask of it."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from botocore.retries.standard import ExponentialBackoff
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.media import MediaStore
from storyteller.dal.stories import StoryStore
from storyteller.flow.media import is_mp3, is_png
from storyteller.households.seed import CHARACTERS, SCENES, seed
from storyteller.local.faults import FaultKind, FaultPlan, FaultyIllustrator, FaultyNarrator, FaultyWriter, Target
from storyteller.local.outbox import emails_for
from storyteller.local.runtime import LocalRuntime
from storyteller.models import StoryItem, StoryStatus
from storyteller.settings import Settings
from tests.idle import wait_until_idle

POLL = 0.05


@dataclass
class RetryWaits:
    """Retry waits, recorded instead of slept: the ASL's (moto's retrier) and the AWS SDK's backoff."""

    intervals: list[float] = field(default_factory=list)
    sdk_backoffs: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.intervals.append(seconds)


@contextmanager
def no_retry_waits() -> Iterator[RetryWaits]:
    """Patch both sleeps for the duration; the ASL and the client config keep their real intervals."""
    waits = RetryWaits()
    original_time, original_delay = retrier_decl.time, ExponentialBackoff.delay_amount

    def no_delay(backoff: ExponentialBackoff, context: Any) -> float:
        waits.sdk_backoffs.append(original_delay(backoff, context))
        return 0.0

    retrier_decl.time = SimpleNamespace(sleep=waits.sleep)  # type: ignore[assignment]
    ExponentialBackoff.delay_amount = no_delay  # type: ignore[method-assign]
    try:
        yield waits
    finally:
        retrier_decl.time = original_time
        ExponentialBackoff.delay_amount = original_delay  # type: ignore[method-assign]


@dataclass(frozen=True)
class Invariants:
    """What the randomized runs count and check."""

    stories: int
    emails: int
    complete: int
    failed_runs: int
    violations: list[str]


class Drill:
    """The local runtime with every provider and AWS call behind one fault plan."""

    def __init__(self, settings: Settings, plan: FaultPlan | None = None) -> None:
        self.plan = plan or FaultPlan()
        overrides = self.plan.providers()
        assert isinstance(overrides.writer, FaultyWriter)
        assert isinstance(overrides.illustrator, FaultyIllustrator)
        assert isinstance(overrides.narrator, FaultyNarrator)
        self.writer, self.illustrator, self.narrator = overrides.writer, overrides.illustrator, overrides.narrator
        self.runtime = LocalRuntime(settings, providers=overrides, endpoint_middleware=self.plan.middleware)
        self._inputs: dict[str, str | None] = {}

    def start(self) -> Drill:
        self.runtime.start()
        self.settings = self.runtime.settings
        assert self.runtime.resources is not None
        self.state_machine_arn = self.runtime.resources.state_machine_arn
        self.sfn = client("stepfunctions", self.settings.aws_region)
        self.stories = StoryStore(self.settings)
        self.media = MediaStore(self.settings)
        seed(CatalogStore(self.settings))
        return self

    def stop(self) -> None:
        self.plan.clear()
        self.runtime.stop()

    def new_story(self) -> StoryItem:
        """A story as create_story stores it, not stored yet; its title carries its id, so that faults
        scoped to the id (`where=story.id`) reach its provider calls too."""
        created = datetime.now(UTC).replace(microsecond=0)
        story_id = str(uuid.uuid4())
        return StoryItem(
            id=story_id,
            title=f"The Lantern and the Lullaby {story_id}",
            text="Once upon a time.\nThe end.",
            scene=SCENES[0],
            characters=list(CHARACTERS[:2]),
            createdAt=created,
            ttl=int(created.timestamp()) + names.STORY_LIFETIME_SECONDS,
            words=6,
        )

    def put_story(self, story: StoryItem | None = None) -> StoryItem:
        """A new story straight into the table (what create_story stores), for runs that skip the writer."""
        story = story or self.new_story()
        self.stories.put_new(story)
        return story

    def sent(self, story_id: str) -> int:
        """How many notifications for the story SNS accepted: the emails the family gets."""
        return self.plan.published.count(story_id)

    def story_ids(self) -> set[str]:
        """Every story in the table."""
        return {story.id for story in self.stories.recent(limit=100_000)}

    def execution_arn(self, story_id: str, timeout: float = 10.0) -> str:
        """The run that owns the story, or (when it failed before Claim) the run whose input is the story."""
        deadline = time.monotonic() + timeout
        polls = 0
        while time.monotonic() < deadline:
            story = self.stories.get(story_id)
            if story is not None and story.executionArn:
                return story.executionArn
            polls += 1
            if polls % 10 == 0:  # listing every run is dear; most runs record themselves on the story soon
                for execution in self._executions():
                    if execution["status"] != "RUNNING" and self._story_of(execution["executionArn"]) == story_id:
                        return str(execution["executionArn"])
            time.sleep(POLL)
        raise AssertionError(f"no run for story {story_id} after {timeout} s")

    def finished(self, arn: str, timeout: float = 30.0) -> dict[str, Any]:
        """The run's description once it is no longer running."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            described: dict[str, Any] = self.sfn.describe_execution(executionArn=arn)
            if described["status"] != "RUNNING":
                return described
            time.sleep(POLL)
        raise AssertionError(f"{arn} still running after {timeout} s")

    def settle(self, timeout: float = 60.0) -> None:
        """Wait until no run is running and every published message is in the outbox."""
        wait_until_idle(self.runtime, timeout)

    def emails(self, story_id: str) -> list[Path]:
        return emails_for(self.runtime.outbox_dir, story_id)

    def media_ok(self, story: StoryItem) -> bool:
        """Both keys recorded, both objects in S3, a PNG and an MP3."""
        if not story.imageKey or not story.audioKey:
            return False
        if not (self.media.exists(story.imageKey) and self.media.exists(story.audioKey)):
            return False
        return is_png(self.media.get(story.imageKey)) and is_mp3(self.media.get(story.audioKey))

    def check(self, story_ids: set[str]) -> Invariants:
        """'An email exists ⇒ the item is COMPLETE with both media in S3' and '≤ 1 email per story'.

        One scan, one listing of the bucket and one of the outbox, however many stories.
        """
        stories = {story.id: story for story in self.stories.recent(limit=1_000_000)}
        in_bucket = self._media_keys()
        sent = self.emails_by_story()
        violations: list[str] = []
        complete = 0
        for story_id in sorted(story_ids):
            story = stories.get(story_id)
            if story is not None and story.status is StoryStatus.COMPLETE:
                complete += 1
            if sent[story_id] > 1:
                violations.append(f"{story_id}: {sent[story_id]} emails")
            media = story is not None and {story.imageKey, story.audioKey} <= in_bucket
            if sent[story_id] and (story is None or story.status is not StoryStatus.COMPLETE or not media):
                violations.append(f"{story_id}: emailed but {story.status if story else 'missing'} or media missing")
        failed = sum(1 for execution in self._executions() if execution["status"] == "FAILED")
        return Invariants(len(story_ids), sum(sent[story_id] for story_id in story_ids), complete, failed, violations)

    def emails_by_story(self) -> Counter[str]:
        """Emails in the outbox, by story id (the file names start with it)."""
        return Counter(path.name[:36] for path in self.runtime.outbox_dir.glob("*.eml"))

    def _media_keys(self) -> set[str | None]:
        s3 = client("s3", self.settings.aws_region)
        keys: set[str | None] = set()
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.settings.media_bucket):
            keys.update(entry["Key"] for entry in page.get("Contents", []))
        return keys

    def _story_of(self, arn: str) -> str | None:
        # A run's input never changes: each run is described once.
        if arn not in self._inputs:
            run_input = json.loads(self.sfn.describe_execution(executionArn=arn)["input"])
            self._inputs[arn] = run_input.get("id") if isinstance(run_input, dict) else None
        return self._inputs[arn]

    def _executions(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for page in self.sfn.get_paginator("list_executions").paginate(stateMachineArn=self.state_machine_arn):
            found.extend(page["executions"])
        return found


def story_through_a_stack(settings: Settings, fault: tuple[Target, FaultKind] | None = None) -> tuple[str, str]:
    """One story run to its end in a stack that then stops (as `tonight` does when it exits): (id, run ARN).

    With `fault`, that call always fails for this story and the run must end FAILED; without, SUCCEEDED.
    """
    drill = Drill(settings).start()
    try:
        story = drill.new_story()
        if fault is not None:
            target, kind = fault
            drill.plan.always(target, kind, where=story.id)
        drill.put_story(story)
        arn = drill.execution_arn(story.id)
        assert drill.finished(arn)["status"] == ("FAILED" if fault else "SUCCEEDED")
        drill.settle()
    finally:
        drill.stop()
    return story.id, arn
