"""Amazon SES: sending (v2 SendEmail, raw MIME) and reading the configuration set's events.

SendEmail has no idempotency key, so the client makes one attempt only: botocore's own retry of a timed-out
send could deliver a second copy. What the answer means is sorted in three: refused before acceptance
(throttled, paused: safe to send again), refused for good (rejected: recorded), or lost (recorded UNCERTAIN,
never resent; its delivery event, when it comes, settles the row).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, ConfigDict, Field

from storyteller.mail import DeliveryStatus, Outcome
from storyteller.mailer.deliver import AnswerLostError, NotSentError

# One attempt: see the module's docstring.
SEND_CONFIG = Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=5, read_timeout=20)
_NOT_SENT = frozenset(
    {"TooManyRequestsException", "LimitExceededException", "SendingPausedException", "AccountSuspendedException"}
)
_REFUSED = frozenset(
    {"MessageRejected", "MailFromDomainNotVerifiedException", "BadRequestException", "NotFoundException"}
)
STORY_TAG = "storyId"
FAMILY_TAG = "familyId"


@dataclass
class SesTransport:
    """Sends through the stack's configuration set, tagging each message with its story and family, so
    every event SES reports about it says which (story, recipient) it is."""

    ses: Any  # a boto3 sesv2 client made with SEND_CONFIG
    configuration_set: str

    def send(self, email: EmailMessage, story_id: str, family_id: str) -> Outcome:
        try:
            answer = self.ses.send_email(
                FromEmailAddress=str(email["From"]),
                Destination={"ToAddresses": [str(email["To"])]},
                Content={"Raw": {"Data": email.as_bytes()}},
                ConfigurationSetName=self.configuration_set,
                EmailTags=[{"Name": STORY_TAG, "Value": story_id}, {"Name": FAMILY_TAG, "Value": family_id}],
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            message = f"{code}: {error.response.get('Error', {}).get('Message', '')}"[:300]
            if code in _NOT_SENT:
                raise NotSentError(message) from error
            if code in _REFUSED:
                return Outcome(status=DeliveryStatus.REJECTED, detail=message)
            raise AnswerLostError(message) from error
        except BotoCoreError as error:  # a timeout or a dropped connection: the send may have happened
            raise AnswerLostError(str(error)[:300]) from error
        return Outcome(status=DeliveryStatus.SENT, messageId=answer["MessageId"], detail="accepted by SES")

    def resend_is_safe(self, story_id: str, recipient: str) -> bool:
        return False  # SES cannot be asked whether a message went


class _Recipient(BaseModel):
    emailAddress: str


class _Mail(BaseModel):
    messageId: str
    destination: list[str]
    tags: dict[str, list[str]] = Field(default_factory=dict)


class _Bounce(BaseModel):
    bounceType: str
    bounceSubType: str = ""
    bouncedRecipients: list[_Recipient]


class _Complaint(BaseModel):
    complainedRecipients: list[_Recipient]


class _Delivery(BaseModel):
    recipients: list[str]
    smtpResponse: str = ""


class _Reject(BaseModel):
    reason: str = ""


class SesEvent(BaseModel):
    """An SES configuration-set event (the `detail` of its EventBridge event): the fields we read."""

    model_config = ConfigDict(extra="ignore")

    eventType: str
    mail: _Mail
    bounce: _Bounce | None = None
    complaint: _Complaint | None = None
    delivery: _Delivery | None = None
    reject: _Reject | None = None

    def story_and_family(self) -> tuple[str, str] | None:
        story, family = self.mail.tags.get(STORY_TAG), self.mail.tags.get(FAMILY_TAG)
        return (story[0], family[0]) if story and family else None

    def outcomes(self) -> dict[str, Outcome]:
        """Each recipient the event is about, and what it means for them."""
        if self.delivery is not None:
            return self._each(self.delivery.recipients, DeliveryStatus.DELIVERED, self.delivery.smtpResponse)
        if self.bounce is not None:
            # Only a permanent bounce stops the address; a transient one (mailbox full) is noted.
            status = DeliveryStatus.BOUNCED if self.bounce.bounceType == "Permanent" else DeliveryStatus.SENT
            bounced = [recipient.emailAddress for recipient in self.bounce.bouncedRecipients]
            return self._each(bounced, status, f"{self.bounce.bounceType} bounce: {self.bounce.bounceSubType}")
        if self.complaint is not None:
            complained = [recipient.emailAddress for recipient in self.complaint.complainedRecipients]
            return self._each(complained, DeliveryStatus.COMPLAINED, "marked as spam")
        if self.reject is not None:
            return self._each(self.mail.destination, DeliveryStatus.REJECTED, f"rejected: {self.reject.reason}")
        return {}

    def _each(self, addresses: list[str], status: DeliveryStatus, detail: str) -> dict[str, Outcome]:
        outcome = Outcome(status=status, messageId=self.mail.messageId, detail=detail[:300])
        return {address.lower(): outcome for address in addresses}
