"""The mailer: the story-ready topic's messages (through SQS) to one SES email per recipient."""

from functools import lru_cache
from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.parser.models import SnsNotificationModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import imported
from storyteller.mail import StoryReady
from storyteller.mailer.deliver import deliver_story
from storyteller.mailer.ses import SEND_CONFIG, SesTransport
from storyteller.mailer.stores import mail_settings, mail_stores
from storyteller.observability import logger, metrics, tracer
from storyteller.settings import get_settings

# A message that fails (throttled) is retried alone; the others of its batch are done.
processor = BatchProcessor(event_type=EventType.SQS)


def story_ready(record: SQSRecord) -> StoryReady:
    """The ids the Notify state published, out of SNS's envelope (the subscription is not raw)."""
    return StoryReady.model_validate_json(str(SnsNotificationModel.model_validate_json(record.body).Message))


def mail_record(record: SQSRecord) -> None:
    settings = get_settings()
    if not settings.ses_configuration_set:
        raise RuntimeError("STORYTELLER_SES_CONFIGURATION_SET is not set")
    transport = SesTransport(client_for_sending(settings.aws_region), settings.ses_configuration_set)
    results = deliver_story(story_ready(record), mail_stores(settings), transport, mail_settings(settings))
    logger.info("story mailed", extra={"recipients": results})


@lru_cache(maxsize=1)
def client_for_sending(region: str) -> Any:
    """One sesv2 client with botocore's retries off (storyteller.mailer.ses), made once per container."""
    return boto3.session.Session().client("sesv2", region_name=region, config=SEND_CONFIG)


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=mail_record, processor=processor, context=context)


imported()  # the cold start's imports are over (functions/__init__.py)
