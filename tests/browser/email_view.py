"""The story email as a mail client shows it: the HTML part, its `cid:` picture resolved to the attached
part, and nothing else from the network (remote images blocked)."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage

from playwright.sync_api import Page, Route

from storyteller import names
from storyteller.households.seed import CHARACTERS, SCENES
from storyteller.mailer.message import EmailLinks, compose
from storyteller.mailer.picture import email_jpeg
from storyteller.models import Family, StoryItem
from storyteller.providers.offline.illustrator import PictureBookIllustrator

BASE = "https://stories.example.net"
FAMILY = Family(
    id="smiths",
    name="The Smiths",
    recipients=["mum@smiths.example"],
    timeZone="Europe/London",
    at="19:00",
    shelfToken="smiths-shelf-token-0123456789",
)


def story_email() -> tuple[StoryItem, EmailMessage]:
    """A real offline story picture in a real email."""
    created = datetime.now(UTC)
    story = StoryItem(
        id=str(uuid.uuid4()),
        familyId=FAMILY.id,
        title="Pip and the Lantern on the Hill",
        text="The moon was low above the hill,\nand Pip the fox sat very still.\n"
        "A lantern glowed beside the gate,\nit whispered: Pip, it's getting late.\nThe end.",
        scene=SCENES[0],
        characters=list(CHARACTERS[:2]),
        createdAt=created,
        ttl=int(created.timestamp()) + names.STORY_LIFETIME_SECONDS,
    )
    png = PictureBookIllustrator().illustrate(story.title, story.characters, story.scene)
    links = EmailLinks(
        story=f"{BASE}/stories/{story.id}",
        shelf=f"{BASE}{FAMILY.shelf_path}",
        unsubscribe=f"{BASE}/unsubscribe/token",
    )
    email = compose(story, FAMILY, FAMILY.recipients[0], links, email_jpeg(png), "storyteller <stories@example.net>")
    return story, email


def open_like_a_mail_client(page: Page, email: EmailMessage, blocked: list[str]) -> None:
    """Show the HTML part with its cid: parts inlined as a client does; every network request is refused
    (and noted), so only what travels inside the message can show."""
    html_part = email.get_body(preferencelist=("html",))
    assert html_part is not None
    html = str(html_part.get_content())
    for part in email.walk():
        cid = part.get("Content-ID")
        if cid:
            data = base64.b64encode(part.get_payload(decode=True)).decode()
            html = html.replace(f"cid:{str(cid).strip().strip('<>')}", f"data:{part.get_content_type()};base64,{data}")

    def refuse(route: Route) -> None:
        blocked.append(route.request.url)
        route.abort()

    page.route("http*://**", refuse)
    page.set_content(html, wait_until="load")
