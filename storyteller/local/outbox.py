"""SNS email, delivered locally: each message on the topic becomes one .eml file (and optionally SMTP)."""

from __future__ import annotations

import json
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from storyteller.dal.aws import client
from storyteller.local.store import write_durably

log = logging.getLogger(__name__)
SENDER = "storyteller <stories@storyteller.local>"


@dataclass
class Outbox:
    """Drains the SQS queue subscribed to the topic, as an email subscription would receive it."""

    queue_url: str
    folder: Path
    recipient: str
    region: str
    smtp_url: str | None = None
    # Told each message id whose email is on disk: the topic's copy of it can go (state.LocalState).
    on_delivered: Callable[[str], None] | None = None
    # A family's addresses, by the message's `familyId` attribute, as SNS filter policies pick subscriptions.
    recipients_of: Callable[[str], list[str]] | None = None
    # A family's shelf link, read from the Families table: the message carries ids only (StoryCreated v3
    # keeps the family's token out of runs), so the email's shelf link is added here, at delivery.
    shelf_of: Callable[[str], str | None] | None = None

    def poll(self) -> int:
        """Write one .eml per new message; returns how many were written."""
        sqs = client("sqs", self.region)
        received = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        written = 0
        for message in received.get("Messages", []):
            notification = json.loads(message["Body"])
            path = self.deliver(notification)
            if path is not None:
                written += 1
            if self.on_delivered is not None:
                self.on_delivered(notification["MessageId"])
            sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return written

    def deliver(self, notification: dict[str, Any]) -> Path | None:
        """One email per recipient of the message's family; keyed by SNS MessageId and recipient, so a
        redelivery writes nothing new. Returns the first recipient's file, or None when all were there."""
        self.folder.mkdir(parents=True, exist_ok=True)
        attributes = notification.get("MessageAttributes", {})
        story_id = attributes.get("storyId", {}).get("Value", "story")
        family_id = attributes.get("familyId", {}).get("Value")
        recipients = (self.recipients_of(family_id) if family_id and self.recipients_of else []) or [self.recipient]
        written: list[Path] = []
        for number, recipient in enumerate(recipients, start=1):
            suffix = "" if number == 1 else f".to{number}"  # sorts after the first recipient's
            path = self.folder / f"{story_id}-{notification['MessageId']}{suffix}.eml"
            if path.exists():
                continue
            shelf = self.shelf_of(family_id) if family_id and self.shelf_of else None
            email = to_email(notification, recipient, shelf)
            write_durably(path, email.as_bytes())  # readers never see half an email, and a kill loses none
            if self.smtp_url:
                _send(email, self.smtp_url)
            log.info("email for %s to %s written to %s", story_id, recipient, path)
            written.append(path)
        return written[0] if written else None


def to_email(notification: dict[str, Any], recipient: str, shelf: str | None = None) -> EmailMessage:
    """An SNS notification as the plain-text email an SNS email subscription sends, with the family's shelf
    link when known."""
    email = EmailMessage()
    email["From"] = SENDER
    email["To"] = recipient
    email["Subject"] = notification.get("Subject") or "storyteller"
    sent = notification.get("Timestamp")
    moment = datetime.fromisoformat(sent.replace("Z", "+00:00")) if sent else datetime.now().astimezone()
    email["Date"] = format_datetime(moment)
    email["Message-ID"] = make_msgid(idstring=notification["MessageId"], domain="storyteller.local")
    # 8bit keeps the link whole and readable in the file; quoted-printable would break it at 76 columns.
    text = notification["Message"]
    if shelf is not None:
        text = f"{text.rstrip()}\nEvery story still here is on your family shelf: {shelf}\n"
    email.set_content(text, cte="8bit")
    return email


def emails_for(folder: Path, story_id: str) -> list[Path]:
    """The .eml files announcing a story."""
    return sorted(folder.glob(f"{story_id}-*.eml"))


def read_email(path: Path) -> EmailMessage:
    """Parse an .eml file back into a message."""
    parsed = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(parsed, EmailMessage)
    return parsed


def _send(email: EmailMessage, smtp_url: str) -> None:
    target = urlparse(smtp_url)
    try:
        with smtplib.SMTP(target.hostname or "127.0.0.1", target.port or 25, timeout=10) as smtp:
            smtp.send_message(email)
    except OSError as error:
        # The .eml is already safe in the outbox; a down mail server must not lose the story.
        log.warning("could not send email via %s: %s", smtp_url, error)
