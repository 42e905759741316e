"""Waiting for a local stack to be idle: how a test proves that nothing more is going to happen."""

from __future__ import annotations

import time

from storyteller.dal.aws import client
from storyteller.local.runtime import LocalRuntime

POLL = 0.05


def wait_until_idle(runtime: LocalRuntime, timeout: float = 60.0) -> None:
    """Wait until no run is running and every published message is in the outbox.

    After this, the outbox holds every email the runs so far will ever send: a sleep only hopes so.
    """
    assert runtime.resources is not None
    deadline = time.monotonic() + timeout
    sfn = client("stepfunctions", runtime.settings.aws_region)
    sqs = client("sqs", runtime.settings.aws_region)
    queue = runtime.resources.outbox_queue_url
    while time.monotonic() < deadline:
        running = sfn.list_executions(
            stateMachineArn=runtime.resources.state_machine_arn, statusFilter="RUNNING", maxResults=1
        )["executions"]
        counts = sqs.get_queue_attributes(
            QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        waiting = int(counts["ApproximateNumberOfMessages"]) + int(counts["ApproximateNumberOfMessagesNotVisible"])
        # SNS hands a message to the queue before Publish returns, and the outbox deletes it only once
        # its .eml is written: an empty queue after the last run means every email is in the folder.
        if not running and not waiting:
            return
        time.sleep(POLL)
    raise AssertionError(f"the stack did not settle in {timeout} s")
