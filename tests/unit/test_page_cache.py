"""A finished story's page is rendered once and then served from memory; anything unfinished never is."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from frontend import page_cache
from frontend.app import create_app
from frontend.page_cache import PageCache
from frontend.settings import FrontendSettings
from storyteller.models import StoryItem
from storyteller.settings import Settings
from tests.unit.test_frontend_pages import SMITHS, Families, Presigner, Shelf, story


class CountingShelf(Shelf):
    def __init__(self, *stories: StoryItem) -> None:
        super().__init__(*stories)
        self.reads = 0

    def get(self, story_id: str) -> StoryItem | None:
        self.reads += 1
        return super().get(story_id)


class CountingPresigner(Presigner):
    def __init__(self) -> None:
        super().__init__()
        self.signed = 0

    def presign(self, key: str, seconds: int) -> str:
        self.signed += 1
        return super().presign(key, seconds)


def _client(shelf: CountingShelf, media: Presigner) -> TestClient:
    app = create_app(
        Settings(),
        FrontendSettings(console_password="moonlight-operator", state_machine_arn="arn:aws:states:x:1:stateMachine:m"),
        stories=shelf,
        media=media,
        families=Families(SMITHS),
    )
    return TestClient(app)


def test_a_complete_story_is_read_and_presigned_once_then_served_the_same() -> None:
    done = story("done")
    shelf, media = CountingShelf(done), CountingPresigner()
    client = _client(shelf, media)
    media.signed = 0  # the app signs one probe link at start, to learn the media origin for its CSP

    pages = [client.get("/stories/done") for _ in range(3)]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert pages[0].text == pages[1].text == pages[2].text
    assert shelf.reads == 1
    assert media.signed == 2  # its picture and its audio, each once
    assert {done.imageKey, done.audioKey} <= set(media.asked)
    assert "Content-Security-Policy" in pages[2].headers  # the security headers are on every answer


def test_a_story_still_being_made_is_read_every_time() -> None:
    shelf = CountingShelf(story("making", complete=False))
    client = _client(shelf, Presigner())

    for _ in range(3):
        assert client.get("/stories/making").status_code == 200

    assert shelf.reads == 3


def test_a_kept_page_goes_at_its_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = PageCache(entries=2)
    clock = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: clock[0])
    cache.put("a", b"A", seconds=10)
    cache.put("b", b"B", seconds=10_000)  # capped at KEEP_SECONDS
    clock[0] += 11
    assert cache.get("a") is None
    assert cache.get("b") == b"B"
    clock[0] += page_cache.KEEP_SECONDS
    assert cache.get("b") is None
    cache.put("x", b"X", seconds=0)  # an expired story is not kept at all
    assert cache.get("x") is None
    for key in ("c", "d", "e"):
        cache.put(key, key.encode(), seconds=60)
    assert [cache.get(key) for key in ("c", "d", "e")] == [None, b"d", b"e"]  # the oldest made room


def test_a_shelf_is_read_every_time_but_each_picture_is_signed_once() -> None:
    shelf, media = CountingShelf(story("first"), story("second")), CountingPresigner()
    client = _client(shelf, media)
    media.signed = 0  # the app signs one probe link at start, to learn the media origin for its CSP

    first = client.get(SMITHS.shelf_path)
    shelf.stories["third"] = story("third")
    second = client.get(SMITHS.shelf_path)

    assert "/stories/third" not in first.text
    assert "/stories/third" in second.text  # a new story shows at once: the shelf itself is not kept
    assert media.signed == 3  # first's and second's pictures signed once, third's on its first showing
    assert client.get("/stories/first").status_code == 200
    assert media.signed == 4  # the story page adds only its audio link
