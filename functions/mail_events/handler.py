"""SES's configuration-set events (EventBridge) recorded per (story, recipient); a hard bounce or a complaint
pauses that address."""

from typing import Any

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import imported
from storyteller.mailer.deliver import record_outcome
from storyteller.mailer.ses import SesEvent
from storyteller.mailer.stores import mail_stores
from storyteller.observability import logger, metrics, tracer
from storyteller.settings import get_settings


def record_event(event: SesEvent) -> dict[str, str]:
    """Each recipient's new status; an event without our tags (not a story email) is left alone."""
    whose = event.story_and_family()
    if whose is None:
        logger.info("SES event without a story's tags: ignored", extra={"type": event.eventType})
        return {}
    story_id, family_id = whose
    stores = mail_stores(get_settings())
    outcomes = event.outcomes()
    for recipient, outcome in outcomes.items():
        record_outcome(stores, story_id, family_id, recipient, outcome)
    return {recipient: outcome.status for recipient, outcome in outcomes.items()}


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return {"recorded": record_event(SesEvent.model_validate(EventBridgeModel.model_validate(event).detail))}


imported()  # the cold start's imports are over (functions/__init__.py)
