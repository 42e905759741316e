"""The web pages' edges found by the security probe (issue 30), over the real app with small fakes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient

from frontend.app import create_app
from frontend.redact import without_shelf_tokens
from frontend.settings import FrontendSettings
from storyteller.cli.main import web_server_config
from storyteller.dal.families import family_from_row
from storyteller.errors import NotFoundError
from storyteller.mail import MailStop
from storyteller.models import Character, Family, NightFailure, Scene
from storyteller.settings import Settings
from tests.unit.test_frontend_console import PASSWORD, FakeStepFunctions, csrf, log_in, make_client, run_name
from tests.unit.test_frontend_pages import SMITHS, Presigner, Shelf

TOKEN = SMITHS.shelfToken


class FamilyRows:
    """The Families table as rows, each parsed into a Family on every read, as FamilyStore does."""

    def __init__(self, *families: Family) -> None:
        self.rows = {family.id: family.model_dump(mode="json") for family in families}

    def get(self, family_id: str) -> Family | None:
        row = self.rows.get(family_id)
        return family_from_row(dict(row)) if row is not None else None

    def replace(self, family: Family) -> None:
        self.rows[family.id] = family.model_dump(mode="json")

    def mail_stops(self, family_id: str) -> dict[str, MailStop]:
        """No address has left (issue 26's unsubscribes; these tests are about the probe's findings)."""
        return {}

    def stop_mail(self, family_id: str, address: str, stop: MailStop) -> bool:
        return False


class Catalog:
    """One family's cast and scenes, in memory."""

    def __init__(self) -> None:
        self.cast = {"ada": Character(id="ada", name="Ada", description="a brave girl of six")}
        self.places = {"treehouse": Scene(id="treehouse", description="the treehouse in the garden")}

    def characters(self) -> list[Character]:
        return list(self.cast.values())

    def scenes(self) -> list[Scene]:
        return list(self.places.values())

    def add_character(self, character: Character) -> None:
        self.cast[character.id] = character

    def add_scene(self, scene: Scene) -> None:
        self.places[scene.id] = scene

    def remove_character(self, character_id: str) -> None:
        if self.cast.pop(character_id, None) is None:
            raise NotFoundError(f"no character {character_id!r}")

    def remove_scene(self, scene_id: str) -> None:
        if self.places.pop(scene_id, None) is None:
            raise NotFoundError(f"no scene {scene_id!r}")


def _app(catalog: Catalog | None = None, families: FamilyRows | None = None, **frontend: Any) -> Any:
    catalog = catalog or Catalog()
    return create_app(
        Settings(),
        FrontendSettings(console_password=PASSWORD, state_machine_arn="arn:aws:states:x:1:stateMachine:m", **frontend),
        stories=Shelf(),
        media=Presigner(),
        families=families or FamilyRows(SMITHS),
        catalog_of=lambda _family: catalog,
    )


def _client(catalog: Catalog | None = None) -> TestClient:
    return TestClient(_app(catalog), base_url="https://testserver", follow_redirects=False)


# --- 1. The login throttle counts the address the client cannot choose.
def _login_statuses(client: httpx.Client | TestClient, attempts: int, headers_for: Any) -> list[int]:
    page = client.get("/console/login")
    statuses = []
    for attempt in range(attempts):
        answer = client.post(
            "/console/login", data={"csrf": csrf(page), "password": "wrong-guess"}, headers=headers_for(attempt)
        )
        statuses.append(answer.status_code)
        page = answer
    return statuses


@pytest.fixture
def served() -> Iterator[str]:
    """The app served by uvicorn as `storyteller up` serves it, on a free port of 127.0.0.1."""
    server = uvicorn.Server(web_server_config(_app(), 0))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


def test_locally_a_forged_forwarded_for_is_still_the_sockets_address(served: str) -> None:
    with httpx.Client(base_url=served, timeout=60) as client:
        statuses = _login_statuses(client, 12, lambda attempt: {"X-Forwarded-For": f"203.0.113.{attempt}"})
    assert statuses == [401] * 10 + [429] * 2


