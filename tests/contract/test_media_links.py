"""Every presigned media URL a page emits with AWS settings is regional SigV4 and inside the page's CSP."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from frontend.app import create_app
from frontend.settings import FrontendSettings
from storyteller.dal.aws import reset_clients
from storyteller.dal.media import MediaStore
from storyteller.settings import Settings
from tests.unit.test_frontend_pages import Families, Shelf, story


@pytest.fixture
def aws_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """No endpoint override: the clients talk to AWS (nothing is sent; presigning is local)."""
    for variable in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    reset_clients()
    yield
    reset_clients()


@pytest.mark.parametrize("region", ["eu-west-2", "us-east-1"])
@pytest.mark.usefixtures("aws_settings")
def test_story_page_media_links_are_regional_sigv4_and_allowed_by_the_csp(region: str) -> None:
    settings = Settings(aws_region=region, media_bucket="storyteller-media-abc")
    app = create_app(
        settings,
        FrontendSettings(console_password="moonlight-operator", state_machine_arn="arn:aws:states:x:1:stateMachine:m"),
        stories=Shelf(story()),
        media=MediaStore(settings),
        families=Families(),  # the page dates the story in its family's zone: no table is reached here
    )
    page = TestClient(app).get("/stories/s1")

    assert page.status_code == 200
    links = re.findall(r'(?:src|href)="(https?://[^"]+)"', page.text)
    media = [link.replace("&amp;", "&") for link in links if "X-Amz-" in link]
    assert len(media) == 2, links  # the picture and the narration
    csp = page.headers["content-security-policy"]
    for url in media:
        parts = urlsplit(url)
        assert parts.netloc == f"storyteller-media-abc.s3.{region}.amazonaws.com"
        assert parse_qs(parts.query)["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
        assert f"/{region}/s3/aws4_request" in parse_qs(parts.query)["X-Amz-Credential"][0]
        assert f"{parts.scheme}://{parts.netloc}" in csp


def test_the_local_endpoint_gets_path_style_links(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4599")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    reset_clients()
    try:
        url = MediaStore(Settings(media_bucket="media")).presign("stories/s1/image.png", 60)
    finally:
        reset_clients()
    assert url.startswith("http://127.0.0.1:4599/media/stories/s1/image.png?X-Amz-Algorithm=AWS4-HMAC-SHA256")
