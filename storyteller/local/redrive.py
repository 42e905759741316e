"""Step Functions' RedriveExecution for moto's engine, so the console and CLI call one API everywhere.

moto runs the real ASL but has no redrive. This adds the operation with AWS's contract: only a
FAILED, TIMED_OUT or ABORTED execution can be redriven; it keeps its ARN, its history grows by an
`ExecutionRedriven` event and the re-run's events, and `redriveCount` counts the redrives. The run
resumes at the last top-level state that was entered, with the input that state received, so
finished states before it are not run again (Claim is not re-claimed) and SaveMedia's condition
keeps the email single. As in AWS, a resumed Parallel re-runs only the branches that had not
finished: a finished one gives the output it gave before, with no events and no call.
"""

from __future__ import annotations

import datetime
import json
import threading
import time
from typing import Any

from moto.core.exceptions import AWSError
from moto.core.responses import ActionResult
from moto.stepfunctions.parser.api import ExecutionStatus, HistoryEventType
from moto.stepfunctions.parser.asl.eval.evaluation_details import EvaluationDetails, ExecutionDetails
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.models import StepFunctionsParserBackend
from moto.stepfunctions.responses import StepFunctionResponse

REDRIVABLE = {ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.ABORTED}
# AWS answers a repeated clientToken with the first answer for 15 minutes, for the last 10 tokens of a run:
# an SDK retry of a redrive whose answer was lost must not redrive (and email) twice.
CLIENT_TOKEN_SECONDS = 15 * 60
CLIENT_TOKENS_KEPT = 10
_redrive_lock = threading.Lock()


class ExecutionNotRedrivable(AWSError):  # noqa: N818 - AWS's own error name, which clients match on
    TYPE = "ExecutionNotRedrivable"
    STATUS = 400


# A finished branch is replaced by one Pass state of this name that gives its output; its events are dropped.
KEPT_BRANCH = "Storyteller.KeptBranch"


