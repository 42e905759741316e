"""The mailer against a real SMTP server: one email per recipient per story, bounces recorded and paused."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from moto import mock_aws
from PIL import Image

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.deliveries import DeliveryStore
from storyteller.dal.families import FamilyStore
from storyteller.dal.media import MediaStore
from storyteller.dal.stories import StoryStore
from storyteller.households.family import new_family
from storyteller.households.seed import CHARACTERS, SCENES
from storyteller.local.outbox import Outbox, OutboxTransport, emails_for
from storyteller.local.resources import LocalResources, provision
from storyteller.mail import DeliveryStatus, Outcome, StoryReady
from storyteller.mailer.deliver import deliver_story
from storyteller.mailer.stores import mail_settings, mail_stores
from storyteller.models import Family, StoryItem
from storyteller.settings import Settings
from tests.fakes.smtp_server import MailServer, mail_server  # noqa: F401 - a fixture, offered to these tests

ANN, BOB = "ann@example.com", "bob@example.com"


class Killed(BaseException):
    """The process dying at that line: nothing after it runs."""


@pytest.fixture
def aws(settings: Settings) -> Iterator[LocalResources]:
    with mock_aws():
        yield provision(settings)


@pytest.fixture
def smtp_settings(settings: Settings, mail_server: MailServer, aws: LocalResources) -> Settings:  # noqa: F811
    return settings.model_copy(update={"smtp_url": mail_server.url})


def _family(settings: Settings) -> Family:
    family = new_family("smiths", [ANN, BOB], "Europe/London", "19:00", name="The Smiths")
    FamilyStore(settings).add(family)
    return family


def _story(settings: Settings, family: Family) -> StoryItem:
    created = datetime.now(UTC)
    story = StoryItem(
        id=str(uuid.uuid4()),
        familyId=family.id,
        shelf=family.shelf_path,
        title="Pip and the Lost Star",
        text="The moon was low above the hill,\nand Pip the fox was sitting still.",
        scene=SCENES[0],
        characters=list(CHARACTERS[:2]),
        createdAt=created,
        ttl=int(created.timestamp()) + names.STORY_LIFETIME_SECONDS,
        imageKey=names.image_key("x"),
    )
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), "navy").save(picture, "PNG")
    MediaStore(settings).put(story.imageKey or "", picture.getvalue(), "image/png")
    StoryStore(settings).put_new(story)
    return story


def _notification(story: StoryItem) -> dict[str, str]:
    """The topic's message as the mailer's queue receives it (SNS's envelope around the ids)."""
    message = json.dumps({"storyId": story.id, "familyId": story.familyId})
    return {"Type": "Notification", "MessageId": str(uuid.uuid4()), "Message": message}


def _statuses(settings: Settings, story: StoryItem) -> dict[str, DeliveryStatus]:
    return {row.recipient: row.status for row in DeliveryStore(settings).of_story(story.id)}


def test_each_recipient_gets_one_email_however_often_the_message_comes(
    smtp_settings: Settings,
    mail_server: MailServer,  # noqa: F811
    aws: LocalResources,
) -> None:
    family = _family(smtp_settings)
    story = _story(smtp_settings, family)
    outbox = Outbox(aws.outbox_queue_url, smtp_settings.home / "outbox", smtp_settings)
    sns = client("sns", smtp_settings.aws_region)
    ready = json.dumps({"storyId": story.id, "familyId": family.id})
    for _ in range(2):  # a redriven Notify publishes the same ids again
        sns.publish(TopicArn=aws.topic_arn, Message=ready)
    while outbox.poll():
        pass
    notification = _notification(story)
    outbox.deliver(notification)
    outbox.deliver(notification)  # SQS redelivers a message whose deletion was lost

    assert len(mail_server.to(ANN)) == 1
    assert len(mail_server.to(BOB)) == 1
    [to_ann] = mail_server.to(ANN)
    assert to_ann["To"] == ANN
    assert to_ann["Subject"] == "Tonight's bedtime story: Pip and the Lost Star"
    assert len(emails_for(smtp_settings.home / "outbox", story.id)) == 2
    assert _statuses(smtp_settings, story) == {ANN: DeliveryStatus.DELIVERED, BOB: DeliveryStatus.DELIVERED}


class KillAfterSend(OutboxTransport):
    def send(self, email: EmailMessage, story_id: str, family_id: str) -> Outcome:
        super().send(email, story_id, family_id)
        raise Killed


class KillBeforeSend(OutboxTransport):
    def send(self, email: EmailMessage, story_id: str, family_id: str) -> Outcome:
        raise Killed


def test_a_kill_between_send_and_record_sends_no_second_email(
    smtp_settings: Settings,
    mail_server: MailServer,  # noqa: F811
    aws: LocalResources,
) -> None:
    family = _family(smtp_settings)
    story = _story(smtp_settings, family)
    outbox = Outbox(aws.outbox_queue_url, smtp_settings.home / "outbox", smtp_settings)
    killing = KillAfterSend(outbox.folder, smtp_settings.smtp_url)
    notice = StoryReady(storyId=story.id, familyId=family.id)

    with pytest.raises(Killed):
        deliver_story(notice, mail_stores(smtp_settings), killing, mail_settings(smtp_settings))
    assert _statuses(smtp_settings, story) == {ANN: DeliveryStatus.SENDING}
    outbox.deliver(_notification(story))  # the queue delivers the message again after the restart

    assert len(mail_server.to(ANN)) == 1  # sent before the kill, never again
    assert len(mail_server.to(BOB)) == 1
    assert _statuses(smtp_settings, story) == {ANN: DeliveryStatus.UNCERTAIN, BOB: DeliveryStatus.DELIVERED}


def test_a_kill_after_the_claim_but_before_the_send_still_sends_once(
    smtp_settings: Settings,
    mail_server: MailServer,  # noqa: F811
    aws: LocalResources,
) -> None:
    family = _family(smtp_settings)
    story = _story(smtp_settings, family)
    outbox = Outbox(aws.outbox_queue_url, smtp_settings.home / "outbox", smtp_settings)
    notice = StoryReady(storyId=story.id, familyId=family.id)

    with pytest.raises(Killed):
        deliver_story(
            notice,
            mail_stores(smtp_settings),
            KillBeforeSend(outbox.folder, smtp_settings.smtp_url),
            mail_settings(smtp_settings),
        )
    outbox.deliver(_notification(story))

    assert len(mail_server.to(ANN)) == 1  # the outbox file proves nothing had gone: safe to send
    assert len(mail_server.to(BOB)) == 1
    assert _statuses(smtp_settings, story) == {ANN: DeliveryStatus.DELIVERED, BOB: DeliveryStatus.DELIVERED}


def test_a_550_is_a_bounce_that_pauses_only_that_address(
    smtp_settings: Settings,
    mail_server: MailServer,  # noqa: F811
    aws: LocalResources,
) -> None:
    mail_server.refuse.add(BOB)
    family = _family(smtp_settings)
    first = _story(smtp_settings, family)
    outbox = Outbox(aws.outbox_queue_url, smtp_settings.home / "outbox", smtp_settings)

    outbox.deliver(_notification(first))

    assert _statuses(smtp_settings, first) == {ANN: DeliveryStatus.DELIVERED, BOB: DeliveryStatus.BOUNCED}
    bounced = DeliveryStore(smtp_settings).get(first.id, BOB)
    assert bounced is not None
    assert bounced.detail is not None
    assert bounced.detail.startswith("550")
    stops = FamilyStore(smtp_settings).mail_stops(family.id)
    assert set(stops) == {BOB}
    assert stops[BOB].reason == "bounced"
    assert FamilyStore(smtp_settings).require(family.id).recipients == [ANN, BOB]  # kept, only paused

    mail_server.refuse.clear()  # even a server that would take it now gets nothing for a paused address
    second = _story(smtp_settings, family)
    outbox.deliver(_notification(second))

    assert _statuses(smtp_settings, second) == {ANN: DeliveryStatus.DELIVERED, BOB: DeliveryStatus.SKIPPED}
    assert len(mail_server.to(ANN)) == 2
    assert mail_server.to(BOB) == []


def test_without_smtp_the_outbox_is_the_mailbox_and_a_kill_loses_nothing(
    settings: Settings, aws: LocalResources
) -> None:
    family = _family(settings)
    story = _story(settings, family)
    outbox = Outbox(aws.outbox_queue_url, settings.home / "outbox", settings)
    notice = StoryReady(storyId=story.id, familyId=family.id)

    with pytest.raises(Killed):
        deliver_story(notice, mail_stores(settings), KillAfterSend(outbox.folder), mail_settings(settings))
    outbox.deliver(_notification(story))

    files = emails_for(outbox.folder, story.id)
    assert [path.name for path in files] == [f"{story.id}-{ANN}.eml", f"{story.id}-{BOB}.eml"]
    assert _statuses(settings, story) == {ANN: DeliveryStatus.DELIVERED, BOB: DeliveryStatus.DELIVERED}
    assert all(isinstance(path, Path) for path in files)
