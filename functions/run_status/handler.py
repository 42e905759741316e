"""Rule target: a story whose run failed, timed out or was aborted is marked FAILED."""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from functions import imported
from storyteller.flow.run_outcome import ExecutionStatusChange, record_run_outcome
from storyteller.observability import logger, metrics, tracer
from storyteller.settings import get_settings


@metrics.log_metrics
@logger.inject_lambda_context
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    change = ExecutionStatusChange.model_validate(event["detail"])
    marked = record_run_outcome(change, get_settings())
    logger.info("run ended", extra={"execution": change.execution_arn, "status": change.status, "marked": marked})
    if marked:
        metrics.add_metric(name="StoriesFailed", unit=MetricUnit.Count, value=1)
    return {"storyId": change.story_id(), "markedFailed": marked}


imported()  # the cold start's imports are over (functions/__init__.py)
