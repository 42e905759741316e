"""The story-media state machine's runs, through boto3's Step Functions API: AWS, or moto locally."""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from frontend import redact
from frontend.nights import NightRun, family_of, night_run

STATUSES = ("RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", "PENDING_REDRIVE")
REDRIVABLE = frozenset({"FAILED", "TIMED_OUT", "ABORTED"})
# Execution names: up to 80 characters, none of the ones AWS forbids (whitespace, wildcards, ARN separators).
RUN_NAME = re.compile(r"^[^\s<>{}\[\]?*\"#%\\^|~`$&,;:/]{1,80}$")
PAGE_SIZE = 25
FINISHED_KEPT = 2000  # runs whose figures are kept in memory: four months of nights, with retries


class StateMachineNotFoundError(Exception):
    """Neither the setting nor a lookup by name found the state machine."""


@dataclass(frozen=True)
class RunSummary:
    """One row of the runs list."""

    name: str
    arn: str
    status: str
    started: datetime
    stopped: datetime | None
    redrives: int
    story_id: str | None
    title: str | None  # from the Stories table while the story lives (the console fills it), never from the run
    family: str | None = None  # whose story (the event's family; a version 1 event is the default family's)

    def duration(self, now: datetime | None = None) -> timedelta:
        """Start to stop (or to now, while it runs)."""
        return (self.stopped or now or datetime.now(UTC)) - self.started


@dataclass(frozen=True)
class RunDetail:
    """One run: its description, its history events and the definition it ran."""

    summary: RunSummary
    input: dict[str, Any] | None
    input_text: str
    output_text: str | None  # the execution's output, when it succeeded
    error: str | None
    cause: str | None
    redrive_date: datetime | None
    redrivable: bool
    not_redrivable_reason: str | None
    definition: dict[str, Any]
    events: list[dict[str, Any]]


@dataclass(frozen=True)
class RetryOutcome:
    """Whether a retry (redrive) started, and what to tell the operator."""

    started: bool
    message: str


