"""Across nights: the last runs as rows, and what an operator asks of them weekly.

Success rate by night, p50/p95 per state, failures by state and error, redrives and how they ended.
Pure functions over `NightRun`s (one per execution, from its description and history), so they are
tested on made-up runs; `frontend/runs.py` fetches them, caching finished runs (their history never
changes). Charts are small SVGs drawn here, server-side.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from html import escape
from typing import Any

from frontend.emails import Emails
from frontend.graph import format_seconds
from frontend.history import StateStatus, read_history
from storyteller import names
from storyteller.models import NightFailure

DEFAULT_LIMIT = 30
MAX_LIMIT = 500
# Where a night that never reached the state machine failed: the scheduler's target.
BEFORE_RUN_STATE = "CreateStory"


@dataclass(frozen=True)
class NightRun:
    """One execution, reduced to what the nights page shows."""

    name: str
    story_id: str | None
    title: str | None
    status: str
    started: datetime
    stopped: datetime | None
    redrives: int
    failed_state: str | None
    error: str | None
    state_seconds: dict[str, float] = field(default_factory=dict)  # each entered state's latest entry
    family: str | None = None
    before_run: bool = False  # failed in create_story: there is no execution to open
    emails: Emails | None = None  # its story's emails, while the story (and so its Deliveries rows) lives

    @property
    def seconds(self) -> float | None:
        return (self.stopped - self.started).total_seconds() if self.stopped else None

    def record(self) -> dict[str, Any]:
        """One row of the export."""
        return {
            "name": self.name,
            "story_id": self.story_id,
            "title": self.title,
            "family": self.family,
            "status": self.status,
            "started": self.started.isoformat(),
            "stopped": self.stopped.isoformat() if self.stopped else None,
            "seconds": round(self.seconds, 3) if self.seconds is not None else None,
            "redrives": self.redrives,
            "failed_state": self.failed_state,
            "error": self.error,
            "state_seconds": {name: round(value, 3) for name, value in self.state_seconds.items()},
            "emails": self.emails.record() if self.emails else None,
        }


def night_run(described: Mapping[str, Any], story: Mapping[str, Any] | None, events: Sequence[Any]) -> NightRun:
    """A run from DescribeExecution, its input (the story event) and its history."""
    history = read_history(events, described["status"])
    failed = [run for run in history.states.values() if run.status is StateStatus.FAILED]
    # The innermost failed state: a Parallel fails with its branch, and the branch's task is the cause.
    failed.sort(key=lambda run: (run.started or described["startDate"], run.name))
    innermost = next((run for run in reversed(failed) if run.attempt_log), failed[-1] if failed else None)
    seconds = {
        name: duration.total_seconds()
        for name, run in history.states.items()
        if (duration := run.duration()) is not None and run.ended is not None
    }
    return NightRun(
        name=described["name"],
        story_id=_text(story, "id"),
        title=None,  # the console reads it from the Stories table while the story lives
        status=described["status"],
        started=described["startDate"],
        stopped=described.get("stopDate"),
        redrives=int(described.get("redriveCount") or 0),
        failed_state=innermost.name if innermost else None,
        error=(innermost.error if innermost else None) or described.get("error"),
        state_seconds=seconds,
        family=family_of(story),
    )


def before_run(failure: NightFailure) -> NightRun:
    """A night that failed before its run (no cast, the writer down), as a failed row of its family."""
    return NightRun(
        name=f"{failure.familyId}-{failure.at:%Y%m%dT%H%M%S}",
        story_id=None,
        title=f"No story for {failure.familyId}",
        status="FAILED",
        started=failure.at,
        stopped=failure.at,
        redrives=0,
        failed_state=BEFORE_RUN_STATE,
        error=f"{failure.error}: {failure.reason}",
        family=failure.familyId,
        before_run=True,
    )


@dataclass(frozen=True)
class Filters:
    """What the operator narrowed the page to."""

    status: str | None = None
    since: date | None = None
    until: date | None = None
    query: str | None = None
    family: str | None = None
    limit: int = DEFAULT_LIMIT

    def keeps(self, run: NightRun, zone: tzinfo) -> bool:
        night = run.started.astimezone(zone).date()
        if self.status and run.status != self.status:
            return False
        if self.family and run.family != self.family:
            return False
        if (self.since and night < self.since) or (self.until and night > self.until):
            return False
        if self.query:
            needle = self.query.casefold()
            haystack = " ".join(filter(None, (run.title, run.story_id, run.name))).casefold()
            if needle not in haystack:
                return False
        return True


@dataclass(frozen=True)
class Night:
    day: date
    runs: int
    succeeded: int

    @property
    def rate(self) -> float:
        return self.succeeded / self.runs if self.runs else 0.0


@dataclass(frozen=True)
class StateFigures:
    state: str
    runs: int
    p50: float
    p95: float


@dataclass(frozen=True)
class Nights:
    """The page's figures."""

    rows: list[NightRun]
    nights: list[Night]
    states: list[StateFigures]
    failures: list[tuple[str, str, int]]  # state, error, runs
    redriven: int
    redriven_succeeded: int

    @property
    def emails(self) -> Emails:
        """Every shown run's emails together (the runs whose story has expired have none to show)."""
        return Emails.of(row for run in self.rows if run.emails for row in run.emails.rows)

    @property
    def success_rate(self) -> float:
        ended = [row for row in self.rows if row.status != "RUNNING"]
        return sum(1 for row in ended if row.status == "SUCCEEDED") / len(ended) if ended else 0.0


