"""What happened to each state of one execution, read from its Step Functions history events.

A pure function over the events `get_execution_history` returns (AWS and moto give the same shape),
so it is tested on recorded histories. Events that carry no state name (TaskScheduled, TaskFailed…)
belong to the state their `previousEventId` chain leads to; Parallel/Map container events belong to
the innermost container still open.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

_CONTAINER_PREFIXES = ("Parallel", "Map")
_ATTEMPT_SUFFIXES = ("Scheduled",)
_FAILURE_SUFFIXES = ("Failed", "TimedOut", "StartFailed", "SubmitFailed", "ScheduleFailed")
_EXECUTION_ENDS = {"ExecutionFailed", "ExecutionTimedOut", "ExecutionAborted", "ExecutionSucceeded"}


class StateStatus(StrEnum):
    """What happened to a state, as the console colours it."""

    SUCCEEDED = "succeeded"
    RETRIED = "retried"  # succeeded, after at least one failed attempt that its Retry took care of
    CAUGHT = "caught"  # failed, and its Catch moved the run on
    FAILED = "failed"
    RUNNING = "running"
    STOPPED = "stopped"  # entered, then cut short because the run ended elsewhere
    NOT_REACHED = "not-reached"


@dataclass
class Attempt:
    """One try of a Task: scheduled, started, and how it ended (a Retry makes the next one)."""

    number: int
    scheduled: datetime
    started: datetime | None = None
    ended: datetime | None = None
    outcome: str = "running"  # succeeded, failed, timed out
    error: str | None = None
    cause: str | None = None
    output: str | None = None


@dataclass
class StateRun:
    """One state's story in this execution; times are of its latest entry (redrives re-enter)."""

    name: str
    status: StateStatus = StateStatus.NOT_REACHED
    entries: int = 0
    attempts: int = 0
    retries: int = 0
    started: datetime | None = None
    ended: datetime | None = None
    error: str | None = None
    cause: str | None = None
    input: str | None = None  # what the latest entry received, as the history records it (JSON text)
    output: str | None = None  # what it passed on
    attempt_log: list[Attempt] = field(default_factory=list)  # every try, across entries
    spans: list[tuple[datetime, datetime | None]] = field(default_factory=list)  # each entry: entered, exited
    _entry_attempts: int = field(default=0, repr=False)
    _last_attempt_failed: bool = field(default=False, repr=False)

    def duration(self, now: datetime | None = None) -> timedelta | None:
        """How long the latest entry took (or has taken so far, while running)."""
        if self.started is None:
            return None
        end = self.ended or (now if self.status is StateStatus.RUNNING else None)
        return end - self.started if end is not None else None

    @property
    def cause_message(self) -> str | None:
        """A Lambda's cause is a JSON error body: its `errorMessage` reads better than the whole body."""
        if self.cause is None:
            return None
        with contextlib.suppress(ValueError, AttributeError, TypeError):
            message = json.loads(self.cause).get("errorMessage")
            if isinstance(message, str):
                return message
        return self.cause


@dataclass(frozen=True)
class HistoryLine:
    """One event, for the timeline."""

    id: int
    timestamp: datetime
    type: str
    state: str | None
    error: str | None


@dataclass
class RunHistory:
    """Every state that was reached, the redrives, and the timeline."""

    states: dict[str, StateRun]
    redrives: list[datetime]
    lines: list[HistoryLine]

    def state(self, name: str) -> StateRun:
        """The state's run, or a not-reached one."""
        return self.states.get(name) or StateRun(name)