def test_in_aws_the_front_doors_header_decides_and_other_clients_still_get_in() -> None:
    client = TestClient(
        _app(client_address_header="x-viewer-address"), base_url="https://testserver", follow_redirects=False
    )
    guesser = _login_statuses(
        client,
        11,
        lambda attempt: {"x-viewer-address": "198.51.100.7:443", "X-Forwarded-For": f"203.0.113.{attempt}"},
    )
    assert guesser == [401] * 10 + [429]

    page = client.get("/console/login")
    operator = client.post(
        "/console/login", data={"csrf": csrf(page), "password": PASSWORD}, headers={"x-viewer-address": "192.0.2.1"}
    )
    assert operator.status_code == 303  # the guesser's throttle is the guesser's only


# --- 3. The last character and the last scene stay.
def _manage(client: TestClient) -> tuple[str, str]:
    page = client.get(f"{SMITHS.shelf_path}/manage")
    assert page.status_code == 200
    return page.text, csrf(page)


def test_the_last_character_and_scene_cannot_be_removed_and_the_page_says_why() -> None:
    catalog = Catalog()
    client = _client(catalog)
    _, token = _manage(client)

    for what, entry in (("cast-remove", "ada"), ("scene-remove", "treehouse")):
        answer = client.post(f"{SMITHS.shelf_path}/manage/{what}", data={"id": entry, "csrf": token})
        assert answer.status_code == 400
        assert f"&#39;{entry}&#39; is the only" in answer.text
        assert "add another before removing it" in answer.text
    assert [character.id for character in catalog.characters()] == ["ada"]
    assert [scene.id for scene in catalog.scenes()] == ["treehouse"]

    catalog.add_character(Character(id="sam", name="Sam", description="her little brother"))
    removed = client.post(f"{SMITHS.shelf_path}/manage/cast-remove", data={"id": "ada", "csrf": token})
    assert removed.status_code == 303
    assert [character.id for character in catalog.characters()] == ["sam"]


def test_a_night_that_failed_before_its_run_shows_on_the_nights_page_for_its_family() -> None:
    sfn = FakeStepFunctions("succeeded")
    started = sfn.executions[next(iter(sfn.executions))]["startDate"]
    failure = NightFailure(
        familyId="smiths",
        firing="2026-12-06T18:30:00Z",
        at=started,
        error="EmptyCatalogError",
        reason="the family smiths has no characters: add one with `storyteller cast add smiths NAME DESCRIPTION`",
    )
    client = make_client(sfn, night_failures=[failure])
    log_in(client)

    page = client.get("/console/nights").text
    smiths = client.get("/console/nights", params={"family": "smiths"}).text
    exported = client.get("/console/nights.json").json()

    assert "50% succeeded" in page
    assert "<td>CreateStory</td><td>EmptyCatalogError: the family smiths has no characters" in page
    assert "No story for smiths" in smiths
    assert "1 run over 1 night" in smiths
    assert {(row["family"], row["status"], row["failed_state"]) for row in exported} >= {
        ("smiths", "FAILED", "CreateStory")
    }


