"""The picture-book email: one MIME message per (story, recipient), HTML (from MJML) and plain text.

MJML (rendered by mrml, its Rust port) writes the table layout and inline styles mail clients need; we only
write the MJML (our few rules for the heading and links go in an `mj-style inline` block: mrml inlines them
too). The picture travels inside the message (multipart/related, `cid:`), so it shows in clients that block
remote images.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape

import mrml

from storyteller.models import Family, StoryItem

OPENING_LINES = 4
# Night-friendly: a deep blue page, warm cream text, one warm button; contrast well above WCAG AA.
NIGHT = "#141a33"
CARD = "#1f2850"
TEXT = "#f6eedc"
MUTED = "#c9c3e6"
BUTTON = "#f4c95d"
BUTTON_TEXT = "#1a1f3d"


@dataclass(frozen=True)
class EmailLinks:
    """Where the email's links go: the story page, the family's shelf and this recipient's unsubscribe."""

    story: str
    shelf: str
    unsubscribe: str


def subject(story: StoryItem) -> str:
    return f"Tonight's bedtime story: {story.title}"


def opening(story: StoryItem) -> list[str]:
    """The first lines of the verse, enough to want the rest."""
    return [line.strip() for line in story.text.splitlines() if line.strip()][:OPENING_LINES]


def compose(
    story: StoryItem,
    family: Family,
    recipient: str,
    links: EmailLinks,
    picture: bytes | None,
    sender: str,
    domain: str = "storyteller.local",
) -> EmailMessage:
    """The whole message for one recipient; `picture` is the email JPEG (None: no picture yet)."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = recipient
    email["Subject"] = subject(story)
    email["Date"] = format_datetime(datetime.now(UTC))
    email["Message-ID"] = make_msgid(idstring=story.id, domain=domain)
    email["Content-Language"] = family.language
    # RFC 8058 one-click: mail providers POST `List-Unsubscribe=One-Click` to the link, no page, no login.
    email["List-Unsubscribe"] = f"<{links.unsubscribe}>"
    email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(plain_text(story, family, links), cte="quoted-printable")
    # Unique within the message is enough; short, so the header is not folded (some clients mind).
    picture_cid = f"<picture@{domain}>"
    email.add_alternative(html(story, family, links, picture_cid[1:-1] if picture else None), subtype="html")
    if picture:
        html_part = email.get_body(preferencelist=("html",))
        assert isinstance(html_part, EmailMessage)
        html_part.add_related(picture, "image", "jpeg", cid=picture_cid, filename="picture.jpg", disposition="inline")
    return email


def plain_text(story: StoryItem, family: Family, links: EmailLinks) -> str:
    lines = "\n".join(opening(story))
    return (
        f"Good evening, {family.name}!\n\n"
        f"Tonight's story is \u201c{story.title}\u201d.\n\n"
        f"{lines}\n...\n\n"
        f"Read and listen: {links.story}\n\n"
        f"Every story still here is on your shelf: {links.shelf}\n"
        "Stories stay for two days.\n\n"
        f"No more of these emails to this address: {links.unsubscribe}\n"
    )


def html(story: StoryItem, family: Family, links: EmailLinks, picture_cid: str | None) -> str:
    """The HTML part, rendered from MJML by mrml."""
    picture = (
        f'<mj-image src="cid:{escape(picture_cid)}" alt="{escape(_alt(story))}" width="560px" '
        f'border-radius="12px" padding="0 0 16px 0" />'
        if picture_cid
        else ""
    )
    verse = "<br />".join(escape(line) for line in opening(story))
    mjml = f"""<mjml lang="{escape(family.language)}">
  <mj-head>
    <mj-title>{escape(subject(story))}</mj-title>
    <mj-preview>{escape(opening(story)[0] if opening(story) else story.title)}</mj-preview>
    <mj-attributes>
      <mj-all font-family="Georgia, 'Times New Roman', serif" />
      <mj-text color="{TEXT}" font-size="18px" line-height="1.6" />
    </mj-attributes>
    <mj-style inline="inline">
      .title h1 {{ margin: 0; font-size: 28px; font-weight: bold; }}
      .shelf a {{ color: {BUTTON}; }}
      .leave a {{ color: {MUTED}; }}
    </mj-style>
  </mj-head>
  <mj-body background-color="{NIGHT}" width="600px">
    <mj-section padding="24px 0 8px 0">
      <mj-column>
        <mj-text color="{MUTED}" font-size="16px" align="center">Good evening, {escape(family.name)}</mj-text>
        <mj-text css-class="title" font-size="28px" align="center" font-weight="bold" padding-bottom="16px">
          <h1>{escape(story.title)}</h1>
        </mj-text>
      </mj-column>
    </mj-section>
    <mj-section background-color="{CARD}" border-radius="16px" padding="20px">
      <mj-column>
        {picture}
        <mj-text font-style="italic">{verse}<br />&#8230;</mj-text>
        <mj-button href="{escape(links.story)}" background-color="{BUTTON}" color="{BUTTON_TEXT}"
          font-size="22px" font-weight="bold" inner-padding="18px 40px" border-radius="32px" padding="24px 0 8px 0">
          Read and listen
        </mj-button>
      </mj-column>
    </mj-section>
    <mj-section padding="16px 0 32px 0">
      <mj-column>
        <mj-text css-class="shelf" color="{MUTED}" font-size="15px" align="center">
          Every story still here is on <a href="{escape(links.shelf)}">your family shelf</a>.
          Stories stay for two days.
        </mj-text>
        <mj-text css-class="leave" color="{MUTED}" font-size="13px" align="center">
          Sent to {escape(family.name)} at this address.
          <a href="{escape(links.unsubscribe)}">No more of these emails</a>
        </mj-text>
      </mj-column>
    </mj-section>
  </mj-body>
</mjml>"""
    rendered: str = mrml.to_html(mjml).content
    return rendered


def _alt(story: StoryItem) -> str:
    scene = story.scene.description.rstrip(".")
    return f"The picture for \u201c{story.title}\u201d: {scene}"
