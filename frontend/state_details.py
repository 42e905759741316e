"""A state's input and output as the run page shows them: pretty JSON, long payloads cut with a way to see all."""

from __future__ import annotations

import json
from dataclasses import dataclass

# A story's text makes most payloads ~3 KB; past this the page shows the start and folds the rest away.
SHOWN_CHARS = 1500


@dataclass(frozen=True)
class Payload:
    """What to show at once, and the whole text when it was cut."""

    head: str
    whole: str | None  # None when nothing was cut
    chars: int


def shown(text: str | None, limit: int = SHOWN_CHARS) -> Payload | None:
    """The payload indented for reading (JSON), cut at `limit` characters."""
    if text is None:
        return None
    try:
        pretty = json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        pretty = text
    if len(pretty) <= limit:
        return Payload(pretty, None, len(pretty))
    return Payload(pretty[:limit].rstrip() + "\n…", pretty, len(pretty))
