"""The mailer, locally: the topic's messages (through an SQS queue, as in AWS) become one .eml per recipient
in the outbox folder, and optionally go through a real SMTP server whose answer is recorded as SES's events
are in AWS (250 delivered, 5xx bounced)."""

from __future__ import annotations

import json
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import ValidationError

from storyteller.dal.aws import client
from storyteller.local.store import write_durably
from storyteller.mail import DeliveryStatus, Outcome, StoryReady
from storyteller.mailer.deliver import AnswerLostError, NotSentError, deliver_story
from storyteller.mailer.stores import mail_settings, mail_stores
from storyteller.settings import Settings

log = logging.getLogger(__name__)


def email_path(folder: Path, story_id: str, recipient: str) -> Path:
    """One file per (story, recipient); the story id first, so a story's emails go with it."""
    return folder / f"{story_id}-{recipient}.eml"


@dataclass
class OutboxTransport:
    """Writes the message to the outbox, then (when configured) hands it to an SMTP server."""

    folder: Path
    smtp_url: str | None = None

    def send(self, email: EmailMessage, story_id: str, family_id: str) -> Outcome:
        recipient = str(email["To"])
        self.folder.mkdir(parents=True, exist_ok=True)
        path = email_path(self.folder, story_id, recipient)
        write_durably(path, email.as_bytes())  # readers never see half an email, and a kill loses none
        if not self.smtp_url:
            return Outcome(status=DeliveryStatus.DELIVERED, detail=f"in the outbox: {path.name}")
        return _smtp_send(email, self.smtp_url)

    def resend_is_safe(self, story_id: str, recipient: str) -> bool:
        # The file is written before the SMTP send: no file, no send. Writing the file again is harmless.
        return self.smtp_url is None or not email_path(self.folder, story_id, recipient).exists()


def _smtp_send(email: EmailMessage, smtp_url: str) -> Outcome:
    target = urlparse(smtp_url)
    try:
        smtp = smtplib.SMTP(target.hostname or "127.0.0.1", target.port or 25, timeout=30)
    except OSError as error:
        # Nothing left this machine; the .eml is safe in the outbox, which is the local mailbox.
        log.warning("could not reach the mail server %s: %s", smtp_url, error)
        return Outcome(status=DeliveryStatus.SENT, detail=f"in the outbox; {smtp_url} unreachable: {error}")
    try:
        with smtp:
            smtp.send_message(email)
    except smtplib.SMTPRecipientsRefused as error:
        code, message = next(iter(error.recipients.values()))
        return _refused(code, message)
    except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
        return _refused(error.smtp_code, error.smtp_error)
    except (smtplib.SMTPException, OSError) as error:
        raise AnswerLostError(f"{smtp_url}: {error}") from error
    return Outcome(status=DeliveryStatus.DELIVERED, detail=f"250 accepted by {smtp_url}")


def _refused(code: int, message: bytes | str) -> Outcome:
    text = message.decode(errors="replace") if isinstance(message, bytes) else message
    if 400 <= code < 500:
        raise NotSentError(f"{code} {text}")  # a temporary refusal: the message stays queued and comes again
    return Outcome(status=DeliveryStatus.BOUNCED, detail=f"{code} {text}"[:300])


@dataclass
class Outbox:
    """Drains the queue subscribed to the topic and runs the mailer on each message, as the Lambda does."""

    queue_url: str
    folder: Path
    settings: Settings
    # Told each message id whose emails are done: the topic's copy of it can go (state.LocalState).
    on_delivered: Callable[[str], None] | None = None

    def poll(self) -> int:
        """Deliver each waiting message; returns how many messages were handled."""
        sqs = client("sqs", self.settings.aws_region)
        received = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        handled = 0
        for message in received.get("Messages", []):
            notification = json.loads(message["Body"])
            try:
                self.deliver(notification)
            except NotSentError as error:
                # Left on the queue: it comes back after its visibility timeout, as in AWS.
                log.warning("story email deferred: %s", error)
                continue
            handled += 1
            if self.on_delivered is not None:
                self.on_delivered(notification["MessageId"])
            sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return handled

    def deliver(self, notification: dict[str, Any]) -> dict[str, str]:
        """The mailer on one SNS notification: each recipient's status (see storyteller.mailer.deliver)."""
        try:
            notice = StoryReady.model_validate_json(notification["Message"])
        except (ValidationError, KeyError) as error:
            log.error("not a story-ready message, dropped: %s", error)
            return {}
        return deliver_story(notice, mail_stores(self.settings), self.transport(), mail_settings(self.settings))

    def transport(self) -> OutboxTransport:
        return OutboxTransport(self.folder, self.settings.smtp_url)


def emails_for(folder: Path, story_id: str) -> list[Path]:
    """The .eml files announcing a story."""
    return sorted(folder.glob(f"{story_id}-*.eml"))


def email_text(email: EmailMessage) -> str:
    """The plain-text part."""
    part = email.get_body(preferencelist=("plain",))
    return str(part.get_content()) if part is not None else ""


def email_html(email: EmailMessage) -> str:
    """The HTML part."""
    part = email.get_body(preferencelist=("html",))
    return str(part.get_content()) if part is not None else ""


def read_email(path: Path) -> EmailMessage:
    """Parse an .eml file back into a message."""
    parsed = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(parsed, EmailMessage)
    return parsed
