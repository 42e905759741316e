"""Scheduler target: write tonight's story into the Stories table, once per firing of the schedule."""

import random
from functools import lru_cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig, idempotent
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import imported
from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.families import FamilyStore
from storyteller.dal.night_failures import NightFailureStore
from storyteller.dal.stories import StoryStore
from storyteller.errors import UnknownFamilyError
from storyteller.flow.tonight import create_story
from storyteller.observability import logger, metrics, tracer
from storyteller.providers import factory
from storyteller.providers.budgets import Deadline
from storyteller.settings import get_settings
from storyteller.story.reading_level import YOUNG, reading_level

# Scheduler and Lambda's async queue both deliver at least once: a firing is keyed by its family and its
# scheduled time (`<aws.scheduler.scheduled-time>` in the target's input), so a duplicate returns the story
# the first delivery made, and two families whose bedtime is the same minute each get theirs. An event
# without a time (a manual `tonight`) always makes a new story.
FIRING = IdempotencyConfig(
    event_key_jmespath="[familyId, scheduledTime]", expires_after_seconds=names.STORY_LIFETIME_SECONDS
)


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # A night that fails here has no run: without this record the console would count it as nothing at all.
    family_id = str(event.get("familyId") or names.DEFAULT_FAMILY)
    firing = str(event["scheduledTime"]) if event.get("scheduledTime") is not None else None
    try:
        result = _once_per_firing(event, context)
    except Exception as error:
        NightFailureStore(get_settings()).record(family_id, firing, error)
        raise
    if firing is not None and "id" in result:
        NightFailureStore(get_settings()).clear(family_id, firing)
    return result


def _once_per_firing(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if "scheduledTime" not in event:
        return _write_story(event, context)
    settings = get_settings()
    once_per_firing = idempotent(
        persistence_store=_firings(client("dynamodb", settings.aws_region), settings.firings_table), config=FIRING
    )
    try:
        result: dict[str, Any] = once_per_firing(_write_story)(event, context)
    except IdempotencyAlreadyInProgressError:
        # The same firing, delivered twice at once: the first delivery is writing tonight's story.
        firing = event.get("scheduledTime")
        logger.warning("duplicate firing while the first is still writing", extra={"firing": firing})
        metrics.add_metric(name="DuplicateFirings", unit=MetricUnit.Count, value=1)
        return {"duplicateOf": firing}
    return result


def _write_story(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    family_id = str(event.get("familyId") or names.DEFAULT_FAMILY)
    family = FamilyStore(settings).get(family_id)
    if family is None and family_id != names.DEFAULT_FAMILY:
        # A schedule left behind by a removed family: said once, no story for nobody.
        raise UnknownFamilyError(f"no family {family_id!r}: its schedule should have gone with it")
    story = create_story(
        CatalogStore(settings, family_id),
        StoryStore(settings),
        # Every draft and moderation call ends by the function's own deadline (storyteller/providers/budgets.py).
        factory.story_writer(settings, reading_level(family.age) if family else YOUNG, Deadline.from_context(context)),
        random.Random(settings.story_seed),
        attempts=settings.writer_attempts,
        family=family,
    )
    logger.info("story created", extra={"story_id": story.id, "family": family_id, "words": story.words})
    metrics.add_metric(name="StoriesCreated", unit=MetricUnit.Count, value=1)
    # Ids only: Powertools keeps this answer in the firing's idempotency record (docs/security.md).
    return {"id": story.id, "words": story.words, "familyId": family_id}


@lru_cache(maxsize=4)
def _firings(dynamodb: Any, table: str) -> DynamoDBPersistenceLayer:
    # One per client: the layer registers a hook on the client it is given, so it is built once.
    return DynamoDBPersistenceLayer(table_name=table, boto3_client=dynamodb, key_attr="id")


imported()  # the cold start's imports are over (functions/__init__.py)
