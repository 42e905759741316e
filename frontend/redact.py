"""Family secrets kept out of what operators see and download.

A version 2 StoryCreated carries the family's shelf link (`/shelf/{family}/{token}`), and Step Functions
keeps each run's input and every state's input and output for 90 days. The token is the family's
capability (docs/security.md): the console shows and exports runs without it.
"""

from __future__ import annotations

import re
from typing import Any

SHELF_LINK = re.compile(r"(/shelf/[a-z0-9-]{1,32}/)[A-Za-z0-9_-]{16,64}")
HIDDEN = "(token hidden)"


def without_shelf_tokens(value: Any) -> Any:
    """The value (strings, and dicts and lists of them, as boto3 returns them) with every shelf token hidden."""
    if isinstance(value, str):
        return SHELF_LINK.sub(rf"\g<1>{HIDDEN}", value)
    if isinstance(value, dict):
        return {key: without_shelf_tokens(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_shelf_tokens(item) for item in value]
    return value
