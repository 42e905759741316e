"""The rule on the state machine's status changes, locally: an ended run's event goes to `run_status`.

AWS emits "Step Functions Execution Status Change" events by itself; moto's engine emits none, so this
adapter looks for runs that ended without their email since it last looked and hands each one, in the
same event shape, to the same function the AWS rule targets.
"""

from __future__ import annotations

import logging
from typing import Any

from storyteller import names
from storyteller.dal.aws import client
from storyteller.local.lambdas import LocalLambdas
from storyteller.run_outcome import ENDED_WITHOUT_EMAIL, status_change_event

log = logging.getLogger(__name__)


class RunStatusRule:
    """Delivers each ended run once per ending (a redrive that fails again ends again)."""

    def __init__(self, state_machine_arn: str, region: str, lambdas: LocalLambdas) -> None:
        self._state_machine_arn = state_machine_arn
        self._region = region
        self._lambdas = lambdas
        self._delivered: set[tuple[str, str]] = set()

    def poll(self) -> int:
        """Deliver what ended since the last poll; returns how many were delivered."""
        sfn = client("stepfunctions", self._region)
        delivered = 0
        for status in ENDED_WITHOUT_EMAIL:
            pages = sfn.get_paginator("list_executions").paginate(
                stateMachineArn=self._state_machine_arn, statusFilter=status
            )
            for page in pages:
                for summary in page["executions"]:
                    ending = (summary["executionArn"], str(summary.get("stopDate")))
                    if ending in self._delivered:
                        continue
                    self._deliver(sfn.describe_execution(executionArn=summary["executionArn"]))
                    self._delivered.add(ending)
                    delivered += 1
        return delivered

    def _deliver(self, execution: dict[str, Any]) -> None:
        body, errored, _ = self._lambdas.invoke(names.RUN_STATUS_FUNCTION, status_change_event(execution))
        if errored:
            log.warning("run_status failed for %s: %s", execution["executionArn"], body[:300])
