"""Narrate branch of the state machine: read the story aloud, store the MP3, return its key."""

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from storyteller.dal.media import MediaStore
from storyteller.events import parse_story_created
from storyteller.media import narrate
from storyteller.observability import logger, metrics, tracer
from storyteller.providers import factory
from storyteller.settings import get_settings


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, str]:
    settings = get_settings()
    story = parse_story_created(event)
    key = narrate(story, factory.narrator(settings), MediaStore(settings))
    logger.info("narrated", extra={"story_id": story.id, "key": key})
    return {"audioKey": key}
