"""Closing the terminal running `make demo` (SIGHUP) or a stop from a service manager (SIGTERM) stops
`storyteller up` the way Ctrl-C does: the state is saved and the next start finds every story."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storyteller import names
from storyteller.local.store import DurableStore

REPO_ROOT = Path(__file__).resolve().parents[2]  # this checkout's code, whatever the venv points at
STARTUP_SECONDS = 240  # a first start writes, draws and reads a whole story; CI machines are loaded


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("stop", [signal.SIGHUP, signal.SIGTERM])
def test_a_stop_signal_saves_state_like_ctrl_c(isolated_env: Path, tmp_path: Path, stop: signal.Signals) -> None:
    log = tmp_path / "up.err"
    with log.open("wb") as err:
        up = subprocess.Popen(
            [sys.executable, "-c", "from storyteller.cli.main import main; main()", "up", "--port", str(_free_port())],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**os.environ, "STORYTELLER_CONSOLE_PASSWORD": "moonlight-operator", "PYTHONPATH": str(REPO_ROOT)},
        )
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while "Stories at" not in log.read_text(errors="replace"):
                assert up.poll() is None, log.read_text()
                assert time.monotonic() < deadline, f"not serving after {STARTUP_SECONDS} s: {log.read_text()}"
                time.sleep(0.2)
            up.send_signal(stop)
            code = up.wait(timeout=120)
        finally:
            if up.poll() is None:
                up.kill()
    said = log.read_text()
    assert code == 0, said
    assert "Stopped; state saved." in said
    assert len(DurableStore(isolated_env).items(names.STORIES_TABLE)) == 1  # the first story, made at start
    assert not (isolated_env / "endpoint").exists()
