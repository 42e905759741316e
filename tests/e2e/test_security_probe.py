"""The CLI's edges found by the security probe (issue 30): what it refuses, and the links it prints."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from storyteller.cli.main import app
from storyteller.cli.support import publishing_pages
from storyteller.local.lock import HomeLock
from storyteller.local.runtime import LocalRuntime
from storyteller.settings import get_settings

runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _refused(args: list[str], says: str) -> None:
    code, _, err = _run(*args)
    assert code == 2, (args, err)
    assert says in err, (args, err)
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("error:")] == [err.splitlines()[-1]]


def _smiths() -> None:
    for args in (
        ["family", "add", "smiths", "--email", "mum@smiths.example", "--time-zone", "Europe/Paris", "--at", "19:30"],
        ["cast", "add", "smiths", "Ada", "a brave girl of six"],
        ["scene", "add", "smiths", "treehouse", "the treehouse in the garden"],
    ):
        code, _, err = _run(*args)
        assert code == 0, err


def test_the_last_character_and_the_last_scene_are_kept(isolated_env: Path) -> None:
    _smiths()

    _refused(["cast", "remove", "smiths", "Ada"], "'ada' is the only character left")
    _refused(["scene", "remove", "smiths", "treehouse"], "'treehouse' is the only scene left")

    assert "Ada" in _run("cast", "list", "smiths")[1]
    assert "treehouse" in _run("scene", "list", "smiths")[1]


def test_control_characters_and_bad_addresses_are_refused_at_input(isolated_env: Path) -> None:
    _smiths()
    _refused(["cast", "add", "smiths", "Ada\x1b]0;owned\x07", "a girl"], "control character '\\x1b' is not allowed")
    long_address = "a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".example"  # 255 characters: the limit is 254
    _refused(
        ["family", "add", "jones", "--email", long_address, "--time-zone", "UTC", "--at", "19:00"],
        "is not an email address",
    )
    assert "jones" not in _run("family", "list")[1]
    assert _run("cast", "list", "smiths")[1].count("\n") == 1


def test_links_printed_beside_a_running_stack_use_its_own_port(isolated_env: Path) -> None:
    _smiths()
    settings = get_settings().model_copy(update={"port": 8765})  # as `storyteller up --port 8765` runs
    lock = HomeLock(settings.home)
    lock.acquire()  # this process is the running `up`: the commands attach to its endpoint
    try:
        with LocalRuntime(settings), publishing_pages(settings):
            shown = _run("family", "show", "smiths")
            revoked = _run("family", "revoke", "smiths")
    finally:
        lock.release()

    assert shown[0] == revoked[0] == 0, (shown, revoked)
    assert "shelf:       http://127.0.0.1:8765/shelf/smiths/" in shown[1]
    assert revoked[1].startswith("http://127.0.0.1:8765/shelf/smiths/")
    assert not (settings.home / "pages").exists()  # gone with the stack
