"""The OpenAI client: its key, its endpoint, its retries, and what its errors mean to Step Functions."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import httpx2
import openai
from botocore.exceptions import BotoCoreError, ClientError

from storyteller.dal.aws import client as aws_client
from storyteller.errors import ProviderError, ProviderUnavailableError
from storyteller.providers.budgets import OPENAI_MAX_RETRY_DELAY_SECONDS, Deadline, openai_call_limits
from storyteller.settings import Settings

# Secret strings may be the bare key or JSON holding it under one of these names.
SECRET_KEY_FIELDS = ("OPENAI_API_KEY", "openai_api_key", "apiKey", "api_key")
# OpenAI's error bodies can be long; the execution history's Cause should stay one readable line.
MESSAGE_CHARS = 300
_NOT_RETRYABLE_AWS = {
    "ResourceNotFoundException",
    "AccessDeniedException",
    "DecryptionFailure",
    "InvalidRequestException",
}


def openai_client(settings: Settings) -> openai.OpenAI:
    """A client for this process; a missing key is one clear ProviderError, before any request."""
    return _client(
        api_key(settings),
        endpoint(settings.openai_base_url),
        settings.openai_timeout_seconds,
        settings.openai_max_retries,
    )


def endpoint(base_url: str | None) -> str | None:
    """The base URL with the API's `/v1` path, whether the setting has it or not (None: OpenAI's own)."""
    if not base_url or not base_url.strip():
        return None
    url = base_url.strip().rstrip("/")
    return url if url.endswith("/v1") else f"{url}/v1"


def api_key(settings: Settings) -> str:
    """The key from `OPENAI_API_KEY`, else from the Secrets Manager secret named in settings."""
    if settings.openai_api_key is not None:
        return settings.openai_api_key.get_secret_value().strip()
    if settings.openai_secret_name:
        return _secret_key(settings.openai_secret_name, settings.aws_region)
    raise ProviderError(
        "no OpenAI API key: set OPENAI_API_KEY (locally) or STORYTELLER_OPENAI_SECRET_NAME to a "
        "Secrets Manager secret holding it (in AWS), or choose the offline providers"
    )


def reset_openai_clients() -> None:
    """Forget cached clients and secrets (tests; a rotated key is otherwise picked up at the next cold start)."""
    _client.cache_clear()
    _secret_key.cache_clear()


@lru_cache(maxsize=8)
def _client(key: str, base_url: str | None, timeout: float, max_retries: int) -> openai.OpenAI:
    # One client per process: it keeps its connection pool across warm Lambda invocations.
    return _QuotaAwareOpenAI(api_key=key, base_url=base_url, timeout=timeout, max_retries=max_retries)


class _QuotaAwareOpenAI(openai.OpenAI):
    """The SDK retries every 429; an exhausted quota is a billing state, and retrying only delays the error.

    It also waits as long as a Retry-After asks (up to two minutes); ours waits at most the backoff's own
    cap, so a call's worst case is what storyteller/providers/budgets.py adds up and its deadline allows.
    """

    def _should_retry(self, response: httpx2.Response) -> bool:
        if response.status_code == 429 and _quota_exhausted(response):
            return False
        return super()._should_retry(response)

    def _calculate_retry_timeout(
        self, remaining_retries: int, options: Any, response_headers: httpx2.Headers | None = None
    ) -> float:
        wait = super()._calculate_retry_timeout(remaining_retries, options, response_headers)
        return min(wait, OPENAI_MAX_RETRY_DELAY_SECONDS)


def within(client: openai.OpenAI, deadline: Deadline, action: str) -> openai.OpenAI:
    """The client for one call that must end by the deadline: its per-try timeout and retries cut to fit.

    Raises the deadline's retryable ProviderUnavailableError when not even one useful try fits.
    """
    remaining = deadline.remaining()
    if math.isinf(remaining):
        return client
    configured = float(client.timeout) if isinstance(client.timeout, int | float) else math.inf  # ours: a float
    timeout, retries = openai_call_limits(remaining, configured, client.max_retries, deadline.shortest_try)
    if timeout <= 0:
        raise deadline.out_of_time(action)
    # A copy shares the client's connection pool; only this call's limits differ.
    return client.with_options(timeout=timeout, max_retries=retries)


def _quota_exhausted(response: httpx2.Response) -> bool:
    try:
        error = json.loads(response.read()).get("error")
    except (ValueError, AttributeError, httpx2.HTTPError):
        return False
    return isinstance(error, dict) and error.get("code") == "insufficient_quota"


@lru_cache(maxsize=4)
def _secret_key(name: str, region: str) -> str:
    """Read once per cold start: Secrets Manager charges per call and a key rarely changes."""
    try:
        secret = aws_client("secretsmanager", region).get_secret_value(SecretId=name)
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        message = f"cannot read the OpenAI key from secret {name!r} in {region}: {code or error}"
        if code in _NOT_RETRYABLE_AWS:
            raise ProviderError(message) from error
        raise ProviderUnavailableError(message) from error
    except BotoCoreError as error:
        raise ProviderUnavailableError(f"cannot reach Secrets Manager for secret {name!r}: {error}") from error
    key = key_in_secret(secret.get("SecretString") or "")
    if not key:
        raise ProviderError(
            f"secret {name!r} holds no OpenAI key: store the key itself, or JSON with an OPENAI_API_KEY field"
        )
    return key


def key_in_secret(secret: str) -> str:
    text = secret.strip()
    if text.startswith("{"):
        try:
            fields = json.loads(text)
        except ValueError:
            return ""
        found = next((fields[name] for name in SECRET_KEY_FIELDS if isinstance(fields.get(name), str)), "")
        return str(found).strip()
    return text


@contextmanager
def translated_errors(action: str) -> Iterator[None]:
    """Turn the SDK's errors (after its own retries) into ours: retryable or not, with a readable cause.

    `action` names what was being done ("writing the story"), for the message.
    """
    try:
        yield
    except openai.AuthenticationError as error:
        raise ProviderError(
            f"OpenAI rejected the API key while {action} (401): {_said(error)}. "
            "Check OPENAI_API_KEY locally, or the secret named by STORYTELLER_OPENAI_SECRET_NAME in AWS"
        ) from None
    except openai.PermissionDeniedError as error:
        raise ProviderError(
            f"OpenAI refused access while {action} (403): {_said(error)}. "
            "The key's project may not be allowed this model or region"
        ) from None
    except openai.RateLimitError as error:
        if _code(error) == "insufficient_quota":
            raise ProviderError(
                f"OpenAI quota exhausted while {action} (429 insufficient_quota): {_said(error)}. "
                "Add credit or raise the project's limit at OpenAI, or choose the offline providers"
            ) from None
        raise ProviderUnavailableError(f"OpenAI is rate limiting while {action} (429): {_said(error)}") from None
    except openai.APITimeoutError:
        raise ProviderUnavailableError(f"OpenAI timed out while {action}") from None
    except openai.APIConnectionError as error:
        raise ProviderUnavailableError(f"cannot reach OpenAI while {action}: {error}") from None
    except openai.APIStatusError as error:
        if error.status_code >= 500 or error.status_code in (408, 409):
            raise ProviderUnavailableError(
                f"OpenAI failed while {action} ({error.status_code}): {_said(error)}"
            ) from None
        if _code(error) in {"content_policy_violation", "moderation_blocked"}:
            raise ProviderError(f"OpenAI's content policy refused {action}: {_said(error)}") from None
        raise ProviderError(
            f"OpenAI refused the request while {action} ({error.status_code}): {_said(error)}"
        ) from None


def _code(error: openai.APIStatusError) -> str:
    code = getattr(error, "code", None)
    return code if isinstance(code, str) else ""


def _said(error: openai.APIStatusError) -> str:
    """OpenAI's own message, without the SDK's repr of the whole body."""
    body = error.body
    message = body.get("message") if isinstance(body, dict) else None
    text = message if isinstance(message, str) and message else error.message
    return " ".join(text.split())[:MESSAGE_CHARS]
