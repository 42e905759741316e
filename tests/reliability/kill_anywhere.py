"""Kill anywhere: SIGKILL the local stack at random instants while it makes stories, restart, retry what failed.

A driver process (`python -m tests.reliability.kill_anywhere drive`) starts the local runtime with quick
providers and makes stories one after another, printing `stored <id>` once create_story has answered:
from then on the story is acknowledged. The harness kills it at a random instant (during start-up and
recovery too), starts it again, and so on. At the end one stack starts on the same home, lets recovery
finish, retries every story that is not COMPLETE, and checks: no acknowledged story lost, no story
with two emails, no email gone from the outbox, and every emailed story's page answers 200 with its
picture and narration in the bucket.
"""

from __future__ import annotations

import io
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from frontend.app import create_app
from storyteller.flow.retry import RetryRefusedError, retry_story
from storyteller.models import StoryStatus
from storyteller.settings import get_settings
from tests.reliability.drill import Drill

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTED = "started"
STORED = "stored "
# Past this, a life that has not said STARTED is a failure of its own (a start-up that never ends).
START_SECONDS = 120.0


@dataclass
class KillReport:
    """What the kills did and what the final check found."""

    kills: int = 0
    kills_during_start: int = 0
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)
    emails: int = 0
    duplicate_emails: list[str] = field(default_factory=list)
    emails_gone: list[str] = field(default_factory=list)
    retried: int = 0
    complete: int = 0  # COMPLETE and emailed, of the acknowledged
    pages_broken: list[str] = field(default_factory=list)
    not_complete: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def violations(self) -> list[str]:
        found = [f"lost {story_id}" for story_id in self.lost]
        found += [f"two emails {story_id}" for story_id in self.duplicate_emails]
        found += [f"email gone {name}" for name in self.emails_gone]
        found += [f"page broken {story_id}" for story_id in self.pages_broken]
        found += [f"not complete after retry {story_id}" for story_id in self.not_complete]
        return found


# Exact instants to die at, each right after the endpoint has answered (and so acknowledged) a write.
KILL_POINTS: dict[str, Callable[[dict[str, Any], bytes], bool]] = {
    "story-stored": lambda environ, body: b'"TableName": "Stories"' in body and b"PutItem" in _target(environ),
    "picture-stored": lambda environ, body: environ["REQUEST_METHOD"] == "PUT" and "image" in environ["PATH_INFO"],
    "media-saved": lambda environ, body: b"UpdateItem" in _target(environ) and b"imageKey" in body,
    "email-published": lambda environ, body: b"Action=Publish" in body,
}


def _target(environ: dict[str, Any]) -> bytes:
    return str(environ.get("HTTP_X_AMZ_TARGET", "")).encode()


def dying_at(point: str) -> Callable[[WSGIApp], WSGIApp]:
    """Endpoint middleware that SIGKILLs this process once the write at `point` has been answered."""
    matches = KILL_POINTS[point]

    def wrap(app: WSGIApp) -> WSGIApp:
        def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            answer = list(app(environ, start_response))
            if matches(environ, body):
                os.kill(os.getpid(), signal.SIGKILL)
            return answer

        return serve

    return wrap


def drive(kill_at: str | None = None) -> None:
    """The process that gets killed: one stack making stories until it is (or until it dies at `kill_at`)."""
    drill = Drill(get_settings())
    if kill_at is not None:
        drill.runtime.endpoint._middleware = dying_at(kill_at)
    drill.start()
    print(STARTED, flush=True)
    pause = random.Random(os.getpid())
    while True:
        story_id = drill.runtime.create_story()
        print(f"{STORED}{story_id}", flush=True)
        if kill_at is not None:  # one story, so the one in flight when it dies is known
            time.sleep(START_SECONDS)
            raise SystemExit(f"never reached {kill_at}")
        time.sleep(pause.uniform(0.0, 0.3))


