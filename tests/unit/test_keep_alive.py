"""The local endpoint's keep-alive handler, against a real socket: requests one after another on one
connection, whatever the app leaves unread."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from storyteller.local import keep_alive
from storyteller.local.keep_alive import KeepAliveRequestHandler, close_connections

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _echo(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Answers which connection asked, and what body it read when the path says to read it."""
    read = environ["wsgi.input"].read() if environ["PATH_INFO"] == "/read" else b""
    if environ["PATH_INFO"] == "/fail":
        raise RuntimeError("the app failed")
    body = f"{environ['REMOTE_PORT']} {len(read)} {read[:8].decode()}".encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


@pytest.fixture
def server() -> Iterator[BaseWSGIServer]:
    served = make_server("127.0.0.1", 0, _echo, threaded=True, request_handler=KeepAliveRequestHandler)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    yield served
    served.shutdown()
    close_connections(served)
    served.server_close()


def _connection(server: BaseWSGIServer) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)


def _ask(connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None) -> str:
    connection.request(method, path, body=body)
    answer = connection.getresponse()
    text = answer.read().decode()
    assert answer.status == 200, text
    return text


def test_one_connection_serves_request_after_request(server: BaseWSGIServer) -> None:
    connection = _connection(server)
    ports = {_ask(connection, "GET", "/").split()[0] for _ in range(20)}
    assert len(ports) == 1  # twenty answers, one client port: the connection was never closed


def test_a_body_the_app_leaves_unread_is_not_taken_for_the_next_request(server: BaseWSGIServer) -> None:
    connection = _connection(server)
    _ask(connection, "POST", "/ignore", body=b"GET /smuggled HTTP/1.1\r\n\r\n" + b"x" * 100_000)
    port, length, start = _ask(connection, "POST", "/read", body=b"second-body").split()
    assert (length, start) == ("11", "second-b")
    assert _ask(connection, "GET", "/").split()[0] == port


def test_a_chunked_body_reaches_the_app_whole(server: BaseWSGIServer) -> None:
    connection = _connection(server)
    connection.request("POST", "/read", body=iter([b"chunked-", b"body"]), encode_chunked=True)
    answer = connection.getresponse()
    assert answer.read().decode().split()[1:] == ["12", "chunked-"]
    assert _ask(connection, "GET", "/")  # and the connection is still good


def test_head_keeps_the_length_and_sends_no_body(server: BaseWSGIServer) -> None:
    connection = _connection(server)
    connection.request("HEAD", "/")
    answer = connection.getresponse()
    assert int(answer.headers["Content-Length"]) > 0
    assert answer.read() == b""
    assert _ask(connection, "GET", "/")  # no stray body bytes before the next answer


def test_an_app_that_fails_answers_500_and_closes(server: BaseWSGIServer) -> None:
    connection = _connection(server)
    connection.request("GET", "/fail")
    answer = connection.getresponse()
    assert answer.status == 500
    assert answer.headers["Connection"] == "close"
    answer.read()


def test_stopping_ends_the_connections_it_holds(server: BaseWSGIServer) -> None:
    raw = socket.create_connection(("127.0.0.1", server.server_port), timeout=5)
    raw.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert raw.recv(4096).startswith(b"HTTP/1.1 200")
    close_connections(server)
    assert raw.recv(4096) == b""  # the server closed it: an idle connection is not kept past a stop
    raw.close()


def test_a_body_above_the_cap_is_refused_before_it_is_read(server: BaseWSGIServer) -> None:
    with socket.create_connection(("127.0.0.1", server.server_port), timeout=10) as raw:
        # The headers announce 200 MB more than the cap, and no byte of the body is ever sent.
        raw.sendall(
            f"PUT /read HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {keep_alive.MAX_BODY_BYTES + 1}\r\n\r\n".encode()
        )
        answer = raw.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 413")
    assert "Connection: close" in answer


def test_a_chunked_body_above_the_cap_is_refused_after_reading_no_more_than_the_cap(
    server: BaseWSGIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keep_alive, "MAX_BODY_BYTES", 1000)
    connection = _connection(server)
    connection.request("PUT", "/read", body=iter([b"x" * 600, b"y" * 600]), encode_chunked=True)
    answer = connection.getresponse()
    assert answer.status == 413
    connection.close()

    assert _ask(_connection(server), "PUT", "/read", body=b"z" * 1000).split()[1] == "1000"
