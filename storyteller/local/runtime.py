"""The whole flow on this machine: endpoint, resources, pipe, bus, outbox, state, schedule."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.stories import StoryStore
from storyteller.local.endpoint import LocalEndpoint, Middleware
from storyteller.local.external_engine import external_step_functions, step_functions_local_settings
from storyteller.local.lambdas import LocalLambdas, route_moto_lambda_to
from storyteller.local.outbox import Outbox, emails_for
from storyteller.local.pipe import LocalBus, StreamPipe
from storyteller.local.resources import LocalResources, provision
from storyteller.local.state import LocalState
from storyteller.local.status_rule import RunStatusRule
from storyteller.models import StoryStatus
from storyteller.observability import LOG_FILE_VARIABLE
from storyteller.providers import factory
from storyteller.run_outcome import ENDED_WITHOUT_EMAIL, one_line_failure
from storyteller.settings import Settings

log = logging.getLogger(__name__)

# No X-Ray daemon or CloudWatch here: tracing and EMF metrics off; handler logs go to the log file.
_LOCAL_POWERTOOLS = {
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
}
ENDPOINT_FILE = "endpoint"
# How often the pump looks at the stream and the outbox: fast enough that a run feels immediate.
PUMP_INTERVAL_SECONDS = 0.05
# How long an ended run may take to show on its story (FAILED) before a waiter reports it anyway.
STATUS_SETTLE_SECONDS = 10.0


class FunctionFailedError(Exception):
    """A function raised; `error_type` is its exception's name, as Step Functions would show it."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(f"{error_type}: {message}")
        self.error_type = error_type
        self.message = message


@dataclass(frozen=True)
class RunOutcome:
    """How a story's run ended, as the CLI reports it."""

    story_id: str
    status: str
    execution_arn: str | None
    execution_status: str | None
    error: str | None
    emails: list[Path]


