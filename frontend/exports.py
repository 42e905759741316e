"""Downloads: one run's history as JSON, and the nights table as JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

from fastapi.responses import Response

from frontend.nights import NightRun
from frontend.runs import RunDetail

NIGHT_COLUMNS = (
    "name",
    "story_id",
    "title",
    "status",
    "started",
    "stopped",
    "seconds",
    "redrives",
    "failed_state",
    "error",
)


def run_document(detail: RunDetail) -> dict[str, Any]:
    """The run as DescribeExecution and GetExecutionHistory gave it, in one document."""
    summary = asdict(detail.summary)
    return {
        "execution": {**summary, "error": detail.error, "cause": detail.cause, "input": detail.input},
        "output": json.loads(detail.output_text) if detail.output_text else None,
        "events": detail.events,
    }


def json_download(document: Any, filename: str) -> Response:
    body = json.dumps(document, indent=1, default=str, ensure_ascii=False)
    return Response(body, media_type="application/json", headers=_attachment(filename))


def nights_csv(rows: list[NightRun], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    states = sorted({state for row in rows for state in row.state_seconds})
    writer.writerow([*NIGHT_COLUMNS, *(f"seconds_{state}" for state in states)])
    for row in rows:
        record = row.record()
        writer.writerow(
            [*(_cell(record[column]) for column in NIGHT_COLUMNS), *(row.state_seconds.get(s, "") for s in states)]
        )
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=_attachment(filename))


def _cell(value: Any) -> Any:
    # A title starting with = + - @ would be a formula in a spreadsheet: quoted as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