class Runs:
    """Reads and redrives executions; the same calls reach AWS or the local endpoint."""

    def __init__(self, sfn: Callable[[], Any], state_machine_arn: str | None, state_machine_name: str) -> None:
        self._sfn = sfn
        self._arn = state_machine_arn
        self._name = state_machine_name
        # A finished run's description and history never change (a redrive changes its status, and so the key).
        self._finished: OrderedDict[tuple[str, str, str], NightRun] = OrderedDict()
        self._finished_lock = threading.Lock()

    def recent(self, limit: int) -> list[NightRun]:
        """The newest `limit` runs, each read once for good once it has finished; newest first."""
        sfn, listed = self._sfn(), []
        pages = sfn.get_paginator("list_executions").paginate(
            stateMachineArn=self.state_machine_arn(), PaginationConfig={"MaxItems": limit, "PageSize": min(limit, 1000)}
        )
        for page in pages:
            listed.extend(page["executions"])
        listed = sorted(listed, key=lambda item: item["startDate"], reverse=True)[:limit]
        # Up to four calls at once: well inside Step Functions' per-account rate for these APIs.
        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(self._night_run, listed))

    def _night_run(self, item: dict[str, Any]) -> NightRun:
        key = (item["executionArn"], item["status"], str(item.get("stopDate")))
        with self._finished_lock:
            if key in self._finished:
                self._finished.move_to_end(key)
                return self._finished[key]
        sfn = self._sfn()
        described = redact.described(sfn.describe_execution(executionArn=item["executionArn"]))
        run = night_run(described, _parse(described.get("input")), _history(sfn, item["executionArn"]))
        if described["status"] != "RUNNING" and described["status"] == item["status"]:
            with self._finished_lock:
                self._finished[key] = run
                while len(self._finished) > FINISHED_KEPT:
                    self._finished.popitem(last=False)
        return run

    def state_machine_arn(self) -> str:
        """The configured ARN, else the one found by name (looked up once)."""
        if self._arn is None:
            for page in self._sfn().get_paginator("list_state_machines").paginate():
                for machine in page["stateMachines"]:
                    if machine["name"] == self._name:
                        self._arn = str(machine["stateMachineArn"])
                        return self._arn
            raise StateMachineNotFoundError(
                f"no state machine named {self._name!r}; set STORYTELLER_STATE_MACHINE_ARN or start the stack"
            )
        return self._arn

    def execution_arn(self, name: str) -> str:
        """The ARN of this state machine's execution called `name` (AWS's own ARN layout)."""
        return self.state_machine_arn().replace(":stateMachine:", ":execution:", 1) + ":" + name

    def page(
        self, status: str | None = None, token: str | None = None, size: int = PAGE_SIZE, family: str | None = None
    ) -> tuple[list[RunSummary], str | None]:
        """Newest first, `size` at a time; the token fetches the next page. A family filter keeps that family's
        rows of the page (Step Functions lists by status only; the family is in each run's input)."""
        request: dict[str, Any] = {"stateMachineArn": self.state_machine_arn(), "maxResults": size}
        if status:
            request["statusFilter"] = status
        if token:
            request["nextToken"] = token
        sfn = self._sfn()
        listed = sfn.list_executions(**request)
        items = sorted(listed["executions"], key=lambda item: item["startDate"], reverse=True)
        # The story and family ids are in each run's input (and moto's list has no redriveCount):
        # one DescribeExecution a row, eight at a time.
        with ThreadPoolExecutor(max_workers=8) as pool:
            described = list(
                pool.map(
                    lambda item: redact.described(sfn.describe_execution(executionArn=item["executionArn"])), items
                )
            )
        rows = [_summary(full, _parse(full.get("input"))) for full in described]
        return [row for row in rows if family is None or row.family == family], listed.get("nextToken")

    def detail(self, name: str) -> RunDetail | None:
        """The run called `name`, or None when there is no such run."""
        if not RUN_NAME.match(name):
            return None
        sfn, arn = self._sfn(), self.execution_arn(name)
        try:
            described = redact.described(sfn.describe_execution(executionArn=arn))
        except ClientError as error:
            if _code(error) in {"ExecutionDoesNotExist", "InvalidArn"}:
                return None
            raise
        events = _history(sfn, arn)
        story = _parse(described.get("input"))
        redrivable = described["status"] in REDRIVABLE and described.get("redriveStatus", "REDRIVABLE") != (
            "NOT_REDRIVABLE"
        )
        return RunDetail(
            summary=_summary(described, story),
            input=story,
            input_text=json.dumps(story, indent=2, ensure_ascii=False) if story else (described.get("input") or ""),
            output_text=pretty_json(described.get("output")),
            error=described.get("error"),
            cause=described.get("cause"),
            redrive_date=described.get("redriveDate"),
            redrivable=redrivable,
            not_redrivable_reason=described.get("redriveStatusReason"),
            definition=self._definition(arn),
            events=events,
        )

    def retry(self, name: str) -> RetryOutcome:
        """Redrive a failed run: only its failed and unfinished states run again, under the same ARN."""
        if not RUN_NAME.match(name):
            return RetryOutcome(False, "There is no such run. Nothing was changed.")
        sfn, arn = self._sfn(), self.execution_arn(name)
        try:
            status = sfn.describe_execution(executionArn=arn)["status"]
        except ClientError as error:
            if _code(error) in {"ExecutionDoesNotExist", "InvalidArn"}:
                return RetryOutcome(False, "There is no such run. Nothing was changed.")
            raise
        if status not in REDRIVABLE:
            return RetryOutcome(False, _not_failed(status))
        try:
            sfn.redrive_execution(executionArn=arn)
        except ClientError as error:
            # Two operators (or two tabs) pressing Retry at once: Step Functions accepts only the first.
            if _code(error) == "ExecutionNotRedrivable":
                return RetryOutcome(False, f"Step Functions refused the retry: {_message(error)} Nothing was changed.")
            raise
        return RetryOutcome(True, "Retry started: only the states that failed or did not finish run again.")

    def definition(self) -> dict[str, Any]:
        """The state machine's current definition."""
        text = self._sfn().describe_state_machine(stateMachineArn=self.state_machine_arn())["definition"]
        found: dict[str, Any] = json.loads(text)
        return found

    def _definition(self, execution_arn: str) -> dict[str, Any]:
        # The definition this run used, which may be older than the machine's current one.
        sfn = self._sfn()
        try:
            text = sfn.describe_state_machine_for_execution(executionArn=execution_arn)["definition"]
        except ClientError:
            text = sfn.describe_state_machine(stateMachineArn=self.state_machine_arn())["definition"]
        definition: dict[str, Any] = json.loads(text)
        return definition


def _summary(item: dict[str, Any], story: dict[str, Any] | None) -> RunSummary:
    return RunSummary(
        name=item["name"],
        arn=item["executionArn"],
        status=item["status"],
        started=item["startDate"],
        stopped=item.get("stopDate"),
        redrives=int(item.get("redriveCount") or 0),
        story_id=_text(story, "id"),
        title=None,
        family=family_of(story),
    )


def _history(sfn: Any, arn: str) -> list[dict[str, Any]]:
    """The run's history events, each with the story withheld (a version 1 or 2 run's data holds it)."""
    events: list[dict[str, Any]] = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn):
        events.extend(redact.history_event(event) for event in page["events"])
    return events


def pretty_json(text: str | None) -> str | None:
    """JSON text indented for reading; anything else as it came."""
    if text is None:
        return None
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def _parse(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _text(story: dict[str, Any] | None, key: str) -> str | None:
    value = story.get(key) if story else None
    return value if isinstance(value, str) else None


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _message(error: ClientError) -> str:
    message = str(error.response.get("Error", {}).get("Message", "")).strip()
    return message if message.endswith(".") else message + "."


def _not_failed(status: str) -> str:
    if status == "RUNNING":
        return "This run is still running (perhaps a retry already started). Nothing was changed."
    if status == "SUCCEEDED":
        return "This run succeeded, so there is nothing to retry. Nothing was changed."
    return f"Only a failed, timed-out or aborted run can be retried; this one is {status}. Nothing was changed."
