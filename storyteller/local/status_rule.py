"""The rule on the state machine's status changes, locally: an ended run's event goes to `run_status`.

AWS emits "Step Functions Execution Status Change" events by itself; moto's engine emits none, so this
adapter hands each run that ended without its email, in the same event shape, to the same function the
AWS rule targets. It hears the ends of the runs moto's engine makes (`ended`, from run_journal) and also
lists every ended run now and then: after a restart (runs a stop interrupted end FAILED without
running) and for an engine outside this process (Step Functions Local). Listing at every poll cost
three requests each time, a fifth of the pump's work.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from storyteller import names
from storyteller.dal.aws import client
from storyteller.flow.run_outcome import ENDED_WITHOUT_EMAIL, status_change_event
from storyteller.local.lambdas import LocalLambdas

log = logging.getLogger(__name__)
SWEEP_SECONDS = 2.0  # how often every ended run is listed; runs heard ending are delivered at once


class RunStatusRule:
    """Delivers each ended run once per ending (a redrive that fails again ends again)."""

    def __init__(self, state_machine_arn: str, region: str, lambdas: LocalLambdas) -> None:
        self._state_machine_arn = state_machine_arn
        self._region = region
        self._lambdas = lambdas
        self._delivered: set[tuple[str, str]] = set()
        self._heard: list[str] = []
        self._heard_lock = threading.Lock()
        self._next_sweep = 0.0  # the first poll lists everything

    def ended(self, execution_arn: str) -> None:
        """A run ended (its status is set); thread-safe, called by the engine's thread."""
        with self._heard_lock:
            self._heard.append(execution_arn)

    def poll(self) -> int:
        """Deliver what ended since the last poll; returns how many were delivered."""
        with self._heard_lock:
            heard, self._heard = self._heard, []
        if time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + SWEEP_SECONDS
            return self._sweep()
        sfn = client("stepfunctions", self._region)
        delivered = 0
        for arn in dict.fromkeys(heard):
            execution = sfn.describe_execution(executionArn=arn)
            if execution["status"] in ENDED_WITHOUT_EMAIL and self._deliver_once(execution):
                delivered += 1
        return delivered

    def _sweep(self) -> int:
        sfn = client("stepfunctions", self._region)
        delivered = 0
        for status in ENDED_WITHOUT_EMAIL:
            pages = sfn.get_paginator("list_executions").paginate(
                stateMachineArn=self._state_machine_arn, statusFilter=status
            )
            for page in pages:
                for summary in page["executions"]:
                    if (summary["executionArn"], str(summary.get("stopDate"))) in self._delivered:
                        continue
                    if self._deliver_once(sfn.describe_execution(executionArn=summary["executionArn"])):
                        delivered += 1
        return delivered

    def _deliver_once(self, execution: dict[str, Any]) -> bool:
        ending = (execution["executionArn"], str(execution.get("stopDate")))
        if ending in self._delivered:
            return False
        self._deliver(execution)
        self._delivered.add(ending)
        return True

    def _deliver(self, execution: dict[str, Any]) -> None:
        body, errored, _ = self._lambdas.invoke(names.RUN_STATUS_FUNCTION, status_change_event(execution))
        if errored:
            log.warning("run_status failed for %s: %s", execution["executionArn"], body[:300])
