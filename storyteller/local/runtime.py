"""The whole flow on this machine: endpoint, resources, pipe, bus, outbox, state, schedule."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.deliveries import DeliveryStore
from storyteller.dal.families import FamilyStore
from storyteller.dal.stories import StoryStore
from storyteller.flow.retry import NOTIFY_STATE
from storyteller.flow.run_outcome import ENDED_WITHOUT_EMAIL, one_line_failure
from storyteller.households.family import ensure_default_family
from storyteller.local import redrive, run_journal
from storyteller.local.activity import Activity
from storyteller.local.endpoint import LocalEndpoint, Middleware
from storyteller.local.external_engine import external_step_functions, step_functions_local_settings
from storyteller.local.home import make_private, private_umask
from storyteller.local.lambdas import LocalLambdas, route_moto_lambda_to
from storyteller.local.outbox import Outbox, emails_for
from storyteller.local.pipe import LocalBus, StreamPipe
from storyteller.local.resources import LocalResources, provision
from storyteller.local.retention import PRUNE_INTERVAL_SECONDS, Pruned, prune
from storyteller.local.state import LocalState, Restored
from storyteller.local.status_rule import RunStatusRule
from storyteller.local.store import DurableStore
from storyteller.local.write_ahead import Durability
from storyteller.mail import DeliveryStatus
from storyteller.models import StoryStatus
from storyteller.observability import LOG_FILE_VARIABLE
from storyteller.providers import factory
from storyteller.settings import Settings

log = logging.getLogger(__name__)

# No X-Ray daemon or CloudWatch here: tracing and EMF metrics off; handler logs go to the log file.
_LOCAL_POWERTOOLS = {
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
}
ENDPOINT_FILE = "endpoint"
# Where a running `storyteller up` serves the web pages (its --port), for the links other commands print.
PAGES_FILE = "pages"
# The pumps' thread names start with this (tests/contract/iam.py: they stand for Pipes and SNS, not us).
PUMP = "storyteller-pump"
# The most the pump (stream, outbox, ended runs) and a waiter sleep without being woken. They are woken
# by what concerns them (local/activity.py), so this only bounds a missed wake-up; each poll costs a few
# requests that race the flow for the interpreter (bench/orchestration.py: 0.01 s 1.13, 0.05 s 1.10,
# 0.2 s 1.08 times the critical path).
PUMP_INTERVAL_SECONDS = 0.2
# How long a stop waits for functions still running (interrupted narrations end in milliseconds; a provider
# waiting on the network may not, and the CLI then ends the process without it: storyteller/cli/main.py main).
DRAIN_SECONDS = 15.0
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
        self._pumps: list[threading.Thread] = []
        self._owns_log_variable = False
        self._prune_lock = threading.Lock()
        self.resources: LocalResources | None = None
        self.restored = Restored()
        self._umask: int | None = None

    def start(self) -> LocalRuntime:
        """Bring everything up and restore saved state; new stories flow from here on."""
        # The umask is the process's: set while the stack runs, restored when it stops.
        self._umask = private_umask()
        make_private(self.settings.home)
        self.store = DurableStore(self.settings.home)  # CorruptStateError, naming the file, before anything runs
        self.durability = Durability(
            self.store, self.settings.home / "media", self.settings.media_bucket, self.settings.aws_region
        )
        self.endpoint.durability = self.durability
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
        self.durability.loading.set()
        try:
            self.resources = provision(self.settings)
            self.state = LocalState(self.settings, self.store)
            self.restored = self.state.restore()
        finally:
            self.durability.loading.clear()
        ensure_default_family(self.settings)  # an install from before households becomes the default family
        self.store.keep_generation()  # this start's state is good: the way back if the file is ever damaged
        log.info(
            "restored %d stories and %d runs from %s", self.restored.stories, self.restored.runs, self.settings.home
        )
        self.bus = LocalBus(self.resources.state_machine_arn, self.settings.aws_region)
        self.pipe = StreamPipe(self.resources.stories_stream_arn, self.settings.aws_region, self.lambdas, self.bus)
        self.pipe.start_from_latest()
        self.status_rule = RunStatusRule(self.resources.state_machine_arn, self.settings.aws_region, self.lambdas)
        run_journal.install(self.store, on_end=self._run_ended)  # before any run starts or resumes
        self.outbox = Outbox(
            self.resources.outbox_queue_url, self.outbox_dir, self.settings, on_delivered=self.store.forget_message
        )
        self._recover()
        self.prune()
        wakeups = self.durability.wakeups
        self._pumps = [
            threading.Thread(target=self._pump, args=(wakeups.stream, self._move_stories), name=f"{PUMP}-stream"),
            threading.Thread(target=self._pump, args=(wakeups.outbox, self._deliver), name=f"{PUMP}-outbox"),
            threading.Thread(target=self._prune_daily, name="storyteller-retention"),
        ]
        for pump in self._pumps:
            pump.daemon = True
            pump.start()
        return self

    def prune(self, now: datetime | None = None) -> Pruned:
        """Forget expired and removed stories everywhere in STORYTELLER_HOME (storyteller/local/retention.py)."""
        with self._prune_lock:
            pruned = prune(self.settings, self.store, self.outbox_dir, self.log_file, now)
        if pruned.stories or pruned.emails or pruned.media or pruned.runs or pruned.log_lines:
            # Counts only: which stories they were is what is being forgotten.
            log.info(
                "forgot %d expired stories, %d emails, %d media files, %d runs, %d log lines",
                pruned.stories,
                pruned.emails,
                pruned.media,
                pruned.runs,
                pruned.log_lines,
            )
        return pruned

    def _prune_daily(self) -> None:
        while not self._stop.wait(PRUNE_INTERVAL_SECONDS):
            try:
                self.prune()
            except Exception:
                log.exception("pruning expired stories failed; trying again tomorrow")

    def _recover(self) -> None:
        """Finish what a kill interrupted: emails not yet written, stories whose run never started.

        Runs that were in flight came back FAILED ("interrupted by a stop"); the status rule marks their
        stories FAILED on its first poll, and `storyteller retry` or the console's Retry redrives them.
        """
        delivered = self.state.deliver_kept_messages(self.outbox)
        for arn in self.restored.interrupted:
            if self._finish_emailed(arn):
                self.restored.resumed.append(arn)
            else:
                log.warning("run %s was interrupted by a stop: it is shown FAILED; retry it to finish it", arn)
        if delivered:
            log.info("delivered %d email(s) the topic had accepted before the stop", delivered)
        if self.restored.unstarted:
            log.info("starting the runs of %d stored stories that never started one", len(self.restored.unstarted))
            self.pipe.deliver_items(self.restored.unstarted)

    def _finish_emailed(self, arn: str) -> bool:
        """A run stopped in Notify after SNS accepted its message: its email is out, so it goes on after Notify.

        Redriving it would publish again (SNS Publish has no idempotency key): a second email. Notify's
        ResultPath is null, so what it would have passed on is the input it was entered with.
        """
        assert self.resources is not None
        sfn = client("stepfunctions", self.settings.aws_region)
        definition = json.loads(
            sfn.describe_state_machine(stateMachineArn=self.resources.state_machine_arn)["definition"]
        )
        entered = run_journal.last_state_entered(self.store, arn, set(definition["States"]))
        if entered is None or entered[0] != NOTIFY_STATE:
            return False
        state_input = entered[1]
        if not emails_for(self.outbox_dir, str(state_input.get("id"))):
            return False  # SNS never acknowledged it: a retry publishes it, once
        after_notify = definition["States"][NOTIFY_STATE]["Next"]
        backend = stepfunctions_parser_backends[DEFAULT_ACCOUNT_ID][self.settings.aws_region]
        redrive.resume_at(backend, arn, after_notify, state_input)
        log.info("run %s was interrupted after its email went out: finishing it from %s", arn, after_notify)
        return True

    def stop(self) -> None:
        """Finish the pump, deliver what the topic already holds, stop the endpoint.

        Every acknowledged write is on disk already; runs still in flight come back FAILED at the next start.
        """
        self._stop.set()
        self.durability.wakeups.stopping()
        for pump in self._pumps:
            pump.join(timeout=10)
        # A message published just before stopping is kept on disk, but an email now is better than at the next start.
        while self.outbox.poll():
            pass
        # From here a run's progress is not recorded: one still in flight comes back "interrupted by a stop",
        # not failed by the interruption of its work below.
        run_journal.install(None)
        # A command must not end while a handler runs: a narration inside onnxruntime when the interpreter
        # exits aborts the process (SIGABRT, issue 32). Narrations are interrupted; the rest are waited for.
        self.lambdas.close()
        if interrupted := factory.interrupt():
            log.info("the stop interrupted %d narration(s) in progress", interrupted)
        if not self.lambdas.wait_idle(DRAIN_SECONDS):
            log.warning("a function was still running %.0f s into the stop; the process ends without it", DRAIN_SECONDS)
        self.endpoint_file.unlink(missing_ok=True)
        self.endpoint.stop()
        self.store.close()
        factory.use(None)
        if self._owns_log_variable:
            os.environ.pop(LOG_FILE_VARIABLE, None)
        if self._umask is not None:
            os.umask(self._umask)

    def __enter__(self) -> LocalRuntime:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def invoke(self, function_name: str, event: Any) -> Any:
        """Call a function as its trigger would; its failure comes back as FunctionFailedError."""
        body, errored, _ = self.lambdas.invoke(function_name, event)
        result = json.loads(body)
        if errored:
            raise FunctionFailedError(result["errorType"], result["errorMessage"])
        return result

    def create_story(self, scheduled_time: str | None = None, family_id: str | None = None) -> str:
        """What a family's nightly schedule does: run create_story; returns the new story's id.

        `scheduled_time` is the firing's `<aws.scheduler.scheduled-time>`: a firing delivered twice makes one story.
        """
        event = {"source": "storyteller.local", "familyId": family_id or names.DEFAULT_FAMILY}
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
        # Progress output follows every state; otherwise only a run's start, end and email matter.
        wakeups = self.durability.wakeups
        activity = wakeups.anything if on_state is not None else wakeups.news
        seen = activity.count
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
                    done = bool(emails) and self._mailed_everyone(story.id, story.familyId)
                else:  # an ended run is reported when its story says FAILED (or could not: a duplicate run)
                    done = execution_status != "RUNNING" and (
                        story.status is StoryStatus.FAILED or time.monotonic() > settled_by(execution)
                    )
                if done:
                    return RunOutcome(story_id, story.status, story.executionArn, execution_status, error, emails)
            seen = activity.wait(seen, PUMP_INTERVAL_SECONDS)
        story = stories.get(story_id)
        return RunOutcome(
            story_id,
            story.status if story else "MISSING",
            story.executionArn if story else None,
            execution_status,
            f"still not finished after {timeout:.0f} s",
            emails_for(self.outbox_dir, story_id),
        )

    def _mailed_everyone(self, story_id: str, family_id: str) -> bool:
        """Every recipient of the family has a settled Deliveries row: the mailer writes one .eml per
        recipient in turn, so the first file alone does not mean the story's emails are all out."""
        family = FamilyStore(self.settings).get(family_id)
        if family is None:
            return True
        rows = {row.recipient: row.status for row in DeliveryStore(self.settings).of_story(story_id)}
        return all(rows.get(address) not in (None, DeliveryStatus.SENDING) for address in family.recipients)

    def states_entered(self, execution_arn: str) -> list[str]:
        """Names of the states an execution has entered so far, in order."""
        sfn = client("stepfunctions", self.settings.aws_region)
        history = sfn.get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]
        return [event["stateEnteredEventDetails"]["name"] for event in history if "stateEnteredEventDetails" in event]

    def _run_ended(self, execution_arn: str, status: str) -> None:
        """Told by the engine's thread as a run ends: a failure is the status rule's to deliver."""
        if status in ENDED_WITHOUT_EMAIL:
            self.status_rule.ended(execution_arn)
            self.durability.wakeups.outbox.happened()
        self.durability.wakeups.reported()

    def _pump(self, work: Activity, step: Callable[[], None]) -> None:
        """Do `step` at each wake-up of `work` (or at the interval), until the runtime stops."""
        seen = work.count
        while not self._stop.is_set():
            try:
                step()
            except Exception:
                log.exception("local pump failed; retrying")
            seen = work.wait(seen, PUMP_INTERVAL_SECONDS)

    def _move_stories(self) -> None:
        """Stream → pipe → bus → state machine."""
        if self.pipe.poll():
            self.durability.wakeups.anything.happened()  # a run started: for progress output only

    def _deliver(self) -> None:
        """Topic → outbox; ended runs → run_status."""
        if self.outbox.poll() + self.status_rule.poll():
            self.durability.wakeups.reported()  # for wait_for_story: an email written, a failure marked


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
