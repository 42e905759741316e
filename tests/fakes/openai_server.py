"""A small OpenAI on 127.0.0.1 for tests: real HTTP, scripted replies and faults, a journal of requests.

openai 3.x sends through the `httpx2` fork, which respx-style mocks do not see, so the real client
talks to this server through `base_url`. It serves the three endpoints storyteller uses: chat
completions (structured output), moderations and image generations (base64 PNG, as the GPT image
models answer). Anything not scripted gets a sensible default: a valid story for the cast and scene
in the prompt, an unflagged moderation, a real PNG.
"""

from __future__ import annotations

import asyncio
import base64
import io
import json
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from PIL import Image, ImageDraw

from storyteller.households.seed import CHARACTERS, SCENES
from storyteller.models import Character, Scene, StoryDraft
from storyteller.providers.openai_client import reset_openai_clients
from storyteller.settings import Settings, get_settings

CHAT = "/v1/chat/completions"
MODERATIONS = "/v1/moderations"
IMAGES = "/v1/images/generations"
MODERATION_CATEGORIES = (
    "harassment",
    "harassment/threatening",
    "hate",
    "hate/threatening",
    "illicit",
    "illicit/violent",
    "self-harm",
    "self-harm/instructions",
    "self-harm/intent",
    "sexual",
    "sexual/minors",
    "violence",
    "violence/graphic",
)
# What gpt-image-2 bills for a 1024x1024 medium picture; the fake reports it so cost maths is exercised.
IMAGE_OUTPUT_TOKENS = 1756
# Other qualities in the proportions OpenAI publishes for gpt-image-1 at 1024x1024 (272 / 1,056 / 4,160).
IMAGE_OUTPUT_TOKENS_BY_QUALITY = {"low": 452, "medium": IMAGE_OUTPUT_TOKENS, "high": 6917}
STARTUP_SECONDS = 10.0

StoryResponder = Callable[[dict[str, Any]], StoryDraft]


@dataclass(frozen=True)
class Recorded:
    """One request as the server saw it."""

    path: str
    body: dict[str, Any]
    authorization: str


@dataclass(frozen=True)
class Fault:
    """An error reply: OpenAI's error body shape, optional headers (e.g. `retry-after-ms`)."""

    status: int
    message: str
    code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> JSONResponse:
        body = {"error": {"message": self.message, "type": "invalid_request_error", "param": None, "code": self.code}}
        return JSONResponse(body, status_code=self.status, headers=self.headers)


@dataclass(frozen=True)
class RawReply:
    """A chat completion whose content is exactly this text: malformed structured output, on purpose."""

    content: str


class FakeOpenAI:
    """Start, script, inspect, stop. `accepted_key`, when set, makes every other key a 401."""

    def __init__(self, story_responder: StoryResponder | None = None) -> None:
        self.story_responder = story_responder or story_for_prompt
        self.accepted_key: str | None = None
        # False: no moderation endpoint, as on llama.cpp's server or Ollama (a 404, as they answer).
        self.moderations_available = True
        # Every image answer carries this base64 instead of a real PNG's (a misbehaving model), when set.
        self.image_b64: str | None = None
        # Called before each image is answered, off the event loop: holds the answer until something happened.
        self.before_image: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._journal: list[Recorded] = []
        self._script: dict[str, deque[Fault | StoryDraft | RawReply | list[str]]] = {
            CHAT: deque(),
            MODERATIONS: deque(),
            IMAGES: deque(),
        }
        self._delays: dict[str, float] = {}
        self._released = threading.Event()  # set at stop: a slow reply in progress ends at once
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._port = 0

    @property
    def base_url(self) -> str:
        """What `STORYTELLER_OPENAI_BASE_URL` should be."""
        return f"http://127.0.0.1:{self._port}/v1"

    def start(self) -> FakeOpenAI:
        """Serve on a free port in a background thread; returns once it accepts connections."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(self._app(), log_level="warning", lifespan="off", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the fake OpenAI server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving."""
        self._released.set()
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def reply_story(self, draft: StoryDraft) -> None:
        """The next chat completion answers with this draft."""
        self._queue(CHAT, draft)

    def reply_raw(self, content: str) -> None:
        """The next chat completion's content is this text, JSON or not."""
        self._queue(CHAT, RawReply(content))

    def fail_next(
        self, path: str, status: int, message: str, code: str | None = None, times: int = 1, retry_after_ms: int = 10
    ) -> None:
        """The next `times` requests to `path` get this error (429/5xx come with a short retry-after)."""
        headers = {"retry-after-ms": str(retry_after_ms)} if status == 429 or status >= 500 else {}
        for _ in range(times):
            self._queue(path, Fault(status, message, code, headers))

    def slow(self, path: str, seconds: float) -> None:
        """Every request to `path` is answered only after `seconds` (0: at once again), as a slow OpenAI is."""
        with self._lock:
            self._delays[path] = seconds

    def flag_next(self, *categories: str) -> None:
        """The next moderation flags the input for these categories."""
        self._queue(MODERATIONS, list(categories))

    def requests(self, path: str | None = None) -> list[Recorded]:
        """The journal: every request so far (to `path`, when given), in order."""
        with self._lock:
            return [entry for entry in self._journal if path is None or entry.path == path]

    def _queue(self, path: str, item: Fault | StoryDraft | RawReply | list[str]) -> None:
        with self._lock:
            self._script[path].append(item)

    def _next(self, request: Recorded) -> Fault | StoryDraft | RawReply | list[str] | None:
        with self._lock:
            self._journal.append(request)
            if self.accepted_key is not None and request.authorization != f"Bearer {self.accepted_key}":
                return Fault(
                    401,
                    "Incorrect API key provided: te**t. You can find your API key at the dashboard.",
                    "invalid_api_key",
                )
            script = self._script[request.path]
            return script.popleft() if script else None

    async def _wait(self, path: str) -> None:
        with self._lock:
            delay = self._delays.get(path, 0.0)
        ends = time.monotonic() + delay
        while time.monotonic() < ends and not self._released.is_set():
            await asyncio.sleep(0.05)

    def _app(self) -> FastAPI:
        app = FastAPI()

        @app.post(CHAT)
        async def chat(request: Request) -> JSONResponse:
            recorded = await _record(request)
            scripted = self._next(recorded)  # in the journal at once, answered after any delay
            await self._wait(recorded.path)
            if isinstance(scripted, Fault):
                return scripted.response()
            if isinstance(scripted, RawReply):
                return JSONResponse(_completion(recorded.body, scripted.content))
            draft = scripted if isinstance(scripted, StoryDraft) else self.story_responder(recorded.body)
            answer = {
                "title": draft.title,
                "text": draft.text,
                "moment": draft.moment or "everyone asleep",
                "synopsis": draft.synopsis or draft.plot or draft.title,
            }
            return JSONResponse(_completion(recorded.body, json.dumps(answer)))

        @app.post(MODERATIONS)
        async def moderations(request: Request) -> JSONResponse:
            recorded = await _record(request)
            if not self.moderations_available:
                with self._lock:
                    self._journal.append(recorded)
                return JSONResponse({"error": {"message": "File Not Found", "type": "not_found_error"}}, 404)
            scripted = self._next(recorded)  # in the journal at once, answered after any delay
            await self._wait(recorded.path)
            if isinstance(scripted, Fault):
                return scripted.response()
            flagged = scripted if isinstance(scripted, list) else []
            return JSONResponse(_moderation(recorded.body, flagged))

        @app.post(IMAGES)
        async def images(request: Request) -> JSONResponse:
            recorded = await _record(request)
            scripted = self._next(recorded)  # in the journal at once, answered after any delay
            await self._wait(recorded.path)
            if self.before_image is not None:
                await asyncio.to_thread(self.before_image)
            if isinstance(scripted, Fault):
                return scripted.response()
            answer = _image(recorded.body)
            if self.image_b64 is not None:
                answer["data"][0]["b64_json"] = self.image_b64
            return JSONResponse(answer)

        return app


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A running fake OpenAI; point the client at `fake_openai.base_url`."""
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def openai_settings(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings that choose OpenAI, pointed at the fake, with a test key; fresh OpenAI clients either side."""
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("STORYTELLER_OPENAI_BASE_URL", fake_openai.base_url)
    get_settings.cache_clear()
    reset_openai_clients()
    yield get_settings()
    reset_openai_clients()


