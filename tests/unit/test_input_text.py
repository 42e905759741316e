"""What people type into names, descriptions and addresses: control characters refused, addresses decided
by email-validator (issue 30)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from storyteller.models import Character, Family, Scene, email_address

FAMILY = {
    "id": "smiths",
    "name": "The Smiths",
    "recipients": ["mum@smiths.example"],
    "timeZone": "Europe/Paris",
    "at": "19:30",
    "shelfToken": "smiths-shelf-token-0123456789",
}


@pytest.mark.parametrize(
    "text",
    [
        "Ada\x1b[31m",  # a colour escape
        "Ada\x1b]0;owned\x07",  # a terminal title
        "Ada\x9b2J",  # the one-byte CSI
        "Ada\nerror: forged line",
        "Ada\u202eevil",  # right-to-left override
        "Ada\x00",
    ],
)
def test_control_characters_are_refused_in_every_name_and_description(text: str) -> None:
    for build in (
        lambda: Character(id="ada", name=text, description="a girl"),
        lambda: Character(id="ada", name="Ada", description=text),
        lambda: Scene(id="den", description=text),
        lambda: Family.model_validate(FAMILY | {"name": text}),
    ):
        with pytest.raises(ValidationError, match="control character"):
            build()


def test_plain_text_with_accents_emoji_and_markup_is_kept() -> None:
    assert Character(id="zoe", name="Zoë 🦉", description="<b>bold</b> & brave").name == "Zoë 🦉"


@pytest.mark.parametrize(
    ("address", "why"),
    [
        ("a" * 64 + "@" + ".".join(["b" * 60] * 3) + ".example", "too long"),  # 255 characters
        ("josé@smiths.example", "Internationalized characters before the @-sign"),
        ("mum@localhost", "should have a period"),
        ("mum@@smiths.example", "not an email address"),
        ("Mum <mum@smiths.example>", "not an email address"),
    ],
)
def test_addresses_are_decided_by_email_validator(address: str, why: str) -> None:
    with pytest.raises(ValueError, match="is not an email address") as refused:
        email_address(address)
    assert why.lower() in str(refused.value).lower()
    with pytest.raises(ValidationError):
        Family.model_validate(FAMILY | {"recipients": [address]})


def test_an_address_is_kept_lowercase_and_a_repeat_is_refused() -> None:
    assert Family.model_validate(FAMILY | {"recipients": ["Mum@Smiths.Example"]}).recipients == ["mum@smiths.example"]
    with pytest.raises(ValidationError, match="listed twice"):
        Family.model_validate(FAMILY | {"recipients": ["mum@smiths.example", "MUM@smiths.example"]})


def test_the_longest_allowed_address_is_kept() -> None:
    address = "a" * 60 + "@" + ".".join(["b" * 60] * 3) + ".example"  # 251 characters
    assert email_address(address) == address
