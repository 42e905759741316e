"""SigV4 checked at the local endpoint: a request counts only if it was signed with this home's secret.

Naming the access key is not enough: the key id travels in every presigned media link on the story
pages. The signature proves the secret, which lives only in `credentials.json` (0600). The canonical
request is rebuilt the way botocore builds it (`botocore.auth.SigV4Auth.canonical_request`): S3 paths
as sent, other services' paths quoted once more; the payload hash is always the SHA-256 of the body that
arrived. An `X-Amz-Content-SHA256` header that names another hash (or UNSIGNED-PAYLOAD with a body) is
refused: a client's claim about the body is not proof of it, and a captured request replayed within the
clock window with another body would otherwise pass (issue 30). botocore signs every payload over http.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote

ALGORITHM = "AWS4-HMAC-SHA256"
UNSIGNED = "UNSIGNED-PAYLOAD"
EMPTY_BODY_HASH = hashlib.sha256(b"").hexdigest()
# AWS refuses a request signed more than 15 minutes away from its clock.
CLOCK_SKEW = timedelta(minutes=15)


def verify(environ: dict[str, Any], access_key_id: str, secret: str, now: datetime | None = None) -> str | None:
    """None when the request is signed with this key and secret; else why not, in a few words."""
    now = now or datetime.now(UTC)
    query = environ.get("QUERY_STRING", "")
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if authorization.startswith(ALGORITHM):
        fields = _authorization_fields(authorization[len(ALGORITHM) :])
        credential, signed, signature = (
            fields.get("Credential", ""),
            fields.get("SignedHeaders", ""),
            fields.get("Signature", ""),
        )
        moment = environ.get("HTTP_X_AMZ_DATE", "")
        payload = hashlib.sha256(_body(environ)).hexdigest()
        claimed = environ.get("HTTP_X_AMZ_CONTENT_SHA256")
        if claimed == UNSIGNED and payload == EMPTY_BODY_HASH:
            payload = UNSIGNED  # a bodiless request may leave its (empty) payload unsigned
        elif claimed is not None and claimed != payload:
            return "the body is not the one signed"
        canonical_query = _canonical_query(query)
        expires = None
    elif "X-Amz-Signature=" in query:
        values = {key: found[0] for key, found in parse_qs(query, keep_blank_values=True).items()}
        credential, signed, signature = (
            values.get("X-Amz-Credential", ""),
            values.get("X-Amz-SignedHeaders", ""),
            values.get("X-Amz-Signature", ""),
        )
        moment = values.get("X-Amz-Date", "")
        payload = UNSIGNED
        canonical_query = _canonical_query(query, without="X-Amz-Signature")
        expires = values.get("X-Amz-Expires", "0")
    else:
        return "not signed"
    key_id, _, scope = credential.partition("/")
    if key_id != access_key_id:
        return "signed with another key"
    try:
        signed_at = datetime.strptime(moment, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return "no valid X-Amz-Date"
    if expires is not None:
        if now > signed_at + timedelta(seconds=int(expires) if expires.isdigit() else 0):
            return "the link has expired"
    elif abs(now - signed_at) > CLOCK_SKEW:
        return "signed too long ago"
    parts = scope.split("/")
    if len(parts) != 4 or parts[0] != moment[:8] or parts[3] != "aws4_request":
        return "malformed credential scope"
    date, region, service, _ = parts
    canonical = "\n".join(
        [
            environ.get("REQUEST_METHOD", "GET").upper(),
            _canonical_path(environ, service),
            canonical_query,
            "".join(f"{name}:{_header(environ, name)}\n" for name in signed.split(";")),
            signed,
            payload,
        ]
    )
    to_sign = "\n".join([ALGORITHM, moment, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected, signature) else "bad signature"


def _authorization_fields(rest: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, _, value = part.strip().partition("=")
        fields[name] = value
    return fields


def _canonical_query(query: str, without: str | None = None) -> str:
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if name != without:
            pairs.append((name, value))
    return "&".join(f"{name}={value}" for name, value in sorted(pairs))


def _canonical_path(environ: dict[str, Any], service: str) -> str:
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or quote(environ.get("PATH_INFO", "/")))
    path = raw.split("?", 1)[0] or "/"
    return path if service == "s3" else quote(path, safe="/~")


def _header(environ: dict[str, Any], name: str) -> str:
    if name in ("content-type", "content-length"):
        value = environ.get(name.upper().replace("-", "_"), "")
    else:
        value = environ.get("HTTP_" + name.upper().replace("-", "_"), "")
    return " ".join(str(value).split())


def _body(environ: dict[str, Any]) -> bytes:
    """The body, read once and put back for the app behind."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body
