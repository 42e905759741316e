"""boto3 clients for the configured region; `AWS_ENDPOINT_URL` (boto3's own setting) picks local."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=60)


@lru_cache(maxsize=32)
def client(service: str, region: str) -> Any:
    """A client per service and region, made once: creating one costs ~50 ms and is thread-safe to share."""
    return boto3.session.Session().client(service, region_name=region, config=_CONFIG)


def reset_clients() -> None:
    """Forget cached clients, after the endpoint changed (tests, local runtime restarts)."""
    client.cache_clear()
