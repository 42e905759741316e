"""One-click unsubscribe (RFC 8058): the link in each email stops that one address, nothing else.

Mail providers POST `List-Unsubscribe=One-Click` from their own servers, with no cookie and no Origin of
ours: the signed token is the whole authorization, so there is no same-origin check here. A GET (a person
clicking, or a link scanner) only shows a button; only a POST stops the address.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from fastapi import APIRouter, Request, Response
from fastapi.templating import Jinja2Templates

from storyteller.mail import MailStop
from storyteller.mailer.unsubscribe import Unsubscribe, read_token
from storyteller.models import Family

TOKEN_MAX = 400


class MailBook(Protocol):
    """The families' addresses and which of them get no email."""

    def get(self, family_id: str) -> Family | None: ...

    def stop_mail(self, family_id: str, address: str, stop: MailStop) -> bool: ...


def unsubscribe_router(templates: Jinja2Templates, book: MailBook, key: Callable[[], bytes]) -> APIRouter:
    router = APIRouter()

    def leaving(token: str) -> Unsubscribe | None:
        found = read_token(key(), token) if len(token) <= TOKEN_MAX else None
        if found is None:
            return None
        family = book.get(found.family_id)
        # A token for an address the family no longer lists stops nothing.
        return found if family is not None and found.address in family.recipients else None

    def missing(request: Request) -> Response:
        return templates.TemplateResponse(request, "missing.html", {}, status_code=404)

    @router.get("/unsubscribe/{token}")
    def ask(request: Request, token: str) -> Response:
        found = leaving(token)
        if found is None:
            return missing(request)
        return templates.TemplateResponse(request, "unsubscribe.html", {"address": found.address, "done": False})

    @router.post("/unsubscribe/{token}")
    def unsubscribe(request: Request, token: str) -> Response:
        found = leaving(token)
        if found is None:
            return missing(request)
        book.stop_mail(found.family_id, found.address, MailStop(reason="unsubscribed", at=datetime.now(UTC)))
        return templates.TemplateResponse(request, "unsubscribe.html", {"address": found.address, "done": True})

    return router
