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
from storyteller.models import StoryItem

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


def run_document(detail: RunDetail, story: StoryItem | None) -> dict[str, Any]:
    """The run as DescribeExecution and GetExecutionHistory gave it (the story withheld: frontend/redact.py),
    and the story's title and cast from the Stories table while it lives."""
    summary = {**asdict(detail.summary), "title": story.title if story else None}
    return {
        "story": _story(detail.summary.story_id, story),
        "execution": {**summary, "error": detail.error, "cause": detail.cause, "input": detail.input},
        "output": json.loads(detail.output_text) if detail.output_text else None,
        "events": detail.events,
    }


def _story(story_id: str | None, story: StoryItem | None) -> dict[str, Any] | None:
    if story_id is None:
        return None
    if story is None:
        return {"id": story_id, "expired": True}
    cast = [character.name for character in story.characters]
    return {"id": story.id, "expired": False, "title": story.title, "cast": cast, "status": story.status.value}


def json_download(document: Any, filename: str) -> Response:
    body = json.dumps(document, indent=1, default=str, ensure_ascii=False)
    return Response(body, media_type="application/json", headers=_attachment(filename))


def nights_csv(rows: list[NightRun], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    states = sorted({state for row in rows for state in row.state_seconds})
    writer.writerow([*NIGHT_COLUMNS, "emails", *(f"seconds_{state}" for state in states)])
    for row in rows:
        record = row.record()
        writer.writerow(
            [
                *(_cell(record[column]) for column in NIGHT_COLUMNS),
                _cell(row.emails.summary() if row.emails else None),
                *(row.state_seconds.get(s, "") for s in states),
            ]
        )
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=_attachment(filename))


def _cell(value: Any) -> Any:
    # A title starting with = + - @ would be a formula in a spreadsheet: quoted as text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return "" if value is None else value


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
