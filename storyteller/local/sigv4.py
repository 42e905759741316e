"""SigV4 checked at the local endpoint: a request counts only if it was signed with this home's secret.

Naming the access key is not enough: the key id travels in every presigned media link on the story
pages. The signature proves the secret, which lives only in `credentials.json` (0600). The expected
signature is computed by botocore's own signer (`SigV4Auth` and its S3 and presigned-link variants) over
the request as it arrived, so the canonical request is built by the code that signed it. The payload
hash is checked here first: an `X-Amz-Content-SHA256` header that names another hash than the body's
(or UNSIGNED-PAYLOAD with a body) is refused: a client's claim about the body is not proof of it, and a
captured request replayed within the clock window with another body would otherwise pass (issue 30).
botocore signs every payload over http.
"""

from __future__ import annotations

import hashlib
import hmac
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote

from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth, SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

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
        signed_query = query
        expires = None
    elif "X-Amz-Signature=" in query:
        values = {key: found[0] for key, found in parse_qs(query, keep_blank_values=True).items()}
        credential, signed, signature = (
            values.get("X-Amz-Credential", ""),
            values.get("X-Amz-SignedHeaders", ""),
            values.get("X-Amz-Signature", ""),
        )
        moment = values.get("X-Amz-Date", "")
        signed_query = "&".join(part for part in query.split("&") if not part.startswith("X-Amz-Signature="))
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
    _, region, service, _ = parts
    signer_class = {
        (False, False): SigV4Auth,
        (True, False): S3SigV4Auth,
        (False, True): SigV4QueryAuth,
        (True, True): S3SigV4QueryAuth,
    }[(service == "s3", expires is not None)]
    signer = signer_class(Credentials(access_key_id, secret), service, region)
    request = _as_sent(environ, signed_query, signed)
    request.context["timestamp"] = moment
    expected: str = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    return None if hmac.compare_digest(expected, signature) else "bad signature"


def _as_sent(environ: dict[str, Any], query: str, signed: str) -> AWSRequest:
    """The received request rebuilt for botocore's signer: its path as sent, the signed headers only."""
    raw = str(environ.get("RAW_URI") or environ.get("REQUEST_URI") or quote(environ.get("PATH_INFO", "/")))
    url = f"http://{_header(environ, 'host')}{raw.split('?', 1)[0] or '/'}" + (f"?{query}" if query else "")
    headers = {name: _header(environ, name) for name in signed.split(";") if name}
    return AWSRequest(
        method=environ.get("REQUEST_METHOD", "GET").upper(), url=url, headers=headers, data=_body(environ)
    )


def _authorization_fields(rest: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for part in rest.split(","):
        name, _, value = part.strip().partition("=")
        fields[name] = value
    return fields


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
