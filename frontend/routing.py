"""Two HTTP edges the framework leaves open: HEAD requests, and a path with a trailing slash.

FastAPI answers HEAD with 405 where GET works (a link checker's or a monitor's first request), and
Starlette's trailing-slash redirect builds its `Location` from the request's `Host` header, which a
client chooses. Here HEAD is answered as GET without the body, and the redirect is relative (issue 30).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """ASGI middleware: a HEAD request runs as GET and the answer goes out with its headers only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] != "http.response.body":
                await send(message)
            elif not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b""})

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def slashless_redirect(router: Router, request: Request) -> Response | None:
    """For a GET of `/path/` when `/path` is a page: a redirect to it, relative, on this site only."""
    raw = request.scope.get("raw_path") or request.url.path.encode()
    path = raw.decode("latin-1")
    if request.method not in ("GET", "HEAD") or not path.endswith("/") or path == "/":
        return None
    target = "/" + path.strip("/")  # one leading slash: `//host` would be a link to another site
    if target.startswith("/\\"):  # which browsers also read `/\host` as
        return None
    scope = {**request.scope, "path": request.url.path.rstrip("/"), "method": "GET"}
    if not any(route.matches(scope)[0] is Match.FULL for route in router.routes):
        return None
    query = request.url.query
    return RedirectResponse(target + (f"?{query}" if query else ""), status_code=307)
