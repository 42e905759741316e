"""One way to hold a WSGI app's answer: what the write-ahead layer and the fault injector both act on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from storyteller.local.wsgi_answer import collect


class _Chunks:
    """A body that is an iterable with `close`, as werkzeug's are; it records being closed."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)

    def close(self) -> None:
        self.closed = True


def test_the_whole_answer_is_held_written_parts_first_and_the_body_closed() -> None:
    body = _Chunks([b"three ", b"four"])

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> _Chunks:
        write = start_response("201 Created", [("Content-Type", "text/plain")])
        write(b"one two ")  # PEP 3333's legacy write(): part of the answer too
        return body

    answer = collect(app, {})

    assert (answer.status, answer.headers, answer.body) == (
        "201 Created",
        [("Content-Type", "text/plain")],
        b"one two three four",
    )
    assert answer.ok
    assert body.closed


def test_a_held_answer_is_released_as_it_came() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("404 Not Found", [("X-A", "b")])
        return [b"no"]

    answer = collect(app, {})
    sent: list[tuple[str, list[tuple[str, str]]]] = []

    released = answer.release(lambda status, headers: sent.append((status, headers)))

    assert not answer.ok
    assert (sent, list(released)) == ([("404 Not Found", [("X-A", "b")])], [b"no"])
