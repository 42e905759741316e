"""The mailer's two inputs, in the shapes AWS gives them: the Notify state's message after SNS → SQS, and
SES's configuration-set events on EventBridge (the documented event format)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from moto import mock_aws

from functions.mail_events.handler import record_event
from functions.mailer.handler import story_ready
from storyteller.dal.aws import client
from storyteller.dal.deliveries import DeliveryStore
from storyteller.dal.families import FamilyStore
from storyteller.flow.workflow import WorkflowResources, render_definition
from storyteller.households.family import new_family
from storyteller.local import engine
from storyteller.local.resources import LocalResources, provision
from storyteller.mail import DeliveryStatus, StoryReady
from storyteller.mailer.ses import SesEvent
from storyteller.settings import Settings

STORY = "5b3c1f0e-8f36-4c1e-9f51-0d5f2f7f7a10"


@pytest.fixture
def aws(settings: Settings) -> Iterator[LocalResources]:
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield provision(settings)


@pytest.mark.parametrize("after_a_local_endpoint", [False, True])
def test_the_notify_states_message_reaches_the_mailer_as_ids(
    settings: Settings, aws: LocalResources, after_a_local_endpoint: bool
) -> None:
    # The real Notify state from the ASL file, run by the engine, published to the topic the queue is on.
    if after_a_local_endpoint:
        engine.install()  # as a local endpoint leaves moto's engine in this process (it once sent here to a dead port)
    definition = json.loads(render_definition(WorkflowResources("Stories", "arn:image", "arn:audio", aws.topic_arn)))
    notify = {**definition["States"]["Notify"], "End": True}
    notify.pop("Next")
    notify.pop("Retry")
    sfn = client("stepfunctions", settings.aws_region)
    machine = sfn.create_state_machine(
        name="notify-only",
        definition=json.dumps({"StartAt": "Notify", "States": {"Notify": notify}}),
        roleArn="arn:aws:iam::123456789012:role/x",
    )["stateMachineArn"]
    sfn.start_execution(stateMachineArn=machine, input=json.dumps({"id": STORY, "family": {"id": "smiths"}}))

    sqs = client("sqs", settings.aws_region)
    deadline = time.monotonic() + 60
    messages: list[dict[str, Any]] = []
    while not messages and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=aws.outbox_queue_url, WaitTimeSeconds=1).get("Messages", [])
    [message] = messages
    # What Lambda's SQS event source hands the mailer for this message.
    record = SQSRecord({"messageId": message["MessageId"], "body": message["Body"], "eventSource": "aws:sqs"})

    assert story_ready(record) == StoryReady(storyId=STORY, familyId="smiths")
    assert set(json.loads(json.loads(message["Body"])["Message"])) == {"storyId", "familyId"}  # ids only


def _ses_event(detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    """An SES event as EventBridge delivers it (source aws.ses), around SES's own event object."""
    mail = {
        "timestamp": "2026-12-07T19:15:07.000Z",
        "source": "stories@storyteller.example",
        "sendingAccountId": "123456789012",
        "messageId": "0102018c-ses-message-id",
        "destination": ["ann@example.com"],
        "headersTruncated": False,
        "tags": {
            "ses:configuration-set": ["storyteller"],
            "ses:source-ip": ["192.0.2.1"],
            "storyId": [STORY],
            "familyId": ["smiths"],
        },
    }
    return {
        "version": "0",
        "id": "c3f1e8b4-0000-4000-8000-000000000000",
        "detail-type": detail_type,
        "source": "aws.ses",
        "account": "123456789012",
        "time": "2026-12-07T19:15:09Z",
        "region": "eu-west-2",
        "resources": ["arn:aws:ses:eu-west-2:123456789012:configuration-set/storyteller"],
        "detail": {"mail": mail, **detail},
    }


DELIVERY = _ses_event(
    "Email Delivered",
    {
        "eventType": "Delivery",
        "delivery": {
            "timestamp": "2026-12-07T19:15:09.000Z",
            "processingTimeMillis": 1500,
            "recipients": ["ann@example.com"],
            "smtpResponse": "250 2.6.0 Message received",
            "reportingMTA": "a1-2.smtp-out.eu-west-2.amazonses.com",
        },
    },
)
HARD_BOUNCE = _ses_event(
    "Email Bounced",
    {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {"emailAddress": "ann@example.com", "action": "failed", "status": "5.1.1", "diagnosticCode": "550"}
            ],
            "timestamp": "2026-12-07T19:15:09.000Z",
            "feedbackId": "0102018c-feedback",
            "reportingMTA": "dsn; a1-2.smtp-out.eu-west-2.amazonses.com",
        },
    },
)
COMPLAINT = _ses_event(
    "Email Complaint Received",
    {
        "eventType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": "ann@example.com"}],
            "timestamp": "2026-12-07T20:00:00.000Z",
            "feedbackId": "0102018c-feedback-2",
            "complaintFeedbackType": "abuse",
        },
    },
)


@pytest.mark.parametrize(
    ("event", "status"),
    [
        (DELIVERY, DeliveryStatus.DELIVERED),
        (HARD_BOUNCE, DeliveryStatus.BOUNCED),
        (COMPLAINT, DeliveryStatus.COMPLAINED),
    ],
)
def test_ses_events_name_their_story_and_recipient(event: dict[str, Any], status: DeliveryStatus) -> None:
    parsed = SesEvent.model_validate(event["detail"])

    assert parsed.story_and_family() == (STORY, "smiths")
    assert {address: outcome.status for address, outcome in parsed.outcomes().items()} == {"ann@example.com": status}


def test_a_transient_bounce_does_not_stop_the_address() -> None:
    soft = json.loads(json.dumps(HARD_BOUNCE))
    soft["detail"]["bounce"]["bounceType"] = "Transient"

    [outcome] = SesEvent.model_validate(soft["detail"]).outcomes().values()

    assert outcome.status is DeliveryStatus.SENT


def test_a_hard_bounce_event_is_recorded_and_pauses_only_that_address(settings: Settings, aws: LocalResources) -> None:
    family = new_family("smiths", ["ann@example.com", "bob@example.com"], "Europe/London", "19:00")
    FamilyStore(settings).add(family)
    deliveries = DeliveryStore(settings)
    for address in family.recipients:
        deliveries.claim(STORY, address, family.id, int(datetime.now(UTC).timestamp()) + 3600)

    record_event(SesEvent.model_validate(DELIVERY["detail"]))
    assert deliveries.get(STORY, "ann@example.com").status is DeliveryStatus.DELIVERED  # type: ignore[union-attr]
    record_event(SesEvent.model_validate(HARD_BOUNCE["detail"]))

    assert deliveries.get(STORY, "ann@example.com").status is DeliveryStatus.BOUNCED  # type: ignore[union-attr]
    assert deliveries.get(STORY, "bob@example.com").status is DeliveryStatus.SENDING  # type: ignore[union-attr]
    assert set(FamilyStore(settings).mail_stops(family.id)) == {"ann@example.com"}
