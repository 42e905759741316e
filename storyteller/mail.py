"""What the mailer reads and records: the topic's ids-only message, a delivery, a stopped address."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from storyteller.models import FAMILY_ID_PATTERN


class StoryReady(BaseModel):
    """The Notify state's message: ids only, so no content or shelf token sits in SNS, SQS or a run's history;
    the mailer reads the story and the family from their tables."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    storyId: str = Field(min_length=1, max_length=64)
    familyId: str = Field(pattern=FAMILY_ID_PATTERN)


class DeliveryStatus(StrEnum):
    """Where one recipient's email is. SENDING is the claim taken before the send."""

    SENDING = "SENDING"
    SENT = "SENT"  # the mail service accepted it; its delivery event comes later
    DELIVERED = "DELIVERED"
    BOUNCED = "BOUNCED"
    COMPLAINED = "COMPLAINED"
    REJECTED = "REJECTED"
    UNCERTAIN = "UNCERTAIN"  # the send's answer was lost: never sent again (docs/security.md)
    SKIPPED = "SKIPPED"  # the address had left or was paused


class Delivery(BaseModel):
    """One row of the Deliveries table."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    storyId: str
    recipient: str
    familyId: str
    status: DeliveryStatus
    at: datetime
    messageId: str | None = None
    detail: str | None = None
    ttl: int | None = None


class Outcome(BaseModel):
    """What a mail server (SES, SMTP, the outbox) said about one message to one recipient."""

    model_config = ConfigDict(frozen=True)

    status: DeliveryStatus
    messageId: str | None = None
    detail: str | None = None


StopReason = Literal["unsubscribed", "bounced", "complained"]


class MailStop(BaseModel):
    """An address of a family that gets no more email, and why."""

    model_config = ConfigDict(frozen=True)

    reason: StopReason
    at: datetime
