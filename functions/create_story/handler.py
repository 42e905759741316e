"""Scheduler target: write tonight's story into the Stories table."""

import random
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from storyteller.dal.catalog import CatalogStore
from storyteller.dal.stories import StoryStore
from storyteller.observability import logger, metrics, tracer
from storyteller.providers import factory
from storyteller.settings import get_settings
from storyteller.story import create_story


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    story = create_story(
        CatalogStore(settings),
        StoryStore(settings),
        factory.story_writer(settings),
        random.Random(settings.story_seed),
        attempts=settings.writer_attempts,
    )
    logger.info("story created", extra={"story_id": story.id, "words": story.words})
    metrics.add_metric(name="StoriesCreated", unit=MetricUnit.Count, value=1)
    return {"id": story.id, "title": story.title, "words": story.words}
