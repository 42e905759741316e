"""The local stack plus the web app on a real socket, and stories for the browser to open."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Page

from frontend.app import create_app
from frontend.settings import FrontendSettings
from storyteller import names
from storyteller.dal.stories import StoryStore
from storyteller.households.seed import CHARACTERS, SCENES
from storyteller.local.runtime import LocalRuntime, RunOutcome
from storyteller.models import Character, Family, Scene, StoryItem
from storyteller.settings import get_settings
from tests.integration.test_flow import _audio_made, _image_made

CONSOLE_PASSWORD = "moonlight-operator"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

VERSE = """Pip counted stars above the pines,
And Luna hooted soft and low;
The mushrooms glowed in crooked lines
To light the path where foxes go.

"One star for you, and one for me,"
Said Pip, and tucked his tail up tight.
The old owl smiled from her tree:
"Now close your eyes, and say goodnight."

The moon rolled by, a silver boat,
The pines all whispered, hush, hush, hush,
And every star began to float
Like fireflies above the brush.

So Pip lay down on moss and fern,
And Luna kept her watch till dawn;
The stars will wait for your return,
Goodnight, goodnight, the night is gone."""


@dataclass
class Stack:
    """A running local runtime and the app served from it."""

    runtime: LocalRuntime
    base_url: str

    def add_story(
        self,
        title: str = "Pip and the Counting Stars",
        text: str = VERSE,
        characters: list[Character] | None = None,
        scene: Scene | None = None,
        ttl: int | None = None,
        family: Family | None = None,
    ) -> StoryItem:
        """Insert a story as create_story does; its run starts through the stream, pipe and bus."""
        created = datetime.now(UTC).replace(microsecond=0)
        story = StoryItem(
            id=str(uuid.uuid4()),
            familyId=family.id if family else names.DEFAULT_FAMILY,
            shelf=family.shelf_path if family else "/",
            title=title,
            text=text,
            scene=scene or SCENES[0],
            characters=characters or [CHARACTERS[0], CHARACTERS[1]],
            createdAt=created,
            ttl=ttl if ttl is not None else int(created.timestamp()) + names.STORY_LIFETIME_SECONDS,
            words=len(text.split()),
        )
        StoryStore(self.runtime.settings).put_new(story)
        return story

    def finish(self, story: StoryItem) -> RunOutcome:
        """Wait for the story's run to end; the status is read again afterwards.

        `wait_for_story` reports the story's status as read just before it saw the run end, which
        can be one write behind (IN_PROGRESS for a story already COMPLETE).
        """
        outcome = self.runtime.wait_for_story(story.id, timeout=60)
        stored = StoryStore(self.runtime.settings).get(story.id)
        return replace(outcome, status=stored.status if stored else "MISSING")

    def stand_in_media(self, audio_fails: bool = False, together: bool = False) -> None:
        """Quick media functions that return keys (without objects); narration can be made to fail.

        `together`: each waits for the other to be running before it returns, so the two branches overlap
        for certain, however loaded the machine.
        """
        meeting = threading.Barrier(2)

        def meet() -> None:
            if together:
                meeting.wait(timeout=60)

        def image(event: dict[str, Any], context: object) -> dict[str, Any]:
            meet()
            return _image_made(event["id"])

        def audio(event: dict[str, Any], context: object) -> dict[str, Any]:
            meet()
            if audio_fails:
                raise RuntimeError("the narrator lost its voice")
            return _audio_made(event["id"])

        self.runtime.lambdas.override(names.GENERATE_IMAGE_FUNCTION, image)
        self.runtime.lambdas.override(names.GENERATE_AUDIO_FUNCTION, audio)

    def real_media(self) -> None:
        """Back to the real handlers: the offline illustrator's PNG and the offline narrator's MP3."""
        self.runtime.lambdas.override(names.GENERATE_IMAGE_FUNCTION, None)
        self.runtime.lambdas.override(names.GENERATE_AUDIO_FUNCTION, None)


@contextmanager
def serve(app: FastAPI) -> Iterator[str]:
    """Serve the app with uvicorn on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the web app did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


@contextmanager
def local_stack() -> Iterator[Stack]:
    """The local runtime and the app (with a known console password), both running."""
    with LocalRuntime(get_settings()) as runtime:
        frontend = FrontendSettings(console_password=CONSOLE_PASSWORD)
        app = create_app(runtime.settings, frontend)
        with serve(app) as base_url:
            yield Stack(runtime, base_url)


def wait_until(page: Page, expression: str, timeout: float = 10.0) -> Any:
    """Poll a JavaScript expression until truthy; `wait_for_function` needs eval, which our CSP forbids."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.05)
