"""How long a provider call can take at worst, with its client's own retries: the sums the timeouts must hold.

A Lambda that outlives its own timeout dies without a readable error, and a Step Functions task that
outlives its TimeoutSeconds fails as a bare States.Timeout. So each call's worst case must fit its
function's timeout, and each function's timeout its task's (a test checks both on the synthesized template).
"""

from __future__ import annotations

from typing import Any

# openai-python: exponential backoff from 0.5 s, each wait capped at 8 s (openai._constants.MAX_RETRY_DELAY).
OPENAI_MAX_RETRY_DELAY_SECONDS = 8.0
# botocore's "standard" retry mode: each wait is at most 20 s (botocore.retries.standard._MAX_BACKOFF).
BOTOCORE_MAX_BACKOFF_SECONDS = 20.0


def openai_call_seconds(timeout_seconds: float, max_retries: int) -> float:
    """One OpenAI request, every try timing out, with the longest waits between tries."""
    return timeout_seconds * (max_retries + 1) + OPENAI_MAX_RETRY_DELAY_SECONDS * max_retries


def aws_call_seconds(config: Any) -> float:
    """One boto3 call under a botocore Config: each attempt connects and reads to its limit."""
    attempts = int(config.retries["max_attempts"])
    per_attempt = float(config.connect_timeout) + float(config.read_timeout)
    return per_attempt * attempts + BOTOCORE_MAX_BACKOFF_SECONDS * (attempts - 1)
