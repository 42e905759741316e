"""The one-click unsubscribe link: its POST stops only its address; a replayed or forged token does nothing."""

from __future__ import annotations

from fastapi.testclient import TestClient

from frontend.app import create_app
from frontend.settings import FrontendSettings
from storyteller.mailer.unsubscribe import make_token
from storyteller.models import Character, Family, Scene
from storyteller.settings import Settings
from tests.unit.test_frontend_pages import SMITHS, Families, Shelf

KEY = "unsubscribe-key-for-the-tests-0123456789"
FAMILY = SMITHS.model_copy(update={"recipients": ["mum@smiths.example", "dad@smiths.example"]})


class EmptyCatalog:
    """A family with no cast or scenes yet: the manage page needs only these two reads."""

    def characters(self) -> list[Character]:
        return []

    def scenes(self) -> list[Scene]:
        return []


def _client(families: Families) -> TestClient:
    app = create_app(
        Settings(unsubscribe_secret=KEY),
        FrontendSettings(console_password="moonlight-operator", state_machine_arn="arn:aws:states:x:1:stateMachine:m"),
        stories=Shelf(),
        families=families,
        catalog_of=lambda family_id: EmptyCatalog(),  # type: ignore[arg-type,return-value]
    )
    return TestClient(app)


def _token(family: Family, address: str, key: str = KEY) -> str:
    return make_token(key.encode(), family.id, address)


def test_one_click_stops_only_its_address() -> None:
    families = Families(FAMILY)
    client = _client(families)

    # RFC 8058: the provider POSTs this body from its own servers, no cookie, no Origin of ours.
    answer = client.post(f"/unsubscribe/{_token(FAMILY, 'mum@smiths.example')}", data={"List-Unsubscribe": "One-Click"})

    assert answer.status_code == 200
    assert "No more stories to mum@smiths.example" in answer.text
    assert set(families.mail_stops("smiths")) == {"mum@smiths.example"}
    assert families.mail_stops("smiths")["mum@smiths.example"].reason == "unsubscribed"
    assert families.get("smiths") == FAMILY  # the family and its list are untouched


def test_a_replayed_token_changes_nothing() -> None:
    families = Families(FAMILY)
    client = _client(families)
    url = f"/unsubscribe/{_token(FAMILY, 'mum@smiths.example')}"
    client.post(url)
    first = families.mail_stops("smiths")["mum@smiths.example"]

    assert client.post(url).status_code == 200

    assert families.mail_stops("smiths") == {"mum@smiths.example": first}


def test_a_forged_or_foreign_token_does_nothing() -> None:
    families = Families(FAMILY)
    client = _client(families)
    genuine = _token(FAMILY, "mum@smiths.example")
    payload, _ = genuine.split(".")
    forged = [
        _token(FAMILY, "dad@smiths.example", key="another-key-entirely-0123456789abcdef"),
        f"{_token(FAMILY, 'dad@smiths.example').split('.')[0]}.{genuine.split('.')[1]}",
        f"{payload}.AAAAAAAAAAAAAAAAAAAAAA",
        _token(FAMILY, "stranger@example.com"),  # signed, but not the family's address
        "nonsense",
    ]

    for token in forged:
        assert client.post(f"/unsubscribe/{token}").status_code == 404

    assert families.mail_stops("smiths") == {}


def test_a_get_only_asks_and_the_manage_page_says_who_left() -> None:
    families = Families(FAMILY)
    client = _client(families)
    url = f"/unsubscribe/{_token(FAMILY, 'dad@smiths.example')}"

    asked = client.get(url)
    assert asked.status_code == 200
    assert "Stop emails to dad@smiths.example" in asked.text
    assert families.mail_stops("smiths") == {}  # a link scanner's GET stops nothing

    client.post(url)
    manage = client.get(f"{FAMILY.shelf_path}/manage")
    assert "<strong>dad@smiths.example</strong> gets no email:" in manage.text
    assert "left (unsubscribed)" in manage.text
