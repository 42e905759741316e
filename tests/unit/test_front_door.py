"""The web function trusts a request only when CloudFront's secret header is on it (frontend/front_door.py)."""

from __future__ import annotations

import pytest

from frontend.front_door import FORWARDED_HOST, ORIGIN_HEADER, VIEWER_ADDRESS, FrontDoor, origin_secret
from frontend.settings import FrontendSettings

SECRET = "s" * 48


def _event(headers: dict[str, str]) -> dict[str, object]:
    return {"version": "2.0", "rawPath": "/", "headers": headers, "requestContext": {"http": {"method": "GET"}}}


def test_cloudfronts_request_reaches_the_app_as_the_viewer_sent_it_without_the_secret() -> None:
    admitted = FrontDoor(SECRET).admit(
        _event(
            {
                "host": "abc.lambda-url.eu-west-2.on.aws",
                ORIGIN_HEADER: SECRET,
                FORWARDED_HOST: "stories.example.org",
                VIEWER_ADDRESS: "198.51.100.7",
            }
        )
    )

    assert admitted is not None
    headers = admitted["headers"]
    assert isinstance(headers, dict)
    assert headers["host"] == "stories.example.org"  # the same-origin checks compare against the viewer's host
    assert ORIGIN_HEADER not in headers  # the app, its logs and its error pages never see the secret
    assert headers[VIEWER_ADDRESS] == "198.51.100.7"
    assert admitted["rawPath"] == "/"


@pytest.mark.parametrize("offered", [None, "", "s" * 47, "s" * 49, SECRET.upper()])
def test_a_request_without_the_exact_secret_is_refused(offered: str | None) -> None:
    headers = {"host": "abc.lambda-url.eu-west-2.on.aws", FORWARDED_HOST: "stories.example.org"}
    if offered is not None:
        headers[ORIGIN_HEADER] = offered
    assert FrontDoor(SECRET).admit(_event(headers)) is None


def test_without_a_forwarded_host_the_host_stays() -> None:
    admitted = FrontDoor(SECRET).admit(_event({"Host": "abc.lambda-url.eu-west-2.on.aws", ORIGIN_HEADER: SECRET}))
    assert admitted is not None
    assert admitted["headers"] == {"host": "abc.lambda-url.eu-west-2.on.aws"}


def test_an_empty_secret_or_a_missing_setting_stops_the_cold_start() -> None:
    with pytest.raises(ValueError, match="empty"):
        FrontDoor("")
    with pytest.raises(ValueError, match="STORYTELLER_ORIGIN_SECRET_NAME"):
        origin_secret(FrontendSettings())
