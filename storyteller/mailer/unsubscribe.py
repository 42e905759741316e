"""Signed one-click unsubscribe links (RFC 8058): a token per (family, address) that only we can make.

The token names the family and the address and carries an HMAC over both, so a forwarded email's link can
only stop the address it was sent to, and a made-up or altered token stops nothing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from storyteller.dal.aws import client
from storyteller.settings import Settings

_PURPOSE = b"storyteller unsubscribe v1\n"
_SIGNATURE_BYTES = 16  # 128 bits: forging one by guessing is hopeless
KEY_FILE = "unsubscribe.key"


@dataclass(frozen=True)
class Unsubscribe:
    """Who a valid token lets leave."""

    family_id: str
    address: str


def make_token(key: bytes, family_id: str, address: str) -> str:
    payload = f"{family_id}\n{address}".encode()
    return f"{_b64(payload)}.{_b64(_sign(key, payload))}"


def read_token(key: bytes, token: str) -> Unsubscribe | None:
    """The family and address a token names, or None when it is not one of ours (never an exception)."""
    payload_part, _, signature_part = token.partition(".")
    try:
        payload, signature = _unb64(payload_part), _unb64(signature_part)
    except (binascii.Error, ValueError):
        return None
    if not hmac.compare_digest(signature, _sign(key, payload)):
        return None
    family_id, separator, address = payload.decode(errors="replace").partition("\n")
    return Unsubscribe(family_id, address) if separator and family_id and address else None


def signing_key(settings: Settings) -> bytes:
    """The setting, else the stack's secret (AWS), else a key made once and kept in the local home."""
    if settings.unsubscribe_secret is not None:
        return settings.unsubscribe_secret.get_secret_value().encode()
    if settings.unsubscribe_secret_name:
        return _secret(settings.unsubscribe_secret_name, settings.aws_region)
    return _local_key(settings.home.resolve())


@lru_cache(maxsize=4)
def _secret(name: str, region: str) -> bytes:
    value: str = client("secretsmanager", region).get_secret_value(SecretId=name)["SecretString"]
    return value.encode()


def _local_key(home: Path) -> bytes:
    path = home / KEY_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting at once agree on the first key written.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(32))
    return path.read_text().strip().encode()


def _sign(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, _PURPOSE + payload, hashlib.sha256).digest()[:_SIGNATURE_BYTES]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    if not text:
        raise ValueError("empty")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