async def _record(request: Request) -> Recorded:
    return Recorded(request.url.path, await request.json(), request.headers.get("authorization", ""))


def _tokens(text: str) -> int:
    # About four characters a token for English; good enough for usage arithmetic in tests.
    return max(1, len(text) // 4)


def _completion(body: dict[str, Any], content: str) -> dict[str, Any]:
    prompt_tokens = sum(_tokens(str(message.get("content", ""))) for message in body.get("messages", []))
    completion_tokens = _tokens(content)
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content, "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _moderation(body: dict[str, Any], flagged: list[str]) -> dict[str, Any]:
    return {
        "id": "modr-fake",
        "model": body.get("model", "omni-moderation-latest"),
        "results": [
            {
                "flagged": bool(flagged),
                "categories": {name: name in flagged for name in MODERATION_CATEGORIES},
                "category_scores": {name: 0.9 if name in flagged else 0.001 for name in MODERATION_CATEGORIES},
                "category_applied_input_types": {name: ["text"] for name in MODERATION_CATEGORIES},
            }
        ],
    }


def _image(body: dict[str, Any]) -> dict[str, Any]:
    width, height = (int(side) for side in str(body.get("size", "1024x1024")).split("x"))
    picture = Image.new("RGB", (width, height), (40, 44, 90))
    ImageDraw.Draw(picture).ellipse((width * 0.6, height * 0.1, width * 0.8, height * 0.3), fill=(250, 230, 160))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    prompt_tokens = _tokens(str(body.get("prompt", "")))
    output_tokens = IMAGE_OUTPUT_TOKENS_BY_QUALITY.get(str(body.get("quality", "medium")), IMAGE_OUTPUT_TOKENS)
    return {
        "created": int(time.time()),
        "data": [{"b64_json": base64.b64encode(out.getvalue()).decode("ascii")}],
        "output_format": "png",
        "size": f"{width}x{height}",
        "usage": {
            "input_tokens": prompt_tokens,
            "input_tokens_details": {"text_tokens": prompt_tokens, "image_tokens": 0},
            "output_tokens": output_tokens,
            "total_tokens": prompt_tokens + output_tokens,
        },
    }


def story_for_prompt(body: dict[str, Any]) -> StoryDraft:
    """A valid story for the seed cast and scene the prompt names, written by the offline writer."""
    from storyteller.providers.offline.writer import RhymingStoryWriter

    prompt = "\n".join(str(message.get("content", "")) for message in body.get("messages", []))
    cast = [character for character in CHARACTERS if re.search(rf"^- {re.escape(character.name)}:", prompt, re.M)]
    scene = next((scene for scene in SCENES if scene.description in prompt), SCENES[0])
    return RhymingStoryWriter(seed=1).write(cast or list(CHARACTERS[:2]), scene)


def characters_and_scene() -> tuple[list[Character], Scene]:
    """A small cast and scene from the seed, for tests that call a provider directly."""
    return list(CHARACTERS[:2]), SCENES[0]
