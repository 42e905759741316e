"""Keep-alive for the local endpoint: a client's connection serves its requests one after another.

werkzeug's development server answers every request with `Connection: close`, so each AWS call made on
this machine paid a new TCP connection and a new server thread: most of a local DynamoDB call's ~3 ms,
and a story makes dozens of calls (bench/orchestration.py), a family's shelf two per view
(bench/frontend.py). botocore keeps a connection open when the server lets it.

werkzeug closes for a reason: what an app leaves unread of a request body would be read as the next
request. Here the body is read whole before the app sees it (a request is at most a picture), and the
answer is sent with its length, so a connection is always at a request's boundary between requests.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import threading
import weakref
from socketserver import BaseServer
from typing import Any

from moto.moto_server.werkzeug_app import MotoRequestHandler

from storyteller.local.wsgi_answer import chunks_of

log = logging.getLogger(__name__)

# An idle connection is closed after this long; botocore opens a new one when it next needs one.
IDLE_SECONDS = 120.0
# The largest request body read: well above the largest object we store (a narration MP3 of a 600-word
# story is ~3 MB, a picture ~2 MB; a DynamoDB item is at most 400 KB). A bigger one is refused unread,
# before its signature is checked, so no caller can make the endpoint hold hundreds of MB (issue 30).
MAX_BODY_BYTES = 32 * 1024 * 1024
_NO_BODY_STATUSES = (204, 304)
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})
_open: weakref.WeakKeyDictionary[BaseServer, set[socket.socket]] = weakref.WeakKeyDictionary()
_open_lock = threading.Lock()


class KeepAliveRequestHandler(MotoRequestHandler):
    """moto's request handler (its environ, with S3's underscored headers), answering with keep-alive."""

    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS  # socketserver sets it on the connection: an idle read ends the connection

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as two writes: without this the body waits for the client's delayed
        # ACK of the headers (Nagle), 40 ms a request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with _open_lock:
            _open.setdefault(self.server, set()).add(self.connection)

    def finish(self) -> None:
        with _open_lock:
            _open.get(self.server, set()).discard(self.connection)
        super().finish()

    def run_wsgi(self) -> None:
        # parse_request has answered `Expect: 100-continue` already (HTTP/1.1).
        environ = self.make_environ()
        body = _read_body(environ)
        if body is None:
            self.close_connection = True  # the unread rest of the body must not be taken for a request
            self._send("413 Content Too Large", [("Content-Type", "text/plain")], b"request body too large")
            return
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ.update({"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))})
        environ["wsgi.input_terminated"] = True
        answer: dict[str, Any] = {}
        parts: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            # Nothing is sent before the app is done, so a second call (with exc_info) simply wins.
            answer["status"], answer["headers"] = status, headers
            return parts.append

        try:
            for chunk in chunks_of(self.server.app(environ, start_response)):
                parts.append(chunk)  # after anything the app wrote through `write`
        except Exception:
            log.exception("local endpoint: %s %s failed", self.command, self.path)
            answer = {"status": "500 Internal Server Error", "headers": [("Content-Type", "text/plain")]}
            parts = [b"Internal Server Error"]
            self.close_connection = True
        self._send(answer["status"], answer["headers"], b"".join(parts))

    def _send(self, status: str, headers: list[tuple[str, str]], data: bytes) -> None:
        code, _, reason = status.partition(" ")
        has_body = self.command != "HEAD" and int(code) not in _NO_BODY_STATUSES and not 100 <= int(code) < 200
        try:
            self.send_response(int(code), reason)
            for name, value in headers:
                lowered = name.lower()
                # HEAD answers keep the length of what GET would send (S3's HeadObject).
                if lowered not in _HOP_BY_HOP or (lowered == "content-length" and self.command == "HEAD"):
                    self.send_header(name, value)
            if has_body:
                self.send_header("Content-Length", str(len(data)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if has_body:
                self.wfile.write(data)
        except OSError:  # the client went, or a fault drill dropped the connection on purpose
            self.close_connection = True

    def log_error(self, format: str, *args: Any) -> None:
        if format.startswith("Request timed out"):
            return  # an idle keep-alive connection reaching IDLE_SECONDS: nothing went wrong
        super().log_error(format, *args)


def close_connections(server: BaseServer) -> None:
    """End every connection the server still holds open: a stopped endpoint answers nothing more."""
    with _open_lock:
        connections = list(_open.pop(server, set()))
    for connection in connections:
        with contextlib.suppress(OSError):  # closed already
            connection.shutdown(socket.SHUT_RDWR)


def _read_body(environ: dict[str, Any]) -> bytes | None:
    """The whole request body: by its length, or to the end of its chunks (werkzeug's DechunkedInput);
    None, having read at most MAX_BODY_BYTES, when it is longer than that."""
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):
        body = bytes(stream.read(MAX_BODY_BYTES + 1))
        return body if len(body) <= MAX_BODY_BYTES else None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if length > MAX_BODY_BYTES:
        return None
    return bytes(stream.read(length)) if length > 0 else b""
