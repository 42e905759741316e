"""Runs outlive the process: each execution and each history event is in the state file as it happens.

moto's engine keeps executions in memory. Here every StartExecution is recorded before it is answered
and every history event as it is published, so after a restart the console lists past runs with
their histories, and a run that was in flight when the process died comes back FAILED with the cause
"interrupted by a stop": visible, and retryable with RedriveExecution like any failed run. Whoever
installed the journal also hears each run's end, its status set (the local status rule).
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.core.utils import iso_8601_datetime_with_milliseconds
from moto.stepfunctions.parser.api import ExecutionStatus, HistoryEventType
from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication, Execution
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.models import stepfunctions_parser_backends

from storyteller.flow.run_outcome import INTERRUPTED_CAUSE, INTERRUPTED_ERROR
from storyteller.local.store import DurableStore

log = logging.getLogger(__name__)


_ENDINGS = {
    HistoryEventType.ExecutionSucceeded: (ExecutionStatus.SUCCEEDED, "executionSucceededEventDetails"),
    HistoryEventType.ExecutionFailed: (ExecutionStatus.FAILED, "executionFailedEventDetails"),
    HistoryEventType.ExecutionAborted: (ExecutionStatus.ABORTED, "executionAbortedEventDetails"),
    HistoryEventType.ExecutionTimedOut: (ExecutionStatus.TIMED_OUT, "executionTimedOutEventDetails"),
}
_ARN_ATTRIBUTE = "_storyteller_execution_arn"
_store: DurableStore | None = None
_on_end: Callable[[str, str], None] | None = None
_installed = False


def install(store: DurableStore | None, on_end: Callable[[str, str], None] | None = None) -> None:
    """Record runs in `store` from now on (None: stop recording); tell `on_end` each ended run's ARN and status.

    The engine is patched once per process.
    """
    global _store, _on_end, _installed
    _store, _on_end = store, on_end
    if _installed:
        return
    _installed = True
    start = Execution.start
    terminated = BaseExecutionWorkerCommunication.terminated
    environment = ExecutionWorker._get_evaluation_environment
    publish = EventManager._publish_history_event

    def recorded_start(self: Execution) -> None:
        # Listed from the moment it is in the machine's list: status first, then the (fsynced) record.
        self.exec_status = ExecutionStatus.RUNNING
        if _store is not None:  # before its worker runs: no event is ever recorded for an unknown run
            _store.put_execution(self.exec_arn, _record(self))
        start(self)

    def labelled_environment(self: ExecutionWorker) -> Any:
        env = environment(self)
        setattr(env.event_manager, _ARN_ATTRIBUTE, self._evaluation_details.execution_details.arn)
        return env

    def recorded_publish(self: EventManager, **kwargs: Any) -> None:
        publish(self, **kwargs)
        arn = getattr(self, _ARN_ATTRIBUTE, None)
        if _store is not None and arn is not None:
            _store.add_event(arn, dict(self._history_event_list[-1]))

    def heard_end(self: BaseExecutionWorkerCommunication) -> None:
        terminated(self)  # the execution's status, stop date and error are set here
        listener = _on_end
        if listener is not None:
            listener(self.execution.exec_arn, ExecutionStatus(self.execution.exec_status).value)

    Execution.start = recorded_start  # type: ignore[method-assign]
    BaseExecutionWorkerCommunication.terminated = heard_end  # type: ignore[method-assign]
    ExecutionWorker._get_evaluation_environment = labelled_environment  # type: ignore[method-assign]
    EventManager._publish_history_event = recorded_publish  # type: ignore[method-assign,assignment]


def _record(execution: Execution) -> dict[str, Any]:
    return {
        "arn": execution.exec_arn,
        "name": execution.name,
        "stateMachineArn": execution.state_machine.arn,
        "input": json.dumps(execution.input_data),
        "startDate": execution.start_date.isoformat(),
    }


class _Recorded:
    """Stands in for the worker of a run restored from disk: it holds the history, and runs nothing."""

    def __init__(self, arn: str, events: list[dict[str, Any]]) -> None:
        manager = EventManager()
        manager._history_event_list.extend(events)  # type: ignore[arg-type]
        setattr(manager, _ARN_ATTRIBUTE, arn)
        self.env = type("RecordedEnvironment", (), {"event_manager": manager})()

    def stop(self, **_: Any) -> None:
        """Nothing runs, so nothing to stop."""


def restore(store: DurableStore, region: str) -> list[str]:
    """Put recorded runs back in the engine; those that were in flight end FAILED. Returns their ARNs."""
    backend: Any = stepfunctions_parser_backends[DEFAULT_ACCOUNT_ID][region]
    interrupted: list[str] = []
    for record in sorted(store.executions(), key=lambda found: str(found["startDate"])):
        try:
            state_machine: Any = backend.describe_state_machine(record["stateMachineArn"])
        except Exception:  # noqa: BLE001 - moto's StateMachineDoesNotExist: the run's machine is gone
            log.warning("run %s belongs to a state machine that no longer exists; not restored", record["arn"])
            continue
        events = store.events(record["arn"])
        execution = Execution(
            name=record["name"],
            sm_type=state_machine.sm_type,
            role_arn=state_machine.roleArn,
            exec_arn=record["arn"],
            account_id=DEFAULT_ACCOUNT_ID,
            region_name=region,
            state_machine=state_machine,
            start_date=datetime.datetime.fromisoformat(record["startDate"]),
            cloud_watch_logging_session=None,
            activity_store={},
            input_data=record["input"],
        )
        if not events or events[-1]["type"] not in _ENDINGS:
            events.append(_interruption(events))
            store.add_event(record["arn"], events[-1])
            interrupted.append(record["arn"])
        _end(execution, events)
        execution.exec_worker = _Recorded(record["arn"], events)  # type: ignore[assignment]
        state_machine.executions.append(execution)
    return interrupted


def last_state_entered(store: DurableStore, arn: str, top_level: set[str]) -> tuple[str, Any] | None:
    """The last top-level state a recorded run entered, with the input it entered with."""
    for event in reversed(store.events(arn)):
        entered = event.get("stateEnteredEventDetails")
        if entered and entered["name"] in top_level:
            return entered["name"], json.loads(entered.get("input") or "{}")
    return None


def _interruption(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": len(events) + 1,
        "previousEventId": events[-1]["id"] if events else 0,
        "type": HistoryEventType.ExecutionFailed,
        "timestamp": iso_8601_datetime_with_milliseconds(datetime.datetime.now(datetime.UTC)),
        "executionFailedEventDetails": {"error": INTERRUPTED_ERROR, "cause": INTERRUPTED_CAUSE},
    }


def _end(execution: Execution, events: list[dict[str, Any]]) -> None:
    last = events[-1]
    status, details_key = _ENDINGS[last["type"]]
    details = last.get(details_key, {})
    execution.exec_status = status
    execution.stop_date = _moment(last["timestamp"])
    if status is ExecutionStatus.SUCCEEDED:
        execution.output = json.loads(details.get("output") or "null")
    execution.error = details.get("error")
    execution.cause = details.get("cause")
    redrives = [event for event in events if event["type"] == HistoryEventType.ExecutionRedriven]
    if redrives:
        execution.redrive_count = len(redrives)  # type: ignore[attr-defined]
        execution.redrive_date = _moment(redrives[-1]["timestamp"])  # type: ignore[attr-defined]


def _moment(timestamp: Any) -> datetime.datetime:
    moment = datetime.datetime.fromisoformat(str(timestamp).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)
