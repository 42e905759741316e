"""Bad settings and a busy port are found before any work, each as one line and exit code 2."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyteller.cli.main import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("cron", "says"),
    [
        ("61 25 * * *", "STORYTELLER_SCHEDULE_CRON: cron '61 25 * * *'"),
        ("0 19 31 2 *", "never fires"),
        ("0 19 * 13 *", "STORYTELLER_SCHEDULE_CRON: cron '0 19 * 13 *'"),
    ],
)
@pytest.mark.parametrize("command", ["tonight", "up", "seed"])
def test_a_cron_that_cannot_fire_is_a_bad_setting(
    monkeypatch: pytest.MonkeyPatch, isolated_env: Path, cron: str, says: str, command: str
) -> None:
    monkeypatch.setenv("STORYTELLER_SCHEDULE_CRON", cron)
    result = runner.invoke(app, [command])

    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: bad setting: ")
    assert says in lines[0]
    assert not isolated_env.exists(), "nothing was started or written"


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield int(taken.getsockname()[1])


def test_a_busy_port_is_found_before_any_story_is_made(busy_port: int, isolated_env: Path) -> None:
    result = runner.invoke(app, ["up", "--port", str(busy_port)])

    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: port {busy_port} on 127.0.0.1 is in use: stop what uses it, or pass --port N"
    )
    assert not isolated_env.exists(), "no endpoint, no state, no story"


def test_python_dash_m_runs_the_same_command_as_the_console_script() -> None:
    shown = subprocess.run(
        [sys.executable, "-m", "storyteller", "--help"], capture_output=True, text=True, timeout=300, check=False
    )
    assert shown.returncode == 0, shown.stderr
    assert "family" in shown.stdout
    assert "Usage: python -m storyteller" in shown.stdout
