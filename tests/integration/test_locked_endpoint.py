"""The local AWS endpoint answers this machine's storyteller only: not a web page the family has open.

Each refusal is checked with a raw HTTP request as a browser would send it, next to the signed request
our own clients send, which still works (presigned media links included)."""

from __future__ import annotations

import http.client
import json
import os
import stat
import time
from pathlib import Path
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.exceptions import ClientError

from storyteller import names
from storyteller.dal.aws import client
from storyteller.local.guard import CREDENTIALS_FILE, LocalCredentials
from storyteller.local.runtime import LocalRuntime


def _raw(url: str, method: str, path: str, headers: dict[str, str], body: str = "") -> http.client.HTTPResponse:
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request(method, path, body=body, headers=headers)
    return connection.getresponse()


def test_an_unsigned_request_from_a_web_page_is_refused(runtime: LocalRuntime) -> None:
    host = urlsplit(runtime.endpoint.url).netloc
    # What a page can send without a preflight: a form POST to SNS's query API.
    form = f"Action=Publish&TopicArn=arn:aws:sns:eu-west-2:123456789012:{names.NOTIFY_TOPIC}&Message=hi"
    answer = _raw(
        runtime.endpoint.url,
        "POST",
        "/",
        {"Host": host, "Origin": "https://evil.example", "Content-Type": "application/x-www-form-urlencoded"},
        form,
    )
    assert answer.status == 403
    assert answer.getheader("Access-Control-Allow-Origin") is None


def test_a_foreign_host_is_refused_even_with_our_credentials(runtime: LocalRuntime) -> None:
    """DNS rebinding: the page's own name resolves to 127.0.0.1, and the request carries that name."""
    key = os.environ["AWS_ACCESS_KEY_ID"]
    auth = (
        f"AWS4-HMAC-SHA256 Credential={key}/20261202/eu-west-2/dynamodb/aws4_request, SignedHeaders=host, Signature=x"
    )
    answer = _raw(
        runtime.endpoint.url,
        "POST",
        "/",
        {"Host": "rebind.evil.example:80", "Authorization": auth, "X-Amz-Target": "DynamoDB_20120810.ListTables"},
        "{}",
    )
    assert answer.status == 403


def test_a_cors_preflight_is_refused_and_answers_allow_no_origin(runtime: LocalRuntime) -> None:
    host = urlsplit(runtime.endpoint.url).netloc
    preflight = _raw(
        runtime.endpoint.url,
        "OPTIONS",
        "/",
        {"Host": host, "Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 403
    assert preflight.getheader("Access-Control-Allow-Origin") is None


def test_other_credentials_are_refused(runtime: LocalRuntime) -> None:
    stranger = boto3.session.Session(aws_access_key_id="AKIASTRANGER", aws_secret_access_key="x").client(
        "dynamodb", region_name=runtime.settings.aws_region, endpoint_url=runtime.endpoint.url
    )
    with pytest.raises(ClientError) as refused:
        stranger.list_tables()
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert names.STORIES_TABLE in client("dynamodb", runtime.settings.aws_region).list_tables()["TableNames"]


def test_a_key_that_leads_outside_home_is_refused_and_never_saved(runtime: LocalRuntime, tmp_path: Path) -> None:
    s3 = client("s3", runtime.settings.aws_region)
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=runtime.settings.media_bucket, Key="stories/../../../escape.txt", Body=b"x")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    home = runtime.settings.home.resolve()
    assert not any(not path.resolve().is_relative_to(home) for path in home.rglob("*"))
    assert not (home.parent / "escape.txt").exists()


def test_presigned_media_links_still_work_from_a_browser(runtime: LocalRuntime) -> None:
    s3 = client("s3", runtime.settings.aws_region)
    s3.put_object(Bucket=runtime.settings.media_bucket, Key="stories/s1/image.png", Body=b"\x89PNG picture")
    url = s3.generate_presigned_url(
        "get_object", Params={"Bucket": runtime.settings.media_bucket, "Key": "stories/s1/image.png"}, ExpiresIn=60
    )
    parts = urlsplit(url)
    answer = _raw(runtime.endpoint.url, "GET", f"{parts.path}?{parts.query}", {"Host": parts.netloc})
    assert answer.status == 200
    assert answer.read() == b"\x89PNG picture"


def test_each_home_has_its_own_private_credentials(tmp_path: Path) -> None:
    first, second = LocalCredentials.for_home(tmp_path / "a"), LocalCredentials.for_home(tmp_path / "b")
    assert first != second
    assert LocalCredentials.for_home(tmp_path / "a") == first  # made once, then kept
    mode = stat.S_IMODE((tmp_path / "a" / CREDENTIALS_FILE).stat().st_mode)
    assert mode == 0o600
    assert json.loads((tmp_path / "a" / CREDENTIALS_FILE).read_text())["accessKeyId"] == first.access_key_id


def test_our_key_id_with_another_secret_is_refused(runtime: LocalRuntime) -> None:
    """The key id is in every presigned link on the story pages; only the secret (0600 file) signs."""
    impostor = boto3.session.Session(
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"], aws_secret_access_key="guessed-from-a-page"
    ).client("dynamodb", region_name=runtime.settings.aws_region, endpoint_url=runtime.endpoint.url)
    with pytest.raises(ClientError) as refused:
        impostor.scan(TableName=names.STORIES_TABLE)
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_a_presigned_link_opens_its_own_object_only_and_not_after_it_expires(runtime: LocalRuntime) -> None:
    s3 = client("s3", runtime.settings.aws_region)
    bucket = runtime.settings.media_bucket
    s3.put_object(Bucket=bucket, Key="stories/s1/image.png", Body=b"\x89PNG one")
    s3.put_object(Bucket=bucket, Key="stories/s2/image.png", Body=b"\x89PNG two")
    one = {"Bucket": bucket, "Key": "stories/s1/image.png"}
    url = s3.generate_presigned_url("get_object", Params=one, ExpiresIn=60)
    parts = urlsplit(url)
    host = {"Host": parts.netloc}

    assert _raw(runtime.endpoint.url, "GET", f"{parts.path}?{parts.query}", host).status == 200
    other = parts.path.replace("/s1/", "/s2/")
    assert _raw(runtime.endpoint.url, "GET", f"{other}?{parts.query}", host).status == 403

    expired = s3.generate_presigned_url("get_object", Params=one, ExpiresIn=1)
    old = urlsplit(expired)
    signed_at = next(field for field in old.query.split("&") if field.startswith("X-Amz-Date=")).split("=")[1]
    while time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() - 2)) < signed_at:
        time.sleep(0.2)
    answer = _raw(runtime.endpoint.url, "GET", f"{old.path}?{old.query}", {"Host": old.netloc})
    assert answer.status == 403
    assert b"expired" in answer.read()
