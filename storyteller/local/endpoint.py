"""moto as this machine's AWS: one threaded server, reached like AWS through `AWS_ENDPOINT_URL`."""

from __future__ import annotations

import logging
import os
import socket

from moto.core.config import default_user_config
from moto.moto_api._internal.models import moto_api_backend
from moto.server import ThreadedMotoServer

from storyteller.dal.aws import reset_clients
from storyteller.local import redrive

# Any credentials do for moto; set them so boto3 never looks for a real AWS profile.
_FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "storyteller-local",
    "AWS_SECRET_ACCESS_KEY": "storyteller-local",
    "AWS_SESSION_TOKEN": "storyteller-local",
}


class LocalEndpoint:
    """Starts moto with its Step Functions engine executing the real ASL."""

    def __init__(self, region: str, port: int = 0) -> None:
        self.region = region
        self._port = port or _free_port()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self._port, verbose=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def start(self) -> None:
        """Serve, and point this process's AWS clients (and moto's own engine) at it."""
        default_user_config["stepfunctions"]["execute_state_machine"] = True
        redrive.install()
        # The engine logs whole parse trees on a failed state; our own logs say what failed.
        logging.getLogger("moto").setLevel(logging.CRITICAL)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        moto_api_backend.reset()  # moto's backends live in the process: start from nothing
        self._server.start()
        os.environ.update(_FAKE_CREDENTIALS)
        os.environ["AWS_ENDPOINT_URL"] = self.url
        os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = self.region
        os.environ["MOTO_PORT"] = str(self._port)  # where moto's engine sends its own task calls
        reset_clients()

    def stop(self) -> None:
        """Stop serving; the process's state is gone with it (the runtime saves what matters first)."""
        self._server.stop()
        reset_clients()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