class _Life:
    """One driver process and what it said."""

    def __init__(self, home: Path, kill_at: str | None = None) -> None:
        environment = {**os.environ, "STORYTELLER_HOME": str(home), "PYTHONPATH": str(REPO_ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.kill_anywhere", "drive", *([kill_at] if kill_at else [])],
            cwd=REPO_ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.started = threading.Event()
        self.stored_one = threading.Event()
        self.stored: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith(STARTED):
                self.started.set()
            elif line.startswith(STORED):
                self.stored.append(line[len(STORED) :].strip())
                self.stored_one.set()

    def died(self, timeout: float) -> list[str]:
        """Wait for it to die by itself (a kill point); returns the stories it acknowledged."""
        self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return list(self.stored)

    def kill(self) -> list[str]:
        """SIGKILL; returns the stories it acknowledged."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self._reader.join(timeout=10)
        return list(self.stored)


def run_kills(home: Path, kills: int, seed: int, life_seconds: float = 2.5) -> KillReport:
    """`kills` lives, each ended by SIGKILL at a random instant, then the final check."""
    rng = random.Random(seed)
    report = KillReport()
    acknowledged: list[str] = []
    emails_seen: set[str] = set()
    started = time.monotonic()
    for _ in range(kills):
        life = _Life(home)
        if rng.random() < 0.2:  # during start-up: restoring, recovering, re-running what never started
            time.sleep(rng.uniform(0.0, 3.0))
            report.kills_during_start += 0 if life.started.is_set() else 1
        else:
            if not life.started.wait(START_SECONDS):
                life.kill()
                raise AssertionError(f"the stack did not start in {START_SECONDS} s")
            if not acknowledged:
                # Until one story is acknowledged a life runs to its first: on a loaded machine a story can
                # take longer than a whole life, and a run that acknowledged nothing would check nothing.
                life.stored_one.wait(START_SECONDS)
            time.sleep(rng.uniform(0.0, life_seconds))
        acknowledged.extend(life.kill())
        report.kills += 1
        emails_seen.update(path.name for path in (home / "outbox").glob("*.eml"))
    report.acknowledged = len(acknowledged)
    _final_check(home, acknowledged, emails_seen, report)
    report.seconds = time.monotonic() - started
    return report


def die_at(home: Path, point: str, timeout: float = START_SECONDS) -> KillReport:
    """One life that dies at `point`, then the final check."""
    report = KillReport(kills=1)
    life = _Life(home, kill_at=point)
    acknowledged = life.died(timeout)
    assert life.process.returncode == -signal.SIGKILL, f"the driver ended with {life.process.returncode}"
    report.acknowledged = len(acknowledged)
    _final_check(home, acknowledged, {path.name for path in (home / "outbox").glob("*.eml")}, report)
    return report


def die_during_start(home: Path, timeout: float = START_SECONDS) -> KillReport:
    """A life that dies at its story's email, then one that dies restoring that story, before it has
    started (at start-up the first story written to the Stories table is a restored one); then the final check."""
    report = KillReport()
    first = _Life(home, kill_at="email-published")
    acknowledged = first.died(timeout)
    assert first.process.returncode == -signal.SIGKILL, f"the first driver ended with {first.process.returncode}"
    second = _Life(home, kill_at="story-stored")
    acknowledged += second.died(timeout)
    assert second.process.returncode == -signal.SIGKILL, f"the second driver ended with {second.process.returncode}"
    report.kills = 2
    report.kills_during_start = 0 if second.started.is_set() else 1
    report.acknowledged = len(acknowledged)
    _final_check(home, acknowledged, {path.name for path in (home / "outbox").glob("*.eml")}, report)
    return report


def _final_check(home: Path, acknowledged: list[str], emails_seen: set[str], report: KillReport) -> None:
    os.environ["STORYTELLER_HOME"] = str(home)
    get_settings.cache_clear()
    drill = Drill(get_settings()).start()
    try:
        drill.settle(timeout=120)
        stored = drill.story_ids()
        report.lost = sorted(set(acknowledged) - stored)
        for story_id in sorted(stored):  # a story stored but not yet acknowledged is made all the same
            story = drill.stories.get(story_id)
            if (
                story is not None and story.notifiedAt is None
            ):  # its run failed, or stopped before the email: retry finishes it
                try:
                    outcome = retry_story(drill.stories, drill.sfn, drill.state_machine_arn, story_id, timeout=120)
                except RetryRefusedError as refused:
                    report.not_complete.append(f"{story_id} ({refused})")
                    continue
                report.retried += 1
                if outcome.story_status != StoryStatus.COMPLETE or not outcome.emailed:
                    report.not_complete.append(f"{story_id} ({outcome.story_status}, {outcome.error})")
        drill.settle(timeout=120)
        emails = drill.emails_by_story()
        report.emails = sum(emails.values())
        report.duplicate_emails = sorted(story_id for story_id, count in emails.items() if count > 1)
        now = {path.name for path in drill.runtime.outbox_dir.glob("*.eml")}
        report.emails_gone = sorted(emails_seen - now)
        pages = TestClient(create_app(drill.settings))
        for story_id in emails:
            story = drill.stories.get(story_id)
            page = pages.get(f"/stories/{story_id}")
            if story is None or page.status_code != 200 or not drill.media_ok(story) or "<audio" not in page.text:
                report.pages_broken.append(story_id)
        report.complete = sum(1 for story_id in stored if _emailed(drill, story_id))
        report.not_complete += [f"{story_id} (no email)" for story_id in sorted(stored - set(emails))]
    finally:
        drill.stop()


def _emailed(drill: Drill, story_id: str) -> bool:
    story = drill.stories.get(story_id)
    return story is not None and story.status is StoryStatus.COMPLETE and story.notifiedAt is not None


if __name__ == "__main__":
    if sys.argv[1:2] == ["drive"]:
        drive(sys.argv[2] if len(sys.argv) > 2 else None)