def summarize(rows: Sequence[NightRun], zone: tzinfo, state_order: Iterable[str]) -> Nights:
    """Group by night (in the schedule's zone), percentiles per state, failures counted by state and error."""
    per_night: dict[date, list[NightRun]] = defaultdict(list)
    per_state: dict[str, list[float]] = defaultdict(list)
    failures: Counter[tuple[str, str]] = Counter()
    for row in rows:
        per_night[row.started.astimezone(zone).date()].append(row)
        for state, seconds in row.state_seconds.items():
            per_state[state].append(seconds)
        if row.status in ("FAILED", "TIMED_OUT", "ABORTED"):
            failures[(row.failed_state or "(the run)", row.error or row.status)] += 1
    order = [state for state in state_order if state in per_state]
    return Nights(
        rows=list(rows),
        nights=[
            Night(day, len(runs), sum(1 for run in runs if run.status == "SUCCEEDED"))
            for day, runs in sorted(per_night.items())
        ],
        states=[
            StateFigures(
                state, len(per_state[state]), percentile(per_state[state], 0.5), percentile(per_state[state], 0.95)
            )
            for state in order
        ],
        failures=[(state, error, count) for (state, error), count in failures.most_common()],
        redriven=sum(1 for row in rows if row.redrives),
        redriven_succeeded=sum(1 for row in rows if row.redrives and row.status == "SUCCEEDED"),
    )


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest rank: p95 of 20 values is the 19th smallest."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))] if ordered else 0.0


def family_of(story: Mapping[str, Any] | None) -> str | None:
    """The family a run's input is for: `family.id` (version 2), the default family's (version 1)."""
    if not isinstance(story, Mapping) or "id" not in story:
        return None
    family = story.get("family")
    found = family.get("id") if isinstance(family, Mapping) else names.DEFAULT_FAMILY
    return found if isinstance(found, str) else None


def _text(story: Mapping[str, Any] | None, key: str) -> str | None:
    value = story.get(key) if story else None
    return value if isinstance(value, str) else None


# --- charts
def success_chart(nights: Sequence[Night]) -> str:
    """A bar per night, its height the share of runs that succeeded."""
    if not nights:
        return ""
    bar, gap, height, top = 18, 6, 90, 14
    width = len(nights) * (bar + gap) + gap
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="rate-title" width="{width}" height="{height + top + 30}" '
        f'viewBox="0 0 {width} {height + top + 30}" xmlns="http://www.w3.org/2000/svg">',
        '<title id="rate-title">Share of runs that succeeded, by night</title>',
    ]
    for index, night in enumerate(nights):
        x = gap + index * (bar + gap)
        filled = night.rate * height
        kind = "good" if night.rate == 1 else "bad" if night.rate < 0.5 else "mixed"
        label = f"{night.day:%a %-d %b}: {night.succeeded} of {night.runs} runs succeeded ({night.rate:.0%})"
        parts.append(
            f'<g class="night {kind}"><title>{escape(label)}</title>'
            f'<rect class="track" x="{x}" y="{top}" width="{bar}" height="{height}" rx="2"/>'
            f'<rect class="fill" x="{x}" y="{top + height - filled:.1f}" width="{bar}" height="{filled:.1f}" rx="2"/>'
            f'<text class="axis" x="{x + bar / 2}" y="{top + height + 14}">{night.day:%-d}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def duration_bar(figures: StateFigures, longest: float) -> str:
    """p50 as a bar, p95 as a whisker, on one scale for every state."""
    width, height = 220, 14
    scale = width / longest if longest > 0 else 0
    p50, p95 = figures.p50 * scale, figures.p95 * scale
    label = f"{figures.state}: p50 {format_seconds(figures.p50)}, p95 {format_seconds(figures.p95)}"
    return (
        f'<svg class="spark" role="img" aria-label="{escape(label)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f'<rect class="p50" x="0" y="2" width="{max(1.0, p50):.1f}" height="{height - 4}" rx="2"/>'
        f'<line class="p95" x1="{p50:.1f}" y1="{height / 2}" x2="{max(p50, p95):.1f}" y2="{height / 2}"/>'
        f'<line class="p95" x1="{max(p50, p95):.1f}" y1="2" x2="{max(p50, p95):.1f}" y2="{height - 2}"/></svg>'
    )
