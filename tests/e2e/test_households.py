"""Two families set up through the CLI, each getting only its own stories, emails and shelf (issue 14)."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from frontend.app import create_app
from frontend.settings import FrontendSettings
from storyteller import names
from storyteller.cli.main import app
from storyteller.local.outbox import email_text, read_email
from storyteller.local.runtime import LocalRuntime
from storyteller.local.store import STATE_FILE
from storyteller.settings import get_settings
from tests.conftest import fresh_clients, isolate

runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _ok(*args: str) -> str:
    code, out, err = _run(*args)
    assert code == 0, f"{args}: {err}"
    return out


def _family(family_id: str) -> dict[str, object]:
    shown: dict[str, object] = json.loads(_ok("family", "show", family_id, "--json"))
    return shown


def test_two_families_each_get_only_their_own_stories_emails_and_shelf(isolated_env: Path) -> None:
    _ok("family", "add", "smiths", "--email", "mum@smiths.example", "--email", "gran@smiths.example",
        "--time-zone", "Europe/Paris", "--at", "19:30", "--age", "6")  # fmt: skip
    _ok("family", "add", "okafor", "--email", "dad@okafor.example", "--time-zone", "America/New_York", "--at", "18:45")
    _ok("cast", "add", "smiths", "Ada", "a brave girl of six with a red scarf")
    _ok("cast", "add", "smiths", "Sam", "her little brother who loves trains")
    _ok("scene", "add", "smiths", "treehouse", "the treehouse in the garden, with a rope ladder and fairy lights")
    _ok("cast", "add", "okafor", "Chidi", "a curious boy who collects shiny pebbles")
    _ok("cast", "add", "okafor", "Nneka", "his big sister who can whistle any tune")
    _ok("scene", "add", "okafor", "harbour", "a sleepy harbour where the boats bob under the lighthouse")

    smiths, okafor = _family("smiths"), _family("okafor")
    assert {"id", "recipients", "timeZone", "at", "next", "shelf"} <= set(smiths)
    assert smiths["recipients"] == ["mum@smiths.example", "gran@smiths.example"]
    assert str(smiths["next"]).endswith(("+01:00", "+02:00"))  # Paris, winter or summer
    assert "T19:30:00" in str(smiths["next"])
    assert str(okafor["next"]).endswith(("-05:00", "-04:00"))  # New York
    assert "T18:45:00" in str(okafor["next"])
    listed = _ok("family", "list")
    assert {line.split()[0] for line in listed.splitlines()} == {"default", "okafor", "smiths"}

    nights = {family: json.loads(_ok("tonight", "--family", family, "--json")) for family in ("smiths", "okafor")}

    assert set(nights["smiths"]["characters"]) <= {"Ada", "Sam"}
    assert set(nights["okafor"]["characters"]) <= {"Chidi", "Nneka"}
    assert nights["smiths"]["scene"].startswith("the treehouse")
    assert nights["okafor"]["scene"].startswith("a sleepy harbour")
    for family, expected in (("smiths", smiths), ("okafor", okafor)):
        night = nights[family]
        emails = [read_email(Path(path)) for path in night["emails"]]
        assert sorted(email["To"] for email in emails) == sorted(expected["recipients"])  # type: ignore[arg-type]
        for email in emails:
            body = email_text(email)
            assert f"/stories/{night['id']}" in body
            assert str(expected["shelf"]) in body  # every email carries the family's private shelf
    other_paths = {Path(path).name for path in nights["okafor"]["emails"]}
    assert not other_paths & {Path(path).name for path in nights["smiths"]["emails"]}

    with (
        LocalRuntime(get_settings()) as runtime,
        TestClient(create_app(runtime.settings, FrontendSettings(console_password="moonlight-operator"))) as web,
    ):
        for family, other in (("smiths", "okafor"), ("okafor", "smiths")):
            shelf_path = str(_shelf_path(smiths if family == "smiths" else okafor))
            page = web.get(shelf_path)
            assert page.status_code == 200
            assert f"/stories/{nights[family]['id']}" in page.text
            assert f"/stories/{nights[other]['id']}" not in page.text
        home = web.get("/").text
        assert nights["smiths"]["id"] not in home
        assert nights["okafor"]["id"] not in home
        stolen = str(_shelf_path(smiths)).rsplit("/", 1)[0] + "/" + str(_shelf_path(okafor)).rsplit("/", 1)[1]
        assert web.get(stolen).status_code == 404  # the Okafors' token opens nothing of the Smiths'


def _shelf_path(family: dict[str, object]) -> str:
    match = re.search(r"(/shelf/[^/]+/[A-Za-z0-9_-]+)$", str(family["shelf"]))
    assert match is not None
    return match.group(1)


@pytest.fixture(scope="module")
def one_family_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home holding one family with its cast and scene, set up once and copied into each test's home."""
    home = tmp_path_factory.mktemp("one-family") / "home"
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, home)
        _ok("family", "add", "jones", "--email", "mum@jones.example", "--time-zone", "Europe/London", "--at", "19:00")
        _ok("cast", "add", "jones", "Ada", "a brave girl of six")
        _ok("scene", "add", "jones", "treehouse", "the treehouse in the garden")
    fresh_clients()
    return home