def read_history(events: Sequence[Mapping[str, Any]], execution_status: str) -> RunHistory:
    """Fold the events, oldest first, into each state's outcome; `execution_status` is describe_execution's."""
    runs: dict[str, StateRun] = {}
    owner: dict[int, str] = {}
    open_containers: list[str] = []
    redrives: list[datetime] = []
    lines: list[HistoryLine] = []
    execution_error: tuple[str | None, str | None] = (None, None)

    for event in sorted(events, key=lambda e: int(e["id"])):
        kind: str = event["type"]
        event_id = int(event["id"])
        moment: datetime = event["timestamp"]
        details = _details(event)
        name: str | None = None
        if "stateEnteredEventDetails" in event:
            name = event["stateEnteredEventDetails"]["name"]
            run = runs.setdefault(name, StateRun(name))
            run.entries += 1
            run.status, run.started, run.ended = StateStatus.RUNNING, moment, None
            run.error = run.cause = run.output = None
            run.input = event["stateEnteredEventDetails"].get("input")
            run.spans.append((moment, None))
            run._entry_attempts, run._last_attempt_failed = 0, False
            if kind.startswith(_CONTAINER_PREFIXES):
                open_containers.append(name)
        elif "stateExitedEventDetails" in event:
            name = event["stateExitedEventDetails"]["name"]
            run = runs.setdefault(name, StateRun(name))
            run.ended = moment
            run.output = event["stateExitedEventDetails"].get("output")
            if run.spans and run.spans[-1][1] is None:
                run.spans[-1] = (run.spans[-1][0], moment)
            if run._last_attempt_failed:
                run.status = StateStatus.CAUGHT
            elif run._entry_attempts > 1:
                run.status = StateStatus.RETRIED
            else:
                run.status = StateStatus.SUCCEEDED
            if name in open_containers:
                open_containers.remove(name)
        elif kind.startswith(_CONTAINER_PREFIXES) and open_containers:
            name = open_containers[-1]
            run = runs[name]
            if kind.endswith(("Failed", "Aborted")):
                run._last_attempt_failed = True
                run.status, run.ended = StateStatus.FAILED, moment
                open_containers.pop()
        elif kind == "ExecutionRedriven":
            redrives.append(moment)
        elif kind in _EXECUTION_ENDS:
            execution_error = (details.get("error"), details.get("cause"))
        else:
            name = owner.get(int(event.get("previousEventId") or 0))
            if name is not None:
                _task_event(runs[name], kind, details, moment)
        if name is not None:
            owner[event_id] = name
        lines.append(HistoryLine(event_id, moment, kind, name, details.get("error")))

    _settle(runs, execution_status, execution_error)
    return RunHistory(runs, redrives, lines)


def _details(event: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def _task_event(run: StateRun, kind: str, details: Mapping[str, Any], moment: datetime) -> None:
    attempt = run.attempt_log[-1] if run.attempt_log else None
    if kind.endswith(_ATTEMPT_SUFFIXES):
        run.attempts += 1
        run._entry_attempts += 1
        if run._entry_attempts > 1:
            run.retries += 1
        run.attempt_log.append(Attempt(number=len(run.attempt_log) + 1, scheduled=moment))
    elif kind.endswith("Started") and attempt is not None:
        attempt.started = moment
    elif kind.endswith(_FAILURE_SUFFIXES):
        run._last_attempt_failed = True
        run.error, run.cause = details.get("error"), details.get("cause")
        if attempt is not None:
            attempt.ended, attempt.error, attempt.cause = moment, run.error, run.cause
            attempt.outcome = "timed out" if kind.endswith("TimedOut") else "failed"
    elif kind.endswith("Succeeded"):
        run._last_attempt_failed = False
        if attempt is not None:
            attempt.ended, attempt.outcome, attempt.output = moment, "succeeded", details.get("output")


def _settle(runs: dict[str, StateRun], execution_status: str, error: tuple[str | None, str | None]) -> None:
    """States still open when the run has ended: failed if the failure was theirs, else cut short."""
    if execution_status in ("RUNNING", "PENDING_REDRIVE"):
        return
    still_open = [run for run in runs.values() if run.status is StateStatus.RUNNING]
    for run in still_open:
        if run._last_attempt_failed:
            run.status = StateStatus.FAILED
    for run in runs.values():
        if run.status is StateStatus.FAILED and run.error is None:
            run.error, run.cause = error  # a Parallel fails with its branch's error, which the run reports
    cut_short = execution_status in ("SUCCEEDED", "ABORTED")  # an operator's stop is no state's failure
    if cut_short or any(run.status is StateStatus.FAILED for run in runs.values()):
        for run in still_open:
            if run.status is StateStatus.RUNNING:
                run.status = StateStatus.STOPPED
        return
    # The run failed with no state owning the failure (a runtime error, a timeout, an abort):
    # the states it was in are where it failed.
    for run in still_open:
        run.status = StateStatus.FAILED
        run.error, run.cause = run.error or error[0], run.cause or error[1]
