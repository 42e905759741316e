"""The endpoint's SigV4 check agrees with botocore's signer, and refuses what botocore did not sign."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from storyteller.local import sigv4

KEY, SECRET = "STLTESTKEY", "the-secret"


def _signed(method: str, url: str, body: bytes, service: str, headers: dict[str, str]) -> dict[str, Any]:
    """A request as botocore signs it, turned into the WSGI environ the endpoint sees."""
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    signer = S3SigV4Auth if service == "s3" else SigV4Auth
    signer(Credentials(KEY, SECRET), service, "eu-west-2").add_auth(request)
    parts = urlsplit(url)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "RAW_URI": parts.path + (f"?{parts.query}" if parts.query else ""),
        "QUERY_STRING": parts.query,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    for name, value in request.headers.items():
        upper = name.upper().replace("-", "_")
        environ[upper if upper == "CONTENT_TYPE" else f"HTTP_{upper}"] = value
    environ["HTTP_HOST"] = parts.netloc
    return environ


CASES = {
    "dynamodb": ("POST", "http://127.0.0.1:5000/", b'{"TableName": "Stories"}', "dynamodb"),
    "lambda by arn": (
        "POST",
        "http://127.0.0.1:5000/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-2%3A1%3Afunction%3Ax/invocations",
        b"{}",
        "lambda",
    ),
    "s3 list": ("GET", "http://127.0.0.1:5000/media?list-type=2&prefix=stories%2F", b"", "s3"),
    "s3 put": ("PUT", "http://127.0.0.1:5000/media/stories/x/image.png", b"\x89PNG picture", "s3"),
    # S3 signs its path as sent; other services quote it once more (a space is %20 to S3, %2520 to them).
    "s3 put, a key with a space": ("PUT", "http://127.0.0.1:5000/media/exports/a%20b.json", b"{}", "s3"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_what_botocore_signs_is_accepted_and_a_changed_body_is_not(case: str) -> None:
    method, url, body, service = CASES[case]
    environ = _signed(method, url, body, service, {"Content-Type": "application/x-amz-json-1.0"})
    assert sigv4.verify(environ, KEY, SECRET) is None

    environ["wsgi.input"] = io.BytesIO(body + b" ")  # the signed headers as sent, another body
    environ["CONTENT_LENGTH"] = str(len(body) + 1)
    # S3 signs a declared hash of the body, which must then match it; the others sign the body's hash.
    assert sigv4.verify(environ, KEY, SECRET) == (
        "the body is not the one signed" if service == "s3" else "bad signature"
    )


def test_another_secret_a_stale_date_and_no_signature_are_refused() -> None:
    method, url, body, service = CASES["dynamodb"]
    environ = _signed(method, url, body, service, {})
    assert sigv4.verify(environ, KEY, "another-secret") == "bad signature"
    assert sigv4.verify(environ, "OTHERKEY", SECRET) == "signed with another key"
    assert sigv4.verify(environ, KEY, SECRET, now=datetime.now(UTC) + timedelta(minutes=20)) == "signed too long ago"
    assert sigv4.verify({"QUERY_STRING": ""}, KEY, SECRET) == "not signed"


REPLAYS = {
    # A signed GetItem, replayed with another family's key and the first body's hash declared beside it.
    "dynamodb": (
        "POST",
        "http://127.0.0.1:5000/",
        b'{"TableName": "Families", "Key": {"id": {"S": "smiths"}}}',
        b'{"TableName": "Families", "Key": {"id": {"S": "jones"}}}',
        "dynamodb",
    ),
    # A signed PutObject replayed with another picture: S3 signs the declared hash, not the body.
    "s3 put": ("PUT", "http://127.0.0.1:5000/media/stories/s1/image.png", b"the picture", b"another one", "s3"),
}


@pytest.mark.parametrize("case", sorted(REPLAYS))
def test_a_replayed_request_with_another_body_is_refused_whatever_hash_it_declares(case: str) -> None:
    method, url, body, forged, service = REPLAYS[case]
    environ = _signed(method, url, body, service, {"Content-Type": "application/x-amz-json-1.0"})
    declared = environ.get("HTTP_X_AMZ_CONTENT_SHA256") or hashlib.sha256(body).hexdigest()
    environ.update(
        {"HTTP_X_AMZ_CONTENT_SHA256": declared, "wsgi.input": io.BytesIO(forged), "CONTENT_LENGTH": str(len(forged))}
    )
    assert sigv4.verify(environ, KEY, SECRET) == "the body is not the one signed"

    environ.update({"HTTP_X_AMZ_CONTENT_SHA256": sigv4.UNSIGNED, "wsgi.input": io.BytesIO(forged)})
    assert sigv4.verify(environ, KEY, SECRET) == "the body is not the one signed"


def _link(url: str) -> dict[str, Any]:
    """A presigned link as the browser sends it: a bodiless GET, the signature in the query."""
    parts = urlsplit(url)
    return {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"{parts.path}?{parts.query}",
        "QUERY_STRING": parts.query,
        "HTTP_HOST": parts.netloc,
        "wsgi.input": io.BytesIO(b""),
    }


def test_a_presigned_media_link_opens_its_own_object_only_and_only_until_it_expires() -> None:
    s3 = boto3.client(
        "s3",
        region_name="eu-west-2",
        endpoint_url="http://127.0.0.1:5000",
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": "media", "Key": "stories/s1/image.png"}, ExpiresIn=600
    )
    assert sigv4.verify(_link(url), KEY, SECRET) is None
    assert sigv4.verify(_link(url.replace("image.png", "audio.mp3")), KEY, SECRET) == "bad signature"
    later = datetime.now(UTC) + timedelta(minutes=11)
    assert sigv4.verify(_link(url), KEY, SECRET, now=later) == "the link has expired"
