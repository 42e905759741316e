"""The picture-book email: its parts, links, headers and picture, and the unsubscribe token."""

from __future__ import annotations

import inspect
import io
import random
import re
import uuid
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from PIL import Image

from storyteller import names
from storyteller.households.seed import CHARACTERS, SCENES
from storyteller.mailer import message
from storyteller.mailer.message import EmailLinks, compose
from storyteller.mailer.picture import MAX_BYTES, email_jpeg
from storyteller.mailer.unsubscribe import make_token, read_token
from storyteller.models import Family, StoryItem
from tests.parsed_html import ParsedHtml

KEY = b"k" * 32
FAMILY = Family(
    id="smiths",
    name="The Smiths",
    recipients=["ann@example.com", "bob@example.com"],
    timeZone="Europe/London",
    at="19:00",
    shelfToken="s" * 24,
)
LINKS = EmailLinks(
    story="https://stories.example.com/stories/abc",
    shelf="https://stories.example.com/shelf/smiths/ssss",
    unsubscribe="https://stories.example.com/unsubscribe/tok",
)


def _story() -> StoryItem:
    created = datetime.now(UTC)
    return StoryItem(
        id=str(uuid.uuid4()),
        familyId="smiths",
        title="Pip & the <Lost> Star",
        text="The moon was low above the hill,\nand Pip the fox was sitting still.\n"
        "A star fell down.\nShe went to see.\nThe end.",
        scene=SCENES[0],
        characters=list(CHARACTERS[:2]),
        createdAt=created,
        ttl=int(created.timestamp()) + names.STORY_LIFETIME_SECONDS,
    )


def _noisy_png(size: int = 1024) -> bytes:
    # Random pixels compress worst: the hardest case for the 100 KB bound.
    rng = random.Random(7)
    image = Image.frombytes("RGB", (size, size), bytes(rng.getrandbits(8) for _ in range(size * size * 3)))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _reparsed(email: EmailMessage) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(email.as_bytes())
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_the_email_has_text_and_html_with_the_picture_inline() -> None:
    picture = email_jpeg(_noisy_png(300))
    email = _reparsed(compose(_story(), FAMILY, "ann@example.com", LINKS, picture, "s <s@example.com>"))

    assert email.get_content_type() == "multipart/alternative"
    assert email["To"] == "ann@example.com"
    assert email["Subject"] == "Tonight's bedtime story: Pip & the <Lost> Star"
    text = email.get_body(preferencelist=("plain",))
    html_part = email.get_body(preferencelist=("html",))
    assert text is not None
    assert html_part is not None
    related = email.get_payload()[1]
    assert related.get_content_type() == "multipart/related"
    [image] = [part for part in related.iter_parts() if part.get_content_type() == "image/jpeg"]
    assert image.get_content() == picture
    cid = str(image["Content-ID"]).strip().strip("<>")
    html = html_part.get_content()
    assert f'src="cid:{cid}"' in html
    assert re.search(r'<img [^>]*alt="The picture for', html)
    assert '<html lang="en"' in html
    # The title is text wherever it lands, never markup (mrml's serializer leaves `<` as it is inside a
    # quoted attribute value, which HTML allows, so the check is on the parsed document).
    parsed = ParsedHtml(html)
    assert "lost" not in parsed.tags
    assert "Pip & the <Lost> Star" in parsed.text
    assert "The Smiths" in html
    assert "The Smiths" in text.get_content()
    assert "The moon was low above the hill," in html
    assert f'href="{LINKS.story}"' in html
    assert "Read and listen" in html
    assert f'href="{LINKS.shelf}"' in html
    assert LINKS.story in text.get_content()
    assert LINKS.shelf in text.get_content()


def test_every_style_is_inlined_by_mrml_from_the_mjml_none_written_by_hand() -> None:
    source = inspect.getsource(message.html)
    rendered = message.html(_story(), FAMILY, LINKS, None)

    assert not re.search(r"\sstyle=", source)
    assert "<table" not in source
    assert '<h1 style="margin: 0;font-size: 28px;font-weight: bold;">' in rendered
    assert f'<a href="{LINKS.shelf}" style="color: {message.BUTTON};">' in rendered
    assert f'<a href="{LINKS.unsubscribe}" style="color: {message.MUTED};">' in rendered
    assert rendered.count("<table") >= 3  # mrml's layout tables


def test_one_click_unsubscribe_headers_name_the_recipients_link() -> None:
    email = compose(_story(), FAMILY, "ann@example.com", LINKS, None, "s <s@example.com>")

    assert email["List-Unsubscribe"] == f"<{LINKS.unsubscribe}>"
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "cid:" not in (email.get_body(preferencelist=("html",)) or email).get_content()


def test_the_picture_is_a_jpeg_of_at_most_100_kb() -> None:
    jpeg = email_jpeg(_noisy_png())

    assert len(jpeg) <= MAX_BYTES
    with Image.open(io.BytesIO(jpeg)) as image:
        assert image.format == "JPEG"
        assert image.width <= 560


def test_a_token_names_its_family_and_address_and_cannot_be_forged() -> None:
    token = make_token(KEY, "smiths", "ann@example.com")
    payload, signature = token.split(".")
    other = make_token(KEY, "smiths", "bob@example.com")

    found = read_token(KEY, token)
    assert found is not None
    assert (found.family_id, found.address) == ("smiths", "ann@example.com")
    assert read_token(b"another key" * 3, token) is None
    assert read_token(KEY, f"{other.split('.')[0]}.{signature}") is None  # bob's address, ann's signature
    assert read_token(KEY, f"{payload}.{signature[:-2]}AA") is None
    for garbage in ("", ".", "abc", "a.b.c", "!!!.???"):
        assert read_token(KEY, garbage) is None
