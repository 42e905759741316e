"""Execution histories recorded from the local endpoint running the real ASL, as boto3 returns them.

Recorded with stand-in media functions (tests/integration/test_flow.py) in these situations:
succeeded, failed (Narrate raised), retried (Illustrate failed once with a retryable error),
retries_exhausted, running, aborted (stop_execution mid-run), duplicate (ended at AlreadyClaimed)
and redriven (the failed run, redriven after the narrator was fixed).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def recorded(name: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(describe_execution, events) with timestamps as datetimes, as boto3 gives them."""
    data = json.loads((HERE / f"{name}.json").read_text())
    execution = {key: _when(key, value) for key, value in data["execution"].items()}
    events = [{key: _when(key, value) for key, value in event.items()} for event in data["events"]]
    return execution, events


def _when(key: str, value: Any) -> Any:
    return datetime.fromisoformat(value) if key in ("timestamp", "startDate", "stopDate", "redriveDate") else value
