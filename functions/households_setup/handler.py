"""The deploy's custom resource (CDK Provider framework): make the default family (storyteller/households/migration.py),
then bring every family's schedule up to what this deploy's schedules carry (storyteller/households/family_sync.py)."""

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import imported
from storyteller.dal.aws import client
from storyteller.dal.families import FamilyStore
from storyteller.households.family_sync import SyncTargets, resync_schedules
from storyteller.households.migration import migrate
from storyteller.mailer.migration import remove_email_subscriptions
from storyteller.observability import logger, tracer
from storyteller.settings import get_settings

PHYSICAL_ID = "storyteller-households"


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("RequestType") == "Delete":
        return {"PhysicalResourceId": PHYSICAL_ID}  # families outlive the stack's resources (retained tables)
    properties = event.get("ResourceProperties", {})
    settings = get_settings()
    done = migrate(settings, properties.get("LegacyCharactersTable"), properties.get("LegacyScenesTable"))
    # CloudFormation calls again whenever the `Schedules` property (what a schedule carries) changes.
    schedules = resync_schedules(
        FamilyStore(settings).all(), SyncTargets.from_environment(), client("scheduler", settings.aws_region)
    )
    topic = properties.get("NotifyTopicArn")
    removed = remove_email_subscriptions(client("sns", settings.aws_region), topic) if topic else 0
    logger.info(
        "households ready", extra={**asdict(done), "schedules": schedules, "emailSubscriptionsRemoved": removed}
    )
    data = {key: str(value) for key, value in asdict(done).items()}
    data["schedulesChanged"] = str(sum(outcome != "unchanged" for outcome in schedules.values()))
    data["emailSubscriptionsRemoved"] = str(removed)
    return {"PhysicalResourceId": PHYSICAL_ID, "Data": data}


imported()  # the cold start's imports are over (functions/__init__.py)
