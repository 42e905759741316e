"""Fault drills for the local runtime: make a provider or an AWS call fail, once or always.

Two seams, neither in a handler: provider wrappers handed in through `ProviderOverrides`, and a WSGI
middleware around the local endpoint, so the handlers' own AWS calls *and* the state machine engine's
task calls (`dynamodb:updateItem`, `sns:publish`, `lambda:invoke`) meet the fault exactly as a client
meets it in AWS: the service's own error shapes and status codes, a dropped connection, a garbled body.

What each kind means, and why:
- throttle, server error: the service refused the request and did nothing (its documented 4xx/5xx).
- timeout: the request never reached the service; the client's connection is dropped unanswered.
- malformed: the service *did* the work, then the answer arrived garbled (a body cut short). This
  is the ambiguous case a real network produces; for providers it is a result that is not what
  was asked for (not a PNG, not an MP3, a draft that breaks the story rules).
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import re
import socket
import threading
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qs

from storyteller.errors import ProviderUnavailableError
from storyteller.local.wsgi_answer import WSGIApp, collect
from storyteller.models import Character, Scene, StoryDraft, Usage
from storyteller.providers.factory import ProviderOverrides
from storyteller.providers.protocols import Illustrator, Narrator, StoryWriter


class FaultKind(StrEnum):
    """How a call fails."""

    THROTTLE = "throttle"
    SERVER_ERROR = "server-error"
    TIMEOUT = "timeout"
    MALFORMED = "malformed"


class Target(StrEnum):
    """Where a fault can be injected: a provider, or one AWS API call of the flow."""

    WRITER = "writer"
    ILLUSTRATOR = "illustrator"
    NARRATOR = "narrator"
    DYNAMODB_PUT_ITEM = "dynamodb:PutItem"
    DYNAMODB_UPDATE_ITEM = "dynamodb:UpdateItem"
    S3_PUT_OBJECT = "s3:PutObject"
    SNS_PUBLISH = "sns:Publish"
    LAMBDA_INVOKE = "lambda:Invoke"


PROVIDER_TARGETS = (Target.WRITER, Target.ILLUSTRATOR, Target.NARRATOR)
AWS_TARGETS = (
    Target.DYNAMODB_PUT_ITEM,
    Target.DYNAMODB_UPDATE_ITEM,
    Target.S3_PUT_OBJECT,
    Target.SNS_PUBLISH,
    Target.LAMBDA_INVOKE,
)


@dataclass
class Fault:
    """One scripted fault; `served` counts the calls it failed. Remove it with `FaultPlan.remove`."""

    target: Target
    kind: FaultKind
    remaining: int | None  # None: always
    where: tuple[str, ...]  # only calls whose request text contains all of these
    served: int = 0

    def matches(self, target: Target, request_text: str) -> bool:
        return self.target is target and all(part in request_text for part in self.where)


@dataclass
class FaultPlan:
    """Which calls fail and how; shared by every thread of the local stack, so every method locks.

    `once`/`always` script a fault, optionally only for calls whose request contains `where` (a story
    id scopes a fault to one story, so drills can run side by side); `randomly` makes any call fail
    with a probability (soaks). `calls` counts the calls that reached a fault point, `injected` the faults.
    """

    timeout_seconds: float = 0.0
    _faults: list[Fault] = field(default_factory=list)
    _random_rate: float = 0.0
    _random_kinds: tuple[FaultKind, ...] = tuple(FaultKind)
    _random_targets: tuple[Target, ...] = tuple(Target)
    _rng: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    calls: Counter[Target] = field(default_factory=Counter)
    injected: Counter[tuple[Target, FaultKind]] = field(default_factory=Counter)
    published: Requests = field(default_factory=lambda: Requests())

    def once(self, target: Target, kind: FaultKind, where: str | tuple[str, ...] = ()) -> Fault:
        """The next matching call fails; the ones after it succeed."""
        return self._add(Fault(target, kind, 1, _parts(where)))

    def always(self, target: Target, kind: FaultKind, where: str | tuple[str, ...] = ()) -> Fault:
        """Every matching call fails until the fault is removed."""
        return self._add(Fault(target, kind, None, _parts(where)))

    def randomly(
        self,
        rate: float,
        seed: int | None = None,
        kinds: Iterable[FaultKind] = tuple(FaultKind),
        targets: Iterable[Target] = tuple(Target),
    ) -> FaultPlan:
        """Each call to one of `targets` fails with probability `rate`, with a kind picked at random."""
        with self._lock:
            self._random_rate = rate
            self._random_kinds = tuple(kinds)
            self._random_targets = tuple(targets)
            self._rng = random.Random(seed)
        return self

    def remove(self, fault: Fault) -> None:
        """This fault no longer fires (a no-op when a `once` fault has fired already)."""
        with self._lock:
            if fault in self._faults:
                self._faults.remove(fault)

    def clear(self) -> None:
        """No more faults, scripted or random (the counts stay)."""
        with self._lock:
            self._faults.clear()
            self._random_rate = 0.0

    def take(self, target: Target, request_text: str = "") -> FaultKind | None:
        """The fault this call meets, if any; counts the call and the fault."""
        with self._lock:
            self.calls[target] += 1
            kind = self._scripted(target, request_text) or self._random(target)
            if kind is not None:
                self.injected[(target, kind)] += 1
            return kind

    def total_injected(self) -> int:
        """Faults served so far, of every kind."""
        with self._lock:
            return sum(self.injected.values())

    def providers(
        self,
        writer: StoryWriter | None = None,
        illustrator: Illustrator | None = None,
        narrator: Narrator | None = None,
    ) -> ProviderOverrides:
        """Provider overrides whose calls go through this plan (None: a quick in-memory provider)."""
        return ProviderOverrides(
            writer=FaultyWriter(writer or QuickWriter(), self),
            illustrator=FaultyIllustrator(illustrator or QuickIllustrator(), self),
            narrator=FaultyNarrator(narrator or QuickNarrator(), self),
        )

    def middleware(self, app: WSGIApp) -> WSGIApp:
        """The local endpoint's app, with this plan's AWS faults in front of it."""
        return FaultyEndpoint(app, self)

    def _add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def _scripted(self, target: Target, request_text: str) -> FaultKind | None:
        for fault in self._faults:
            if fault.matches(target, request_text):
                fault.served += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                return fault.kind
        return None

    def _random(self, target: Target) -> FaultKind | None:
        if target in self._random_targets and self._rng.random() < self._random_rate:
            return self._rng.choice(self._random_kinds)
        return None


def _parts(where: str | tuple[str, ...]) -> tuple[str, ...]:
    return (where,) if isinstance(where, str) else where


class Requests:
    """Requests seen (a provider's, or SNS messages accepted), so a drill can count those for one story."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: list[str] = []

    def add(self, text: str) -> None:
        with self._lock:
            self._seen.append(text)

    def count(self, containing: str = "") -> int:
        with self._lock:
            return sum(1 for text in self._seen if containing in text)


def provider_failure(target: Target, kind: FaultKind) -> ProviderUnavailableError:
    """What a real provider raises for a transient failure (see openai_client.py, polly_narrator.py)."""
    said = {
        FaultKind.THROTTLE: "is rate limiting (429)",
        FaultKind.SERVER_ERROR: "had a server error (500)",
        FaultKind.TIMEOUT: "timed out",
    }[kind]
    return ProviderUnavailableError(f"the {target.value} {said} [injected fault]")


class FaultyWriter:
    """A writer whose calls meet the plan first; a malformed reply is a draft that breaks the rules.

    Its request text (for `where`) is the scene's id and the characters' ids.
    """

    def __init__(self, inner: StoryWriter, plan: FaultPlan) -> None:
        self.inner, self.model, self._plan = inner, inner.model, plan
        self.requests = Requests()

    def write(self, characters: list[Character], scene: Scene, feedback: str | None = None) -> StoryDraft:
        asked = f"{scene.id} " + " ".join(character.id for character in characters)
        self.requests.add(asked)
        kind = self._plan.take(Target.WRITER, asked)
        if kind is FaultKind.MALFORMED:
            return StoryDraft(title="<b>Untitled</b>", text="{" + '"choices": [' * 3)
        if kind is not None:
            raise provider_failure(Target.WRITER, kind)
        return self.inner.write(characters, scene, feedback)

    def usage(self) -> Usage:
        return self.inner.usage()


class FaultyIllustrator:
    """An illustrator whose calls meet the plan first; a malformed reply is an HTML error page.

    Its request text is the story's title.
    """

    def __init__(self, inner: Illustrator, plan: FaultPlan) -> None:
        self.inner, self.model, self._plan = inner, inner.model, plan
        self.requests = Requests()

    def illustrate(self, title: str, characters: list[Character], scene: Scene, moment: str = "") -> bytes:
        self.requests.add(title)
        kind = self._plan.take(Target.ILLUSTRATOR, title)
        if kind is FaultKind.MALFORMED:
            return b"<html><body>502 Bad Gateway</body></html>"
        if kind is not None:
            raise provider_failure(Target.ILLUSTRATOR, kind)
        return self.inner.illustrate(title, characters, scene, moment)

    def __getattr__(self, name: str) -> Any:
        # `usage()` and whatever else the inner illustrator offers (pricing asks for it by protocol).
        return getattr(self.inner, name)


class FaultyNarrator:
    """A narrator whose calls meet the plan first; a malformed reply is a JSON error, not audio.

    Its request text is what it reads (which starts with the title).
    """

    def __init__(self, inner: Narrator, plan: FaultPlan) -> None:
        self.inner, self.model, self._plan = inner, inner.model, plan
        self.requests = Requests()

    def narrate(self, text: str) -> bytes:
        self.requests.add(text)
        kind = self._plan.take(Target.NARRATOR, text)
        if kind is FaultKind.MALFORMED:
            return b'{"error": {"code": "InternalFailure"}}'
        if kind is not None:
            raise provider_failure(Target.NARRATOR, kind)
        return self.inner.narrate(text)


def tiny_png() -> bytes:
    """A valid 1x1 PNG: enough for orchestration drills, where the picture's content does not matter."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0])  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\x28\x2c\x5a")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


# Four silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz, 417 bytes each): a 0.1 s MP3 decoders accept.
TINY_MP3 = (b"\xff\xfb\x90\x00" + bytes(413)) * 4


class QuickWriter:
    """The offline rhyming writer (~15 ms a story): real, valid stories for drills."""

    model = "drill/rhyming"

    def __init__(self, seed: int = 7) -> None:
        from storyteller.providers.offline.writer import RhymingStoryWriter

        self._writer = RhymingStoryWriter(seed=seed)
        self._lock = threading.Lock()

    def write(self, characters: list[Character], scene: Scene, feedback: str | None = None) -> StoryDraft:
        with self._lock:  # the grammar's random state is not thread-safe
            return self._writer.write(characters, scene, feedback)

    def usage(self) -> Usage:
        return Usage()


class QuickIllustrator:
    """A 1x1 PNG at once."""

    model = "drill/png"

    def illustrate(self, title: str, characters: list[Character], scene: Scene, moment: str = "") -> bytes:
        return tiny_png()


class QuickNarrator:
    """A tenth of a second of silence as MP3, at once."""

    model = "drill/mp3"

    def narrate(self, text: str) -> bytes:
        return TINY_MP3


@dataclass(frozen=True)
class _ErrorShape:
    status: str
    headers: list[tuple[str, str]]
    body: bytes


_DYNAMODB_JSON = "application/x-amz-json-1.0"
_LAMBDA_INVOKE_PATH = re.compile(r"^/2015-03-31/functions/[^/]+/invocations$")
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([\w-]+)/aws4_request")


def _dynamodb_error(status: str, kind: str, message: str) -> _ErrorShape:
    body = json.dumps({"__type": kind, "message": message}).encode()
    return _ErrorShape(status, [("Content-Type", _DYNAMODB_JSON), ("x-amzn-RequestId", _request_id())], body)


def _request_id() -> str:
    return str(uuid.uuid4()).upper()


def _xml_error(status: str, code: str, message: str, sns: bool) -> _ErrorShape:
    request_id = _request_id()
    if sns:
        party = "Sender" if status.startswith("4") else "Receiver"
        text = (
            '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error>'
            f"<Type>{party}</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    else:
        text = f"<Error><Code>{code}</Code><Message>{message}</Message><RequestId>{request_id}</RequestId></Error>"
    return _ErrorShape(status, [("Content-Type", "text/xml"), ("x-amz-request-id", request_id)], text.encode())


def _lambda_error(status: str, kind: str, message: str) -> _ErrorShape:
    body = json.dumps({"Type": "Service" if status.startswith("5") else "User", "message": message}).encode()
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", kind), ("x-amzn-RequestId", _request_id())]
    return _ErrorShape(status, headers, body)


# Each service's own answer to a throttled or failed request, as its API reference documents it.
ERROR_SHAPES: dict[tuple[Target, FaultKind], _ErrorShape] = {
    (Target.DYNAMODB_PUT_ITEM, FaultKind.THROTTLE): _dynamodb_error(
        "400 Bad Request",
        "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded.",
    ),
    (Target.DYNAMODB_PUT_ITEM, FaultKind.SERVER_ERROR): _dynamodb_error(
        "500 Internal Server Error", "com.amazonaws.dynamodb.v20120810#InternalServerError", "Internal server error"
    ),
    (Target.S3_PUT_OBJECT, FaultKind.THROTTLE): _xml_error(
        "503 Slow Down", "SlowDown", "Please reduce your request rate.", sns=False
    ),
    (Target.S3_PUT_OBJECT, FaultKind.SERVER_ERROR): _xml_error(
        "500 Internal Server Error", "InternalError", "We encountered an internal error. Please try again.", sns=False
    ),
    (Target.SNS_PUBLISH, FaultKind.THROTTLE): _xml_error("400 Bad Request", "Throttled", "Rate exceeded", sns=True),
    (Target.SNS_PUBLISH, FaultKind.SERVER_ERROR): _xml_error(
        "500 Internal Server Error", "InternalError", "Internal Error", sns=True
    ),
    (Target.LAMBDA_INVOKE, FaultKind.THROTTLE): _lambda_error(
        "429 Too Many Requests", "TooManyRequestsException", "Rate Exceeded."
    ),
    (Target.LAMBDA_INVOKE, FaultKind.SERVER_ERROR): _lambda_error(
        "500 Internal Server Error", "ServiceException", "Lambda encountered an internal error."
    ),
}
ERROR_SHAPES[(Target.DYNAMODB_UPDATE_ITEM, FaultKind.THROTTLE)] = ERROR_SHAPES[
    (Target.DYNAMODB_PUT_ITEM, FaultKind.THROTTLE)
]
ERROR_SHAPES[(Target.DYNAMODB_UPDATE_ITEM, FaultKind.SERVER_ERROR)] = ERROR_SHAPES[
    (Target.DYNAMODB_PUT_ITEM, FaultKind.SERVER_ERROR)
]


class FaultyEndpoint:
    """WSGI middleware in front of moto: recognises the flow's AWS calls and fails them by the plan."""

    def __init__(self, app: WSGIApp, plan: FaultPlan) -> None:
        self._app = app
        self._plan = plan

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        target, text = _aws_call(environ)
        kind = self._plan.take(target, text) if target is not None else None
        if target is Target.SNS_PUBLISH and kind in (None, FaultKind.MALFORMED):
            start_response = self._counting_publishes(start_response, text)
        if target is None or kind is None:
            return self._app(environ, start_response)
        if kind is FaultKind.TIMEOUT:
            return self._drop(environ, start_response)
        if kind is FaultKind.MALFORMED:
            return self._garble(environ, start_response)
        shape = ERROR_SHAPES[(target, kind)]
        start_response(shape.status, [*shape.headers, ("Content-Length", str(len(shape.body)))])
        return [shape.body]

    def _counting_publishes(self, start_response: Callable[..., Any], request_text: str) -> Callable[..., Any]:
        # SNS took the message when it answers 200: one email, whatever the caller then hears.
        def counting(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if status.startswith("200"):
                self._plan.published.add(request_text)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        return counting

    def _drop(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # The service never sees the request and the client never hears back: as a timeout looks.
        time.sleep(self._plan.timeout_seconds)
        connection: socket.socket | None = environ.get("werkzeug.socket")
        if connection is not None:
            with contextlib.suppress(OSError):  # the client may have gone already
                connection.shutdown(socket.SHUT_RDWR)
        start_response("504 Gateway Timeout", [("Content-Length", "0")])
        return []

    def _garble(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        # The service acts; its answer arrives cut short.
        answer = collect(self._app, environ)
        garbled = answer.body[: len(answer.body) // 2] or b"{"
        headers = [(name, value) for name, value in answer.headers if name.lower() != "content-length"]
        start_response(answer.status, [*headers, ("Content-Length", str(len(garbled)))])
        return [garbled]


def _aws_call(environ: dict[str, Any]) -> tuple[Target | None, str]:
    """Which of the flow's AWS calls this request is, and its text (for `where`); (None, "") otherwise."""
    scope = _CREDENTIAL_SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    service = scope.group(1) if scope else ""
    method, path = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", "")
    if service == "s3":
        is_object = path.strip("/").count("/") >= 1 and "HTTP_X_AMZ_COPY_SOURCE" not in environ
        if method == "PUT" and is_object and not environ.get("QUERY_STRING"):
            return Target.S3_PUT_OBJECT, path
        return None, ""
    if service == "dynamodb":
        action = environ.get("HTTP_X_AMZ_TARGET", "").rpartition(".")[2]
        target = {"PutItem": Target.DYNAMODB_PUT_ITEM, "UpdateItem": Target.DYNAMODB_UPDATE_ITEM}.get(action)
        return (target, _body(environ)) if target else (None, "")
    if service == "sns":
        body = _body(environ)
        return (Target.SNS_PUBLISH, body) if parse_qs(body).get("Action") == ["Publish"] else (None, "")
    if service == "lambda" and method == "POST" and _LAMBDA_INVOKE_PATH.match(path):
        return Target.LAMBDA_INVOKE, path + " " + _body(environ)
    return None, ""


def _body(environ: dict[str, Any]) -> str:
    """Read the request body and put it back for the app behind us."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(raw)
    return raw.decode("utf-8", errors="replace")
