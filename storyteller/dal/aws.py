"""boto3 clients for the configured region; `AWS_ENDPOINT_URL` (boto3's own setting) picks local."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=5, read_timeout=60)
# Presigned media links: SigV4 always. In AWS on the bucket's regional virtual host — the global host
# answers 307 for a new bucket (outside the page's CSP) and is SigV2 in us-east-1, which new buckets refuse.
# A local endpoint (an IP and port) only understands path style.
_S3_IN_AWS = _CONFIG.merge(
    Config(signature_version="s3v4", s3={"addressing_style": "virtual", "us_east_1_regional_endpoint": "regional"})
)
_S3_LOCAL = _CONFIG.merge(Config(signature_version="s3v4", s3={"addressing_style": "path"}))
# Polly answers a chunk in seconds: shorter reads and fewer tries keep a whole call inside the narration
# function's timeout (storyteller/providers/budgets.py; a test holds the sum to the template's timeouts).
_POLLY = _CONFIG.merge(Config(retries={"mode": "standard", "max_attempts": 3}, read_timeout=30))


def _endpoint_override(service: str) -> bool:
    """Whether boto3 will send this service to an endpoint of our choosing rather than AWS's."""
    return bool(os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or os.environ.get("AWS_ENDPOINT_URL"))


def config_for(service: str) -> Config:
    """The client config for a service, given where its endpoint is."""
    if service == "s3":
        return _S3_LOCAL if _endpoint_override(service) else _S3_IN_AWS
    if service == "polly":
        return _POLLY
    return _CONFIG


@lru_cache(maxsize=32)
def client(service: str, region: str) -> Any:
    """A client per service and region, made once: creating one costs ~50 ms and is thread-safe to share."""
    return boto3.session.Session().client(service, region_name=region, config=config_for(service))


def reset_clients() -> None:
    """Forget cached clients, after the endpoint changed (tests, local runtime restarts)."""
    client.cache_clear()
