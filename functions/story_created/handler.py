"""The pipe's enrichment: stream records in, StoryCreated events (our schema) out."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import imported
from storyteller.errors import InvalidEventError
from storyteller.flow.events import story_created_from_record
from storyteller.observability import logger, metrics, tracer


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: list[dict[str, Any]], context: LambdaContext) -> list[dict[str, Any]]:
    stories: list[dict[str, Any]] = []
    for record in event:
        try:
            stories.append(story_created_from_record(record).model_dump(mode="json"))
        except InvalidEventError as error:
            # Dropped, not raised: one bad record must not block the stream behind it.
            logger.warning("record rejected", extra={"reason": str(error)})
            metrics.add_metric(name="RejectedRecords", unit=MetricUnit.Count, value=1)
    return stories


imported()  # the cold start's imports are over (functions/__init__.py)
