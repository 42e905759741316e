"""Deadlines for provider calls: each call gets the time its function has left, never a fixed budget.

A Lambda that outlives its own timeout dies without a readable error (and create_story's firing is not
retried), and a Step Functions task that outlives its TimeoutSeconds fails as a bare States.Timeout. So a
handler makes a Deadline from its context (the remaining time, minus a margin to store the result and
answer), and every provider call is given what is left of it: its per-try timeout and retries shrink to fit,
and a call that cannot fit at all is not started. Either way the function ends with ProviderUnavailableError,
a clear and retryable failure, before Lambda would stop it. Three drafts with their moderation therefore
always fit create_story, however slow OpenAI is; a test checks it with a slow fake over real HTTP.
"""

from __future__ import annotations

import math
import time
from typing import Any, Protocol

from storyteller.errors import ProviderUnavailableError

# openai-python: exponential backoff from 0.5 s, each wait capped at 8 s (openai._constants.MAX_RETRY_DELAY).
OPENAI_MAX_RETRY_DELAY_SECONDS = 8.0
# openai-python honours a server's Retry-After up to two minutes; our client caps every wait at the delay above
# (storyteller/providers/openai_client.py), so this sum holds for throttled calls too.
# botocore's "standard" retry mode: each wait is at most 20 s (botocore.retries.standard._MAX_BACKOFF).
BOTOCORE_MAX_BACKOFF_SECONDS = 20.0
# botocore's defaults: three tries in all ("standard" mode), 60 s to connect and to read.
BOTOCORE_DEFAULT_ATTEMPTS = 3
BOTOCORE_DEFAULT_TIMEOUT_SECONDS = 60.0


def openai_call_seconds(timeout_seconds: float, max_retries: int) -> float:
    """One OpenAI request, every try timing out, with the longest waits between tries."""
    return timeout_seconds * (max_retries + 1) + OPENAI_MAX_RETRY_DELAY_SECONDS * max_retries


def aws_call_seconds(config: Any) -> float:
    """One boto3 call under a botocore Config (or a client's `meta.config`): each try connects and reads to
    its limit, with the longest waits between tries."""
    retries = config.retries or {}
    if "total_max_attempts" in retries:  # how a client's own config says it
        attempts = int(retries["total_max_attempts"])
    elif "max_attempts" in retries:  # botocore counts these after the first try
        attempts = int(retries["max_attempts"]) + 1
    else:
        attempts = BOTOCORE_DEFAULT_ATTEMPTS
    connect = float(config.connect_timeout or BOTOCORE_DEFAULT_TIMEOUT_SECONDS)
    read = float(config.read_timeout or BOTOCORE_DEFAULT_TIMEOUT_SECONDS)
    return (connect + read) * attempts + BOTOCORE_MAX_BACKOFF_SECONDS * (attempts - 1)


# What a function keeps after its last provider call: the store's write (a DynamoDB put, an S3 upload of a
# picture or an MP3 takes well under a second) and its answer, with room for a slow moment.
ANSWER_MARGIN_SECONDS = 10.0
# A try shorter than this cannot return a story or a picture; better a clear error now than a sure timeout.
SHORTEST_TRY_SECONDS = 15.0


class RemainingTime(Protocol):
    """The part of Lambda's context a deadline needs (the local runtime's context has it too)."""

    def get_remaining_time_in_millis(self) -> int: ...


class Deadline:
    """The moment a function's provider calls must have ended by."""

    def __init__(self, seconds: float, shortest_try: float = SHORTEST_TRY_SECONDS) -> None:
        self._ends = time.monotonic() + seconds
        self.shortest_try = shortest_try

    @classmethod
    def from_context(
        cls, context: RemainingTime, margin: float = ANSWER_MARGIN_SECONDS, shortest_try: float = SHORTEST_TRY_SECONDS
    ) -> Deadline:
        """Lambda's remaining time, less the margin to store and answer."""
        return cls(context.get_remaining_time_in_millis() / 1000 - margin, shortest_try)

    @classmethod
    def unbounded(cls) -> Deadline:
        """No deadline (a CLI, a test): every call keeps its configured timeout and retries."""
        return cls(math.inf)

    def remaining(self) -> float:
        """Seconds left; negative once passed."""
        return self._ends - time.monotonic()

    def out_of_time(self, action: str) -> ProviderUnavailableError:
        """The error for a call that no longer fits: retryable, and saying why."""
        return ProviderUnavailableError(
            f"out of time before {action}: {max(self.remaining(), 0.0):.0f} s left of the function's deadline "
            "(a slow provider used the rest); retry"
        )

    def require(self, seconds: float, action: str) -> None:
        """Raise `out_of_time` unless a call that may take `seconds` ends before the deadline."""
        if seconds > self.remaining():
            raise self.out_of_time(action)


def openai_call_limits(remaining: float, timeout: float, max_retries: int, shortest_try: float) -> tuple[float, int]:
    """A per-try timeout and retries whose worst case (`openai_call_seconds`) ends within `remaining`.

    The configured ones when they fit; else fewer retries, each try still at least `shortest_try` (or the
    configured timeout, if shorter). (0, 0) when not even one such try fits.
    """
    useful = min(shortest_try, timeout)  # a client configured shorter than that keeps its own timeout
    for retries in range(max_retries, -1, -1):
        per_try = min(timeout, (remaining - OPENAI_MAX_RETRY_DELAY_SECONDS * retries) / (retries + 1))
        if per_try >= useful:
            return per_try, retries
    return 0.0, 0
