"""A WSGI app's answer, read the way a server must: every chunk in order, then the app's `close`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def chunks_of(answer: Iterable[bytes]) -> Iterator[bytes]:
    """Each chunk of `answer`; its `close` (PEP 3333) is called when they are read or reading stops."""
    try:
        yield from answer
    finally:
        close = getattr(answer, "close", None)
        if close is not None:
            close()
