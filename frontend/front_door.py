"""What the web function trusts of a request in AWS: only what CloudFront, its one front door, put there.

The Function URL is public (CloudFront's origin access control cannot sign a browser's form POST), so
CloudFront adds a secret header and the function refuses any request without it. CloudFront's viewer-request
function (infra/frontend.py) overwrites two headers on every page request: the host the viewer asked for
(the Function URL itself needs its own Host) and the viewer's address (for the console's login throttle).
Locally there is no front door: `storyteller up` serves the app directly and none of this runs.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from frontend.settings import FrontendSettings

ORIGIN_HEADER = "x-storyteller-origin"
FORWARDED_HOST = "x-forwarded-host"
VIEWER_ADDRESS = "x-viewer-address"

REFUSED: dict[str, Any] = {
    "statusCode": 403,
    "headers": {"content-type": "text/plain; charset=utf-8", "cache-control": "no-store"},
    "body": "Forbidden: the story pages are reached through their own address.",
    "isBase64Encoded": False,
}


class FrontDoor:
    """Admits a Function URL event (payload 2.0) that carries CloudFront's secret, as the viewer saw it."""

    def __init__(self, origin_secret: str) -> None:
        if not origin_secret:
            raise ValueError("the origin secret is empty: CloudFront's header would prove nothing")
        self._secret = origin_secret.encode()

    def admit(self, event: dict[str, Any]) -> dict[str, Any] | None:
        """The event for the app (secret removed, Host the viewer's), or None when CloudFront did not send it."""
        headers: dict[str, str] = {key.lower(): value for key, value in (event.get("headers") or {}).items()}
        offered = headers.pop(ORIGIN_HEADER, "")
        if not secrets.compare_digest(offered.encode(), self._secret):
            return None
        if viewer_host := headers.get(FORWARDED_HOST):
            headers["host"] = viewer_host
        return {**event, "headers": headers}


def origin_secret(settings: FrontendSettings) -> str:
    """CloudFront's header value, read once at cold start from the secret the stack made."""
    from storyteller.dal.aws import client  # boto3 only where the secret is read, not in infra's import
    from storyteller.settings import get_settings

    if not settings.origin_secret_name:
        raise ValueError(
            "STORYTELLER_ORIGIN_SECRET_NAME is not set: the web function cannot know CloudFront's requests"
        )
    value: str = client("secretsmanager", get_settings().aws_region).get_secret_value(
        SecretId=settings.origin_secret_name
    )["SecretString"]
    return value