# --- 5. An unknown family costs what a wrong token costs.
def test_an_unknown_family_and_a_wrong_token_do_the_same_work(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    original = Family.model_validate.__func__  # type: ignore[attr-defined]

    def counted(cls: type[Family], value: Any, *args: Any, **kwargs: Any) -> Family:
        parsed.append(str(value.get("id")))
        return original(cls, value, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(Family, "model_validate", classmethod(counted))
    client = _client()
    wrong = "x" * len(TOKEN)

    unknown = client.get(f"/shelf/nobody/{wrong}")
    work_unknown, parsed[:] = len(parsed), []
    known = client.get(f"/shelf/smiths/{wrong}")
    work_known = len(parsed)

    assert unknown.status_code == known.status_code == 404
    assert unknown.text == known.text
    assert work_unknown == work_known == 1


# --- 10. Operators see runs without the families' shelf tokens.
def test_run_pages_and_exports_hide_the_shelf_token() -> None:
    sfn = FakeStepFunctions("succeeded", "failed", "retried")
    failed = next(arn for arn, execution in sfn.executions.items() if execution["status"] == "FAILED")
    shelf = f"/shelf/smiths/{TOKEN}"
    event = json.loads(sfn.executions[failed]["input"]) | {"version": "2", "family": {"id": "smiths", "shelf": shelf}}
    sfn.executions[failed]["input"] = json.dumps(event)
    for history_event in sfn.histories[failed]:
        for details in history_event.values():
            if isinstance(details, dict) and isinstance(details.get("input"), str):
                details["input"] = details["input"].replace('"id"', f'"shelf": "{shelf}", "id"', 1)
    client = make_client(sfn)
    log_in(client)
    page = client.get(f"/console/runs/{run_name('failed')}")
    export = client.get(f"/console/runs/{run_name('failed')}/history.json")

    assert page.status_code == export.status_code == 200
    assert TOKEN in json.dumps(sfn.histories[failed], default=str)  # the history does carry it
    for text in (page.text, export.text):
        assert TOKEN not in text
        assert "/shelf/smiths/(token hidden)" in text


def test_hiding_reaches_into_nested_values_and_leaves_the_rest() -> None:
    value = {"a": [f"see /shelf/smiths/{TOKEN} now", 3], "b": "/shelf/x"}
    assert without_shelf_tokens(value) == {"a": ["see /shelf/smiths/(token hidden) now", 3], "b": "/shelf/x"}


# --- 11. The manage page's forms carry a token bound to this browser.
def test_a_manage_post_without_the_pages_token_is_refused_even_with_no_origin() -> None:
    catalog = Catalog()
    client = _client(catalog)
    _, token = _manage(client)
    add = {"name": "Zed", "description": "a stranger's friend"}

    no_token = client.post(
        f"{SMITHS.shelf_path}/manage/cast-add", data=add, headers={"Referer": "https://evil.example/"}
    )
    other_browser = TestClient(_app(catalog), base_url="https://testserver", follow_redirects=False)
    stolen = other_browser.post(f"{SMITHS.shelf_path}/manage/cast-add", data=add | {"csrf": token})

    assert no_token.status_code == stolen.status_code == 403
    assert "zed" not in catalog.cast
    assert client.post(f"{SMITHS.shelf_path}/manage/cast-add", data=add | {"csrf": token}).status_code == 303
    assert "zed" in catalog.cast


def test_the_form_cookie_goes_only_to_this_familys_manage_page() -> None:
    page = _client().get(f"{SMITHS.shelf_path}/manage")
    cookie = page.headers["set-cookie"]
    for flag in (f"Path={SMITHS.shelf_path}/manage", "HttpOnly", "Secure", "SameSite=strict"):
        assert flag in cookie


# --- 12 and 14. Redirects stay on this site; HEAD is answered where GET is.
def test_a_trailing_slash_redirect_is_relative_whatever_the_host_header_says() -> None:
    client = _client()
    answer = client.get("/console/login/?next=/console", headers={"Host": "evil.example"})
    assert answer.status_code == 307
    assert answer.headers["location"] == "/console/login?next=/console"
    doubled = client.get("https://testserver//evil.example/")
    assert not doubled.headers.get("location", "").startswith("//")
    assert client.get("/nothing-here/").status_code == 404


@pytest.mark.parametrize("path", ["/", "/healthz", "/console/login", f"{SMITHS.shelf_path}", "/static/style.css"])
def test_head_is_answered_where_get_is_with_no_body(path: str) -> None:
    client = _client()
    head, get = client.head(path), client.get(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
