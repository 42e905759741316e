"""The email's one-click unsubscribe link works against `storyteller up`: the link the local mailer signed
reaches the page `up` serves, stops that address, shows on the family's manage page, and a replayed or
altered token changes nothing."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from storyteller.local.outbox import read_email

REPO_ROOT = Path(__file__).resolve().parents[2]  # this checkout's code, whatever the venv points at
STARTUP_SECONDS = 240  # a first start writes, draws, reads and emails a whole story; CI machines are loaded
RECIPIENT = "family@example.com"  # the default family's one address (settings.notify_email)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _until(ready: Callable[[], object], what: str, up: subprocess.Popen[bytes], said: Path, deadline: float) -> None:
    """Wait for `ready()` while `up` lives; no sleep proves anything, each wait ends on what it waits for."""
    while not ready():
        assert up.poll() is None, said.read_text(errors="replace")
        assert time.monotonic() < deadline, f"no {what} after {STARTUP_SECONDS} s: {said.read_text(errors='replace')}"
        time.sleep(0.2)


def _answers(url: str) -> bool:
    """Whether the server takes connections yet ("Stories at" is said just before uvicorn listens)."""
    try:
        httpx.get(url, timeout=30)
    except httpx.TransportError:
        return False
    return True


def _altered(url: str) -> str:
    """The same link with the first character of its token's signature changed (every bit of it counts; the
    last character of base64 carries padding bits, so changing that one may change nothing)."""
    head, _, signature = url.rpartition(".")
    return f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


def test_the_emails_one_click_link_stops_its_address_on_a_running_stack(isolated_env: Path, tmp_path: Path) -> None:
    said = tmp_path / "up.err"
    with said.open("wb") as err:
        up = subprocess.Popen(
            [sys.executable, "-c", "from storyteller.cli.main import main; main()", "up", "--port", str(_free_port())],
            stdout=subprocess.DEVNULL,
            stderr=err,
            env={**os.environ, "STORYTELLER_CONSOLE_PASSWORD": "moonlight-operator", "PYTHONPATH": str(REPO_ROOT)},
        )
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            _until(lambda: "Stories at" in said.read_text(errors="replace"), "pages", up, said, deadline)
            outbox = isolated_env / "outbox"
            _until(lambda: list(outbox.glob("*.eml")), "email", up, said, deadline)
            email = read_email(next(outbox.glob("*.eml")))
            link = re.fullmatch(r"<(\S+/unsubscribe/\S+)>", str(email["List-Unsubscribe"]))
            assert link is not None, email["List-Unsubscribe"]
            shelf = re.search(r"shelf (http://127\.0\.0\.1:\d+/shelf/\S+)", said.read_text(errors="replace"))
            assert shelf is not None

            _until(lambda: _answers(shelf.group(1)), "answer", up, said, deadline)
            with httpx.Client(timeout=60) as web:
                before = web.get(f"{shelf.group(1)}/manage").text
                # As a mail provider sends it (RFC 8058): from its own servers, no cookie, this one field.
                altered = web.post(_altered(link.group(1)), data={"List-Unsubscribe": "One-Click"})
                kept = web.get(f"{shelf.group(1)}/manage").text
                stopped = web.post(link.group(1), data={"List-Unsubscribe": "One-Click"})
                replayed = web.post(link.group(1), data={"List-Unsubscribe": "One-Click"})
                after = web.get(f"{shelf.group(1)}/manage").text
            up.send_signal(signal.SIGTERM)
            assert up.wait(timeout=120) == 0, said.read_text(errors="replace")
        finally:
            if up.poll() is None:
                up.kill()

    assert email["To"] == RECIPIENT
    assert "left (unsubscribed)" not in before
    assert altered.status_code == 404
    assert "left (unsubscribed)" not in kept
    assert stopped.status_code == 200
    assert f"No more stories to {RECIPIENT}" in stopped.text
    assert replayed.status_code == 200  # the same answer, and the first stop (its reason and time) stays
    assert after.count("left (unsubscribed)") == 1
