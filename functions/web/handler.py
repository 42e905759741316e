"""The story pages and the console: the FastAPI app behind CloudFront and a Function URL, through Mangum."""

from typing import Any

from mangum import Mangum

from frontend.app import create_app
from frontend.front_door import REFUSED, FrontDoor, origin_secret
from frontend.settings import FrontendSettings
from functions import imported

_settings = FrontendSettings()
_door = FrontDoor(origin_secret(_settings))
# lifespan off: the app has no startup work beyond create_app, which ran at import (the cold start).
_pages = Mangum(create_app(frontend=_settings), lifespan="off")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    admitted = _door.admit(event)
    if admitted is None:
        return REFUSED
    answer: dict[str, Any] = _pages(admitted, context)
    return answer


imported()  # the cold start's imports are over (functions/__init__.py)
