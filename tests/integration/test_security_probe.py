"""The local endpoint's edges found by the security probe (issue 30): what a refused or odd write leaves."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from storyteller.dal.aws import client
from storyteller.local.runtime import LocalRuntime


def test_a_write_the_disk_refused_leaves_nothing_readable(runtime: LocalRuntime) -> None:
    s3 = client("s3", runtime.settings.aws_region)
    bucket = runtime.settings.media_bucket
    key = f"stories/{'n' * 300}/image.png"  # a folder name longer than the file system allows

    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=bucket, Key=key, Body=b"a picture")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500

    with pytest.raises(ClientError) as missing:
        s3.get_object(Bucket=bucket, Key=key)
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"


@pytest.mark.parametrize(
    "key", ["notes/readme.txt", "/stories/s1/image.png", "stories/s1/deeper/image.png", "stories/image.png"]
)
def test_a_write_outside_a_storys_folder_is_refused_and_leaves_no_file(runtime: LocalRuntime, key: str) -> None:
    s3 = client("s3", runtime.settings.aws_region)
    bucket = runtime.settings.media_bucket

    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=bucket, Key=key, Body=b"kept until the next start only")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"

    with pytest.raises(ClientError):
        s3.get_object(Bucket=bucket, Key=key)
    assert not (runtime.settings.home / "media" / key).exists()