def _state(home: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the state file, in a stable order."""
    db = sqlite3.connect(home / STATE_FILE)
    try:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {table: sorted(db.execute(f'SELECT * FROM "{table}"').fetchall()) for table in tables}
    finally:
        db.close()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["family", "add", "smiths", "--email", "not-an-address", "--time-zone", "Europe/Paris", "--at", "19:30"],
         "'not-an-address' is not an email address"),
        (["family", "add", "smiths", "--email", "a@b.example", "--time-zone", "Mars/Olympus", "--at", "19:30"],
         "unknown IANA time zone 'Mars/Olympus'"),
        (["family", "add", "smiths", "--email", "a@b.example", "--time-zone", "Europe/Paris", "--at", "7pm"],
         "'7pm' is not a time of day"),
        (["family", "add", "Smiths!", "--email", "a@b.example", "--time-zone", "Europe/Paris", "--at", "19:30"],
         "id: String should match pattern"),
        (["family", "show", "nobody"], "no family 'nobody'"),
        (["tonight", "--family", "nobody"], "no family 'nobody'"),
        (["cast", "add", "nobody", "Ada", "a girl"], "no family 'nobody'"),
        (["family", "remove", "default"], "the default family"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_code_2_and_writes_nothing(
    one_family_home: Path, isolated_env: Path, args: list[str], says: str
) -> None:
    shutil.copytree(one_family_home, isolated_env)
    before = _state(isolated_env)
    assert any(row[0] == names.FAMILIES_TABLE for row in before["items"])  # something that could be removed

    code, _, err = _run(*args)

    assert code == 2, err
    assert says in err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("error:")] == [err.splitlines()[-1]]
    assert _state(isolated_env) == before  # nothing half-written, nothing removed


def test_a_duplicate_family_character_or_scene_is_refused_and_the_first_kept(isolated_env: Path) -> None:
    _ok("family", "add", "smiths", "--email", "mum@smiths.example", "--time-zone", "Europe/Paris", "--at", "19:30")
    _ok("cast", "add", "smiths", "Ada", "a brave girl of six")
    _ok("scene", "add", "smiths", "treehouse", "the treehouse in the garden")

    for args, says in (
        (["family", "add", "smiths", "--email", "x@y.example", "--time-zone", "UTC", "--at", "18:00"], "already"),
        (["cast", "add", "smiths", "ada", "another Ada"], "already has a character called 'ada'"),
        (["scene", "add", "smiths", "treehouse", "another treehouse"], "already has a scene 'treehouse'"),
        (["cast", "remove", "smiths", "Zed"], "has no character 'zed'"),
    ):
        code, _, err = _run(*args)
        assert code == 2, (args, err)
        assert says in err, (args, err)

    assert _family("smiths")["recipients"] == ["mum@smiths.example"]
    assert "a brave girl of six" in _ok("cast", "list", "smiths")
    assert "the treehouse in the garden" in _ok("scene", "list", "smiths")
    _ok("family", "remove", "smiths")
    assert "smiths" not in _ok("family", "list")
