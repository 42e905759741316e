"""The media bucket: pictures and narrations under their story's id."""

from __future__ import annotations

from botocore.exceptions import ClientError

from storyteller.dal.aws import client
from storyteller.settings import Settings


class MediaStore:
    """Put, find and presign S3 objects by key."""

    def __init__(self, settings: Settings) -> None:
        self._s3 = client("s3", settings.aws_region)
        self._bucket = settings.media_bucket

    def exists(self, key: str) -> bool:
        """Whether the object is there; how a retry knows not to pay for the same work twice."""
        try:
            self._s3.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response["Error"]["Code"] in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    def put(self, key: str, body: bytes, content_type: str) -> None:
        """Store an object; S3 writes are atomic, so a reader never sees half a file."""
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=body, ContentType=content_type)

    def get(self, key: str) -> bytes:
        """The object's bytes."""
        return bytes(self._s3.get_object(Bucket=self._bucket, Key=key)["Body"].read())

    def presign(self, key: str, seconds: int) -> str:
        """A GET URL that works for `seconds`, signed now by whoever reads the page."""
        url: str = self._s3.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=seconds
        )
        return url
