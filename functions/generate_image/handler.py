"""Illustrate branch of the state machine: draw the picture, store it, return its key."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import imported
from storyteller.dal.media import MediaStore
from storyteller.dal.stories import StoryStore
from storyteller.flow.events import parse_story_created
from storyteller.flow.media import illustrate, story_of
from storyteller.observability import logger, metrics, tracer
from storyteller.providers import factory
from storyteller.providers.budgets import Deadline
from storyteller.providers.pricing import image_usage
from storyteller.settings import get_settings


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    story = story_of(parse_story_created(event), StoryStore(settings))
    illustrator = factory.illustrator(settings, Deadline.from_context(context))  # storyteller/providers/budgets.py
    key = illustrate(story, illustrator, MediaStore(settings))
    usage = image_usage(illustrator, settings.prices)
    logger.info("illustrated", extra={"story_id": story.id, "key": key, "model": usage.model, "cost": usage.costUsd})
    metrics.add_metric(name="PicturesStored", unit=MetricUnit.Count, value=1)
    return {"imageKey": key, "imageUsage": usage.model_dump()}


imported()  # the cold start's imports are over (functions/__init__.py)
