"""A WSGI app's answer, read the way a server must: every chunk in order, then the app's `close`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def chunks_of(answer: Iterable[bytes]) -> Iterator[bytes]:
    """Each chunk of `answer`; its `close` (PEP 3333) is called when they are read or reading stops."""
    try:
        yield from answer
    finally:
        close = getattr(answer, "close", None)
        if close is not None:
            close()


@dataclass
class Answer:
    """A whole answer held back, so a layer can act on it (store a write, cut it short) before passing it on."""

    status: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @property
    def ok(self) -> bool:
        return self.status.startswith("2")

    def release(self, start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Pass the held answer on to the server."""
        start_response(self.status, self.headers)
        return [self.body]


def collect(app: WSGIApp, environ: dict[str, Any]) -> Answer:
    """The app's whole answer: its status and headers, and its body from `write` calls and chunks alike."""
    answer = Answer()
    parts: list[bytes] = []

    def capture(status: str, headers: list[tuple[str, str]], *_: Any) -> Callable[[bytes], None]:
        answer.status, answer.headers = status, list(headers)
        return parts.append

    parts.extend(chunks_of(app(environ, capture)))
    answer.body = b"".join(parts)
    return answer
