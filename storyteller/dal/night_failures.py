"""Nights that failed before any run: the story could not be written (no cast, the writer down after its
retries, the family gone), so no execution exists for the console to count.

Kept in the ScheduleFirings table beside Powertools' idempotency records (pk `id`, here `night-failed#…`),
one per family and firing: a retry of the same firing overwrites it, and a retry that succeeds removes it.
They expire with the table's TTL after two weeks, long enough for a weekly look at the nights page.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from pydantic import ValidationError

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.items import from_item, to_item
from storyteller.models import NightFailure
from storyteller.settings import Settings

log = logging.getLogger(__name__)

PREFIX = "night-failed#"
KEEP_SECONDS = 14 * 24 * 3600
REASON_MAX = 300


class NightFailureStore:
    """Records, clears and lists the nights that failed before a run."""

    def __init__(self, settings: Settings) -> None:
        self._dynamodb = client("dynamodb", settings.aws_region)
        self._table = settings.firings_table

    def record(self, family_id: str, firing: str | None, error: BaseException) -> NightFailure:
        """Keep why the family's night failed; a failure to keep it is logged, never raised over the first."""
        failure = NightFailure(
            familyId=family_id,
            firing=firing,
            at=datetime.now(UTC),
            error=type(error).__name__,
            reason=" ".join(str(error).split())[:REASON_MAX] or type(error).__name__,
        )
        item = to_item(failure.model_dump(mode="json")) | {
            "id": {"S": _key(family_id, firing or failure.at.isoformat())},
            names.FIRINGS_TTL_ATTRIBUTE: {"N": str(int(time.time()) + KEEP_SECONDS)},
        }
        try:
            self._dynamodb.put_item(TableName=self._table, Item=item)
        except ClientError:
            log.exception("could not record the failed night of %s", family_id)
        return failure

    def clear(self, family_id: str, firing: str) -> None:
        """The firing's retry made the story: the night did not fail after all."""
        self._dynamodb.delete_item(TableName=self._table, Key={"id": {"S": _key(family_id, firing)}})

    def recent(self) -> list[NightFailure]:
        """Every kept failure, newest first (a scan: the table holds two days of firings and these)."""
        rows: list[dict[str, Any]] = []
        pages = self._dynamodb.get_paginator("scan").paginate(
            TableName=self._table,
            FilterExpression="begins_with(id, :prefix)",
            ExpressionAttributeValues={":prefix": {"S": PREFIX}},
        )
        for page in pages:
            rows.extend(from_item(item) for item in page["Items"])
        failures = []
        for row in rows:
            row.pop("id", None)
            row.pop(names.FIRINGS_TTL_ATTRIBUTE, None)
            try:
                failures.append(NightFailure.model_validate(row))
            except ValidationError:
                log.warning("skipped a malformed failed-night record")
        return sorted(failures, key=lambda failure: failure.at, reverse=True)


def _key(family_id: str, firing: str) -> str:
    return f"{PREFIX}{family_id}#{firing}"
