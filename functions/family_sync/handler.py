"""Families table stream → each family's schedule and email subscriptions (storyteller/households/family_sync.py)."""

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import imported
from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.families import FamilyStore, family_from_row
from storyteller.dal.items import from_item
from storyteller.households.family_sync import SyncTargets, sync_family
from storyteller.households.forget import forget_family
from storyteller.models import Family
from storyteller.observability import logger, metrics, tracer
from storyteller.settings import get_settings

# A failed record is retried alone (ReportBatchItemFailures) and the ones after it wait: changes to a
# family stay in order.
processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def _family(image: dict[str, Any] | None) -> Family | None:
    return family_from_row(from_item(image)) if image else None  # not a family: logged, left alone


def sync_record(record: DynamoDBRecord) -> None:
    settings = get_settings()
    raw = record.raw_event["dynamodb"]
    old, new = _family(raw.get("OldImage")), _family(raw.get("NewImage"))
    if old is None and new is None:
        return
    families = FamilyStore(settings)
    family_id = (new or old).id  # type: ignore[union-attr]
    known = from_item(raw.get("NewImage") or raw.get("OldImage") or {}).get(names.SUBSCRIPTIONS_ATTRIBUTE) or {}
    result = sync_family(
        old,
        new,
        dict(known),
        SyncTargets.from_environment(),
        client("scheduler", settings.aws_region),
        client("sns", settings.aws_region),
    )
    if new is None and old is not None:
        forget_removed_family(old.id)
    if new is not None and (result.subscribed or result.unsubscribed):
        kept = {address: arn for address, arn in known.items() if address not in result.unsubscribed}
        families.record_subscriptions(family_id, kept | result.subscribed)
    logger.info(
        "family synced",
        extra={"family": family_id, "schedule": result.schedule, "subscribed": list(result.subscribed)},
    )


def forget_removed_family(family_id: str) -> None:
    """A removed family's stories and media go now, not when their two days end (docs/security.md)."""
    forgotten = forget_family(family_id, get_settings())
    logger.info("family forgotten", extra={"family": family_id, "stories": len(forgotten.story_ids)})


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=sync_record, processor=processor, context=context)


imported()  # the cold start's imports are over (functions/__init__.py)
