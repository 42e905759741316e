"""Illustrate branch of the state machine: draw the picture, store it, return its key."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from storyteller.dal.media import MediaStore
from storyteller.events import parse_story_created
from storyteller.media import illustrate
from storyteller.observability import logger, metrics, tracer
from storyteller.providers import factory
from storyteller.settings import get_settings


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    settings = get_settings()
    story = parse_story_created(event)
    key = illustrate(story, factory.illustrator(settings), MediaStore(settings))
    logger.info("illustrated", extra={"story_id": story.id, "key": key})
    return {"imageKey": key}
