"""Send one story's email to each of its family's recipients, exactly once per (story, recipient).

The rule (docs/security.md): a (story, recipient) row is claimed with a conditional write before the send.
A claim that already exists is never sent again, except when the transport can prove the earlier send did
not happen (`resend_is_safe`). A send whose answer is lost (a timeout, a dropped connection, a 5xx) may have
gone out: it is recorded UNCERTAIN and not retried, so a family never gets the same story twice; SES's
delivery event for that message, when it comes, settles the row. A send refused before it was accepted
(throttled) gives the claim back and fails, so the queue delivers the message again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Protocol

from botocore.exceptions import ClientError

from storyteller import names
from storyteller.dal.deliveries import DeliveryStore
from storyteller.dal.families import FamilyStore
from storyteller.dal.media import MediaStore
from storyteller.dal.stories import StoryStore
from storyteller.mail import DeliveryStatus, MailStop, Outcome, StopReason, StoryReady
from storyteller.mailer.message import EmailLinks, compose
from storyteller.mailer.picture import email_jpeg
from storyteller.mailer.unsubscribe import make_token

log = logging.getLogger(__name__)

# Outcomes that stop later email to the address: a hard bounce, a spam complaint.
_STOP_REASON: dict[DeliveryStatus, StopReason] = {
    DeliveryStatus.BOUNCED: "bounced",
    DeliveryStatus.COMPLAINED: "complained",
}


class NotSentError(Exception):
    """The mail service refused the message before accepting it (throttled): sending again is safe."""


class AnswerLostError(Exception):
    """The send may or may not have happened: never sent again."""


class Transport(Protocol):
    """Where messages go: SES in AWS, the outbox (and SMTP) locally."""

    def send(self, email: EmailMessage, story_id: str, family_id: str) -> Outcome:
        """Send one message to its one `To`; raise NotSentError or AnswerLostError as above."""
        ...

    def resend_is_safe(self, story_id: str, recipient: str) -> bool:
        """Whether a claimed, unsettled (story, recipient) can be sent now without a second copy arriving."""
        ...


@dataclass(frozen=True)
class MailStores:
    stories: StoryStore
    families: FamilyStore
    media: MediaStore
    deliveries: DeliveryStore


@dataclass(frozen=True)
class MailSettings:
    base_url: str
    sender: str
    signing_key: bytes


def deliver_story(
    notice: StoryReady, stores: MailStores, transport: Transport, settings: MailSettings
) -> dict[str, str]:
    """Each recipient's status after this attempt; raises NotSentError after recording the others."""
    story = stores.stories.get(notice.storyId)
    family = stores.families.get(notice.familyId)
    if story is None or family is None or story.expired():
        log.warning(
            "story %s of %s: no story or family (expired or removed): nothing sent", notice.storyId, notice.familyId
        )
        return {}
    if story.familyId != family.id:
        # The message's ids disagree with the table: never send one family's story to another.
        log.error("story %s belongs to %s, not %s: nothing sent", story.id, story.familyId, family.id)
        return {}
    stops = stores.families.mail_stops(family.id)
    picture = _picture(stores.media, story.imageKey)
    results: dict[str, str] = {}
    throttled: NotSentError | None = None
    for recipient in family.recipients:
        earlier = stores.deliveries.claim(story.id, recipient, family.id, story.ttl)
        if earlier is not None and not (
            earlier.status is DeliveryStatus.SENDING and transport.resend_is_safe(story.id, recipient)
        ):
            if earlier.status is DeliveryStatus.SENDING:
                outcome = Outcome(status=DeliveryStatus.UNCERTAIN, detail="claimed before a stop; maybe sent")
                stores.deliveries.settle(story.id, recipient, outcome)
                results[recipient] = outcome.status
            else:
                results[recipient] = earlier.status
            continue
        if recipient in stops:
            outcome = Outcome(status=DeliveryStatus.SKIPPED, detail=stops[recipient].reason)
            stores.deliveries.settle(story.id, recipient, outcome)
            results[recipient] = outcome.status
            continue
        links = EmailLinks(
            story=f"{settings.base_url}/stories/{story.id}",
            shelf=f"{settings.base_url}{family.shelf_path}",
            unsubscribe=f"{settings.base_url}/unsubscribe/{make_token(settings.signing_key, family.id, recipient)}",
        )
        email = compose(story, family, recipient, links, picture, settings.sender, mail_domain(settings.sender))
        try:
            outcome = transport.send(email, story.id, family.id)
        except NotSentError as error:
            stores.deliveries.release(story.id, recipient)
            throttled = error
            continue
        except AnswerLostError as error:
            outcome = Outcome(status=DeliveryStatus.UNCERTAIN, detail=str(error)[:300])
        record_outcome(stores, story.id, family.id, recipient, outcome)
        results[recipient] = outcome.status
    if throttled is not None:
        raise throttled
    return results


def record_outcome(stores: MailStores, story_id: str, family_id: str, recipient: str, outcome: Outcome) -> None:
    """What a mail server said (an SMTP answer, an SES event), recorded the same way; a hard bounce or a
    complaint stops that one address, never the family."""
    stores.deliveries.settle(story_id, recipient, outcome)
    reason = _STOP_REASON.get(outcome.status)
    stop = MailStop(reason=reason, at=datetime.now(UTC)) if reason is not None else None
    if stop is not None and stores.families.stop_mail(family_id, recipient, stop):
        log.warning("%s of %s %s: no more email to it", recipient, family_id, reason)
    log.info("story %s to %s: %s %s", story_id, recipient, outcome.status, outcome.detail or "")


def _picture(media: MediaStore, key: str | None) -> bytes | None:
    """The email's JPEG; a picture that is missing or unreadable leaves the email without one, not unsent."""
    if key is None:
        return None
    try:
        return email_jpeg(media.get(key))
    except (ClientError, OSError, ValueError) as error:  # PIL's UnidentifiedImageError is an OSError
        log.warning("no picture for the email (%s): %s", key, error)
        return None


def mail_domain(sender: str) -> str:
    """The Message-ID's domain: the sender's."""
    address = sender.rsplit("<", 1)[-1].rstrip(">")
    return address.rpartition("@")[2] or names.SERVICE
