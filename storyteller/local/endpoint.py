"""moto as this machine's AWS: one threaded server, reached like AWS through `AWS_ENDPOINT_URL`."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from moto.core.config import default_user_config
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

from storyteller.dal.aws import reset_clients
from storyteller.local import engine, redrive, streams, untracked_items
from storyteller.local.guard import LocalCredentials, guarded
from storyteller.local.keep_alive import KeepAliveRequestHandler, close_connections
from storyteller.local.write_ahead import Durability, write_ahead
from storyteller.local.wsgi_answer import WSGIApp

# Credentials come from the home (guard.LocalCredentials); no session token, nor any real AWS profile.
_NOT_OURS = ("AWS_SESSION_TOKEN", "AWS_PROFILE")


Middleware = Callable[[WSGIApp], WSGIApp]


class _Dispatcher(DomainDispatcherApplication):
    """moto's app, remembering which backend serves which host.

    moto matches every request's host against hundreds of URL patterns under one process-wide lock;
    with a few dozen runs at once that was most of the local stack's CPU (the 100-story load test).
    """

    def __init__(self) -> None:
        super().__init__(create_backend_app)
        self._backend_of: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        if host not in self._backend_of:
            self._backend_of[host] = super().get_backend_for_host(host)
        return self._backend_of[host]


class _Server(ThreadedMotoServer):
    """moto's threaded server with keep-alive; its app optionally wrapped (fault drills: local/faults.py)."""

    def __init__(
        self,
        port: int,
        middleware: Middleware | None,
        credentials: LocalCredentials,
        durability: Durability | None,
    ) -> None:
        super().__init__(ip_address="127.0.0.1", port=port, verbose=False)
        self._middleware = middleware
        self._credentials = credentials
        self._durability = durability

    def _server_entry(self) -> None:
        app: Any = write_ahead(_Dispatcher(), self._durability)
        if self._middleware is not None:
            app = self._middleware(app)
        app = guarded(app, self._credentials)
        self._server = make_server(self._ip_address, self._port, app, True, request_handler=KeepAliveRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()

    def stop(self) -> None:
        super().stop()
        if self._server is not None:
            close_connections(self._server)
            self._server.server_close()


class LocalEndpoint:
    """Starts moto with its Step Functions engine executing the real ASL."""

    def __init__(
        self,
        region: str,
        home: Path,
        port: int = 0,
        middleware: Middleware | None = None,
        durability: Durability | None = None,
    ) -> None:
        self.region = region
        self._home = home
        self._port = port or _free_port()
        self._middleware = middleware
        self.durability = durability  # None: writes live in memory only (tests of the endpoint alone)
        self._server: _Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> None:
        """Serve, and point this process's AWS clients (and moto's own engine) at it."""
        default_user_config["stepfunctions"]["execute_state_machine"] = True
        redrive.install()
        engine.install()
        streams.install()
        untracked_items.install()
        # The engine logs whole parse trees on a failed state; our own logs say what failed.
        logging.getLogger("moto").setLevel(logging.CRITICAL)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        moto_api_backend.reset()  # moto's backends live in the process: start from nothing
        credentials = LocalCredentials.for_home(self._home)
        self._server = _Server(self._port, self._middleware, credentials, self.durability)
        self._server.start()
        _use(credentials)
        os.environ["AWS_ENDPOINT_URL"] = self.url
        os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = self.region
        os.environ["MOTO_PORT"] = str(self._port)  # where moto's engine sends its own task calls
        reset_clients()

    @staticmethod
    def attach(url: str, region: str, home: Path) -> None:
        """Point this process's AWS clients at an endpoint another process serves (a running `storyteller up`)."""
        _use(LocalCredentials.for_home(home))
        os.environ["AWS_ENDPOINT_URL"] = url
        os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = region
        reset_clients()

    def stop(self) -> None:
        """Stop serving; what it acknowledged is already on disk (write_ahead), the rest goes with it."""
        if self._server is not None:
            self._server.stop()
        reset_clients()


def _use(credentials: LocalCredentials) -> None:
    for variable in _NOT_OURS:
        os.environ.pop(variable, None)
    os.environ.update(credentials.environment())


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