class _ResumingWorker(ExecutionWorker):
    """Runs the definition from `resume_state`, after the first run's events."""

    def __init__(
        self,
        *,
        previous: list[dict[str, Any]],
        resume_state: str,
        redrive_count: int,
        finished_branches: dict[int, Any],
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        self._previous = previous
        self._resume_state = resume_state
        self._redrive_count = redrive_count
        self._finished_branches = finished_branches

    def _get_evaluation_entrypoint(self) -> Any:
        definition = json.loads(self._evaluation_details.state_machine_details.definition)
        definition["StartAt"] = self._resume_state
        for index, output in self._finished_branches.items():
            kept = f"{KEPT_BRANCH}.{index}"
            branch = {"StartAt": kept, "States": {kept: {"Type": "Pass", "Result": output, "End": True}}}
            definition["States"][self._resume_state]["Branches"][index] = branch
        return AmazonStateLanguageParser.parse(json.dumps(definition))[0]

    def _execution_logic(self) -> None:
        program = self._get_evaluation_entrypoint()
        self.env = self._get_evaluation_environment()
        manager: Any = self.env.event_manager
        _drop_kept_branch_events(manager)
        manager._history_event_list.extend(self._previous)
        manager._event_id_gen._next_id = len(self._previous) + 1
        context = self.env.event_history_context
        context.source_event_id = context.last_published_event_id = len(self._previous)
        details: Any = {"executionRedrivenEventDetails": {"redriveCount": self._redrive_count}}
        manager.add_event(context=context, event_type=HistoryEventType.ExecutionRedriven, event_details=details)
        program.eval(self.env)
        self._execution_communication.terminated()


def _drop_kept_branch_events(manager: Any) -> None:
    """A kept branch leaves no trace in the history, as a branch AWS does not redrive leaves none."""
    publish = manager.add_event

    def add_event(context: Any, event_type: Any, event_details: Any = None, *args: Any, **kwargs: Any) -> int:
        named = [detail.get("name", "") for detail in (event_details or {}).values() if isinstance(detail, dict)]
        if any(str(name).startswith(KEPT_BRANCH) for name in named):
            return int(context.last_published_event_id)
        return int(publish(context, event_type, event_details, *args, **kwargs))

    manager.add_event = add_event


def finished_branches(definition: dict[str, Any], state: str, history: list[dict[str, Any]]) -> dict[int, Any]:
    """The branches of the Parallel `state` whose last state has exited, by index, with their output."""
    parallel = definition["States"].get(state, {})
    if parallel.get("Type") != "Parallel":
        return {}
    # State names are unique across a whole state machine, branches included.
    exited = {
        event["stateExitedEventDetails"]["name"]: event["stateExitedEventDetails"].get("output")
        for event in history
        if "stateExitedEventDetails" in event
    }
    finished: dict[int, Any] = {}
    for index, branch in enumerate(parallel["Branches"]):
        ends = [name for name, body in branch["States"].items() if body.get("End") or body["Type"] == "Succeed"]
        outputs = [exited[name] for name in ends if name in exited]
        if outputs:
            finished[index] = json.loads(outputs[0] or "null")
    return finished


def _resume_point(execution: Any, history: list[dict[str, Any]]) -> tuple[str, Any]:
    definition = json.loads(execution.state_machine.definition)
    top_level = set(definition["States"])
    for event in reversed(history):
        entered = event.get("stateEnteredEventDetails")
        if entered and entered["name"] in top_level:
            return entered["name"], json.loads(entered.get("input") or "{}")
    # Stopped before its first state (locally: a kill right after StartExecution): it starts from the start.
    return definition["StartAt"], execution.input_data


def redrive_execution(
    self: StepFunctionsParserBackend, execution_arn: str, client_token: str | None = None
) -> datetime.datetime:
    """The backend half: check, then resume the same execution in a new worker (once per client token)."""
    with _redrive_lock:
        execution: Any = self.describe_execution(execution_arn)
        tokens: dict[str, tuple[float, datetime.datetime]] = getattr(execution, "redrive_tokens", {})
        now = time.monotonic()
        tokens = {t: seen for t, seen in tokens.items() if now - seen[0] < CLIENT_TOKEN_SECONDS}
        if client_token is not None and client_token in tokens:
            return tokens[client_token][1]
        redrive_date = _redrive(execution, execution_arn)
        if client_token is not None:
            tokens[client_token] = (now, redrive_date)
            execution.redrive_tokens = dict(sorted(tokens.items(), key=lambda kept: kept[1][0])[-CLIENT_TOKENS_KEPT:])
        return redrive_date


def resume_at(backend: StepFunctionsParserBackend, execution_arn: str, state: str, state_input: Any) -> None:
    """Redrive from a state of our choosing: recovery, when the history ends before what is known to be done."""
    with _redrive_lock:
        _redrive(backend.describe_execution(execution_arn), execution_arn, (state, state_input))


def _redrive(execution: Any, execution_arn: str, resume: tuple[str, Any] | None = None) -> datetime.datetime:
    if execution.exec_status not in REDRIVABLE:
        raise ExecutionNotRedrivable(
            f"Execution '{execution_arn}' is {execution.status}: only a failed, timed-out"
            " or aborted execution can be redriven"
        )
    history: list[dict[str, Any]] = list(execution.to_history_output()["events"])
    resume_state, resume_input = resume or _resume_point(execution, history)
    count = getattr(execution, "redrive_count", 0) + 1
    started = execution.get_start_execution_details()
    details = ExecutionDetails(
        arn=started.arn, name=started.name, role_arn=started.role_arn, inpt=resume_input, start_time=started.start_time
    )
    definition = json.loads(execution.state_machine.definition)
    worker: Any = _ResumingWorker(
        previous=history,
        resume_state=resume_state,
        redrive_count=count,
        finished_branches=finished_branches(definition, resume_state, history),
        evaluation_details=EvaluationDetails(
            aws_execution_details=execution._get_start_aws_execution_details(),
            execution_details=details,
            state_machine_details=execution.get_start_state_machine_details(),
        ),
        exec_comm=execution._get_start_execution_worker_comm(),
        cloud_watch_logging_session=None,
        activity_store={},
    )
    redrive_date = datetime.datetime.now(tz=datetime.UTC)
    execution.redrive_count = count
    execution.redrive_date = redrive_date
    execution.exec_worker = worker
    execution.exec_status = ExecutionStatus.RUNNING
    execution.error = execution.cause = execution.stop_date = None
    worker.start()
    return redrive_date


def _respond_redrive(self: StepFunctionResponse) -> ActionResult:
    backend: Any = self.stepfunction_backend
    arn, token = self._get_param("executionArn"), self._get_param("clientToken")
    return ActionResult({"redriveDate": backend.redrive_execution(arn, token)})


_describe_execution = StepFunctionResponse.describe_execution


def _describe_with_redrives(self: StepFunctionResponse) -> ActionResult:
    described = _describe_execution(self)
    execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
    body = described.result
    assert isinstance(body, dict)
    body["redriveCount"] = getattr(execution, "redrive_count", 0)
    if hasattr(execution, "redrive_date"):
        body["redriveDate"] = execution.redrive_date
    redrivable = execution.status in {status.value for status in REDRIVABLE}
    body["redriveStatus"] = "REDRIVABLE" if redrivable else "NOT_REDRIVABLE"
    return described


def install() -> None:
    """Add RedriveExecution (and the redrive fields of DescribeExecution) to moto; idempotent."""
    StepFunctionsParserBackend.redrive_execution = redrive_execution  # type: ignore[attr-defined]
    StepFunctionResponse.redrive_execution = _respond_redrive  # type: ignore[attr-defined]
    StepFunctionResponse.describe_execution = _describe_with_redrives  # type: ignore[method-assign]