class LocalRuntime:
    """Start, use, stop. Not re-entrant: moto's backends are per process, so one runtime at a time."""

    def __init__(
        self,
        settings: Settings,
        endpoint_port: int = 0,
        providers: factory.ProviderOverrides | None = None,
        endpoint_middleware: Middleware | None = None,
    ) -> None:
        self.settings = settings
        self._providers = providers
        self.endpoint = LocalEndpoint(
            settings.aws_region, settings.home, endpoint_port or settings.endpoint_port, endpoint_middleware
        )
        self.lambdas = LocalLambdas()
        self.outbox_dir = settings.home / "outbox"
        self.log_file = settings.home / "logs" / "storyteller.log"
        self.endpoint_file = settings.home / ENDPOINT_FILE
        self._stop = threading.Event()
        self._pump_thread: threading.Thread | None = None
        self._dirty = threading.Event()
        self._owns_log_variable = False
        self.resources: LocalResources | None = None

    def start(self) -> LocalRuntime:
        """Bring everything up and restore saved state; new stories flow from here on."""
        self.settings.home.mkdir(parents=True, exist_ok=True)
        for variable, value in _LOCAL_POWERTOOLS.items():
            os.environ.setdefault(variable, value)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        if LOG_FILE_VARIABLE not in os.environ:
            os.environ[LOG_FILE_VARIABLE] = str(self.log_file)
            self._owns_log_variable = True
        self.endpoint.start()
        if (engine_url := external_step_functions()) is not None:
            # The state machine runs there; its tasks come back here for Lambda, DynamoDB and SNS.
            wiring = step_functions_local_settings(self.endpoint.url, self.settings.aws_region)
            log.info("Step Functions at %s; start it with %s", engine_url, wiring)
        # Other commands (`storyteller retry`) reach this running stack's endpoint through this file.
        self.endpoint_file.write_text(self.endpoint.url, encoding="utf-8")
        route_moto_lambda_to(self.lambdas)
        factory.use(self._providers)
        self.resources = provision(self.settings)
        self.state = LocalState(self.settings)
        restored = self.state.restore()
        log.info("restored %d stories from %s", restored, self.settings.home)
        self.bus = LocalBus(self.resources.state_machine_arn, self.settings.aws_region)
        self.pipe = StreamPipe(self.resources.stories_stream_arn, self.settings.aws_region, self.lambdas, self.bus)
        self.pipe.start_from_latest()
        self.status_rule = RunStatusRule(self.resources.state_machine_arn, self.settings.aws_region, self.lambdas)
        self.outbox = Outbox(
            self.resources.outbox_queue_url,
            self.outbox_dir,
            self.settings.notify_email,
            self.settings.aws_region,
            self.settings.smtp_url,
        )
        self._pump_thread = threading.Thread(target=self._pump, name="storyteller-pump", daemon=True)
        self._pump_thread.start()
        return self

    def stop(self) -> None:
        """Finish the pump, deliver what the topic already holds, save state, stop the endpoint."""
        self._stop.set()
        if self._pump_thread is not None:
            self._pump_thread.join(timeout=10)
        # A message published just before stopping lives only in moto's memory: deliver it, or it is lost.
        while self.outbox.poll():
            pass
        self.save()
        self.endpoint_file.unlink(missing_ok=True)
        self.endpoint.stop()
        factory.use(None)
        if self._owns_log_variable:
            os.environ.pop(LOG_FILE_VARIABLE, None)

    def __enter__(self) -> LocalRuntime:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def pump_once(self) -> int:
        """Move whatever is waiting: stream → pipe → bus → state machine, topic → outbox."""
        return self.pipe.poll() + self.outbox.poll() + self.status_rule.poll()

    def save(self) -> None:
        """Persist tables and media now."""
        self.state.save()

    def invoke(self, function_name: str, event: Any) -> Any:
        """Call a function as its trigger would; its failure comes back as FunctionFailedError."""
        body, errored, _ = self.lambdas.invoke(function_name, event)
        result = json.loads(body)
        if errored:
            raise FunctionFailedError(result["errorType"], result["errorMessage"])
        return result

    def create_story(self, scheduled_time: str | None = None) -> str:
        """What the nightly schedule does: run create_story; returns the new story's id.

        `scheduled_time` is the firing's `<aws.scheduler.scheduled-time>`: a firing delivered twice makes one story.
        """
        event = {"source": "storyteller.local"}
        if scheduled_time is not None:
            event["scheduledTime"] = scheduled_time
        result = self.invoke(names.CREATE_STORY_FUNCTION, event)
        story_id: str = result["id"]
        return story_id

    def wait_for_story(
        self, story_id: str, timeout: float = 300.0, on_state: Callable[[str], None] | None = None
    ) -> RunOutcome:
        """Block until the story's run has ended (and, when it succeeded, its email is in the outbox).

        `on_state` hears the name of each state the run enters, for progress output.
        """
        deadline = time.monotonic() + timeout
        entered = 0
        stories = StoryStore(self.settings)
        sfn = client("stepfunctions", self.settings.aws_region)
        execution_status: str | None = None
        error: str | None = None
        while time.monotonic() < deadline:
            story = stories.get(story_id)
            if story is None:
                return RunOutcome(story_id, "MISSING", None, None, "no such story", [])
            if story.executionArn:
                execution = sfn.describe_execution(executionArn=story.executionArn)
                execution_status = execution["status"]
                if on_state is not None:
                    states = self.states_entered(story.executionArn)
                    for name in states[entered:]:
                        on_state(name)
                    entered = len(states)
                error = _failure(execution)
                emails = emails_for(self.outbox_dir, story_id)
                if execution_status == "SUCCEEDED":
                    done = bool(emails)
                else:  # an ended run is reported when its story says FAILED (or could not: a duplicate run)
                    done = execution_status != "RUNNING" and (
                        story.status is StoryStatus.FAILED or time.monotonic() > settled_by(execution)
                    )
                if done:
                    return RunOutcome(story_id, story.status, story.executionArn, execution_status, error, emails)
            time.sleep(PUMP_INTERVAL_SECONDS)
        story = stories.get(story_id)
        return RunOutcome(
            story_id,
            story.status if story else "MISSING",
            story.executionArn if story else None,
            execution_status,
            f"still not finished after {timeout:.0f} s",
            emails_for(self.outbox_dir, story_id),
        )

    def states_entered(self, execution_arn: str) -> list[str]:
        """Names of the states an execution has entered so far, in order."""
        sfn = client("stepfunctions", self.settings.aws_region)
        history = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
        return [event["stateEnteredEventDetails"]["name"] for event in history if "stateEnteredEventDetails" in event]

    def _pump(self) -> None:
        while not self._stop.is_set():
            try:
                if self.pump_once():
                    self._dirty.set()
                if self._dirty.is_set() and not self._running_executions():
                    self._dirty.clear()
                    self.save()
            except Exception:
                log.exception("local pump failed; retrying")
            self._stop.wait(PUMP_INTERVAL_SECONDS)

    def _running_executions(self) -> bool:
        assert self.resources is not None
        found = client("stepfunctions", self.settings.aws_region).list_executions(
            stateMachineArn=self.resources.state_machine_arn, statusFilter="RUNNING", maxResults=1
        )
        return bool(found["executions"])


def settled_by(execution: dict[str, Any]) -> float:
    """A monotonic deadline for the story to show how its ended run went (the status rule runs each pump)."""
    stopped = execution.get("stopDate")
    if stopped is None:
        return time.monotonic() + STATUS_SETTLE_SECONDS
    age = max(0.0, time.time() - float(stopped.timestamp()))
    return time.monotonic() + max(0.0, STATUS_SETTLE_SECONDS - age)


def _failure(execution: dict[str, Any]) -> str | None:
    """One line: the error's name and message (a Lambda's cause is a JSON error body)."""
    if execution["status"] not in ENDED_WITHOUT_EMAIL:
        return None
    return one_line_failure(execution["status"], execution.get("error"), execution.get("cause"))
