"""Narrate branch of the state machine: read the story aloud, store the MP3, return its key."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import imported
from storyteller.dal.media import MediaStore
from storyteller.dal.stories import StoryStore
from storyteller.flow.events import parse_story_created
from storyteller.flow.media import narrate, narration_text, story_of
from storyteller.observability import logger, metrics, tracer
from storyteller.providers import factory
from storyteller.providers.budgets import Deadline
from storyteller.providers.pricing import narration_usage
from storyteller.settings import get_settings


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    story = story_of(parse_story_created(event), StoryStore(settings))
    narrator = factory.narrator(settings, Deadline.from_context(context))  # storyteller/providers/budgets.py
    # Said before the work: a narration takes seconds, and one cut short by a stop is then seen to have begun.
    logger.info("narrating", extra={"story_id": story.id, "model": narrator.model})
    key = narrate(story, narrator, MediaStore(settings))
    usage = narration_usage(narrator, narrator.model, narration_text(story), settings.prices)
    logger.info("narrated", extra={"story_id": story.id, "key": key, "model": usage.model, "cost": usage.costUsd})
    metrics.add_metric(name="NarrationsStored", unit=MetricUnit.Count, value=1)
    return {"audioKey": key, "voiceUsage": usage.model_dump()}


imported()  # the cold start's imports are over (functions/__init__.py)
