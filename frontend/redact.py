"""A run's data as the console may show it: ids, keys, usage, timings and errors, never the story.

Runs from StoryCreated version 3 carry no story. Runs from versions 1 and 2 (and the history of their
first states) still hold the title, the text and the cast for Step Functions' 90 days; the console reads
a story only from the Stories table, so it lives two days on screen as it does there. A family's shelf
token (its capability, docs/security.md) is hidden wherever a version 2 run quoted its shelf link.
"""

from __future__ import annotations

import json
import re
from typing import Any

WITHHELD = "(story content: not shown from a run; the Stories table has it while the story lives)"
# A version 1 or 2 event's content fields. Its shelf path stays, with the family's secret token hidden
# (`without_shelf_tokens`): the path names the family, the token is its capability.
_CONTENT_KEYS = frozenset({"title", "text", "scene", "moment", "name", "description"})
# Fields of a history event's details that are JSON documents of a state's data.
_DATA_FIELDS = ("input", "output", "parameters")
SHELF_LINK = re.compile(r"(/shelf/[a-z0-9-]{1,32}/)[A-Za-z0-9_-]{16,64}")
HIDDEN = "(token hidden)"


def references_only(value: Any) -> Any:
    """`value` with every story field replaced by a notice; the cast (a list of characters) as well.

    `characters` is also a count in the narration's usage: only a list is the cast.
    """
    if isinstance(value, dict):
        return {
            key: WITHHELD
            if key in _CONTENT_KEYS or (key == "characters" and isinstance(inner, list))
            else references_only(inner)
            for key, inner in value.items()
        }
    if isinstance(value, list):
        return [references_only(inner) for inner in value]
    return value


def document_text(text: str | None) -> str | None:
    """A JSON document's text with the story withheld; text that is not JSON is withheld whole."""
    if text is None:
        return None
    try:
        parsed = json.loads(text)
    except ValueError:
        return WITHHELD if text.strip() else text
    return str(without_shelf_tokens(json.dumps(references_only(parsed), ensure_ascii=False)))


def history_event(event: dict[str, Any]) -> dict[str, Any]:
    """One GetExecutionHistory event with its data fields (a state's input, output, parameters) withheld."""
    redacted = dict(event)
    for key, details in event.items():
        if key.endswith("EventDetails") and isinstance(details, dict):
            redacted[key] = {
                name: document_text(inner) if name in _DATA_FIELDS and isinstance(inner, str) else inner
                for name, inner in details.items()
            }
    hidden: dict[str, Any] = without_shelf_tokens(redacted)  # an email's text (Notify's parameters) quoted the link
    return hidden


def described(execution: dict[str, Any]) -> dict[str, Any]:
    """DescribeExecution's answer with its input and output withheld the same way."""
    redacted = dict(execution)
    for key in ("input", "output"):
        if isinstance(execution.get(key), str):
            redacted[key] = document_text(execution[key])
    hidden: dict[str, Any] = without_shelf_tokens(redacted)
    return hidden


def without_shelf_tokens(value: Any) -> Any:
    """The value (strings, and dicts and lists of them, as boto3 returns them) with every shelf token hidden."""
    if isinstance(value, str):
        return SHELF_LINK.sub(rf"\g<1>{HIDDEN}", value)
    if isinstance(value, dict):
        return {key: without_shelf_tokens(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_shelf_tokens(item) for item in value]
    return value
