"""A family's private pages: its shelf (every story still here) and the page to manage the household.

Both are reached by the unguessable link in every email, `/shelf/{family}/{token}`: the token is the
capability (docs/security.md). A wrong token or an unknown family is the same friendly 404, compared in
constant time, so the pages tell nobody which families exist. `storyteller family revoke` replaces the
token and every link sent before stops working.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from frontend import auth
from storyteller.errors import DuplicateError, LastOfItsKindError, NotFoundError
from storyteller.households.family import character_named, next_night, remove_from_cast, remove_scene, shelf_token, slug
from storyteller.mail import MailStop
from storyteller.models import Character, Family, Scene, StoryItem, input_problems

FORM_FIELD_MAX = 2_000  # no field of these forms is longer; a bigger one is refused before parsing
# The manage page's CSRF token, in a cookie only that family's manage page receives (as the console's
# session carries its token): a form posted from another site arrives without it.
FORM_COOKIE = "storyteller_form"
# What an unknown family is checked against, so it costs what a known one with a wrong token costs: the
# row parsed into a Family (addresses, zone) and a token of a real one's length compared (issue 30).
_STAND_IN = {
    "id": "stand-in",
    "name": "Stand-in",
    "recipients": ["stand-in@example.com"],
    "timeZone": "Europe/London",
    "at": "19:00",
    "shelfToken": shelf_token(),
}


class FamilyBook(Protocol):
    """The Families table (storyteller.dal.families.FamilyStore)."""

    def mail_stops(self, family_id: str) -> dict[str, MailStop]: ...

    def stop_mail(self, family_id: str, address: str, stop: MailStop) -> bool: ...

    def get(self, family_id: str) -> Family | None: ...

    def replace(self, family: Family) -> None: ...


class FamilyCatalog(Protocol):
    """One family's cast and scenes (storyteller.dal.catalog.CatalogStore)."""

    def characters(self) -> list[Character]: ...

    def scenes(self) -> list[Scene]: ...

    def add_character(self, character: Character) -> None: ...

    def add_scene(self, scene: Scene) -> None: ...

    def remove_character(self, character_id: str) -> None: ...

    def remove_scene(self, scene_id: str) -> None: ...


class FamilyStories(Protocol):
    def of_family(self, family_id: str, limit: int = 20) -> list[StoryItem]: ...


def family_router(
    templates: Jinja2Templates,
    families: FamilyBook,
    catalog_of: Callable[[str], FamilyCatalog],
    stories: FamilyStories,
    picture: Callable[[StoryItem], str | None],
    stops_of: Callable[[str], dict[str, MailStop]],
) -> APIRouter:
    """The shelf and the manage page, with their form posts."""
    router = APIRouter()

    def family_for(family_id: str, token: str) -> Family | None:
        family = families.get(family_id) if 0 < len(family_id) <= 32 else None
        candidate = family if family is not None else Family.model_validate(_STAND_IN)
        if not secrets.compare_digest(token.encode(), candidate.shelfToken.encode()) or family is None:
            return None
        return family

    def missing(request: Request) -> Response:
        return templates.TemplateResponse(request, "missing.html", {}, status_code=404)

    @router.get("/shelf/{family_id}/{token}")
    def shelf(request: Request, family_id: str, token: str) -> Response:
        family = family_for(family_id, token)
        if family is None:
            return missing(request)
        entries = [
            {"story": story, "image": picture(story)}
            for story in stories.of_family(family.id)
            if not story.expired()  # DynamoDB deletes expired rows up to days late
        ]
        return templates.TemplateResponse(
            request,
            "shelf.html",
            {"family": family, "shelf": entries, "next": next_night(family), "zone": family.timeZone},
        )

    @router.get("/shelf/{family_id}/{token}/manage")
    def manage(request: Request, family_id: str, token: str) -> Response:
        family = family_for(family_id, token)
        if family is None:
            return missing(request)
        saved = request.query_params.get("saved")
        return _manage_page(request, family, saved=saved if saved in _SAVED else None)

    @router.post("/shelf/{family_id}/{token}/manage/{what}")
    async def change(request: Request, family_id: str, token: str, what: str) -> Response:
        family = family_for(family_id, token)
        if family is None or what not in _SAVED:
            return missing(request)
        form = {key: str(value)[:FORM_FIELD_MAX] for key, value in (await request.form()).items()}
        if not (auth.same_origin(request) and _form_token_ok(request, form.get("csrf"))):
            return templates.TemplateResponse(request, "error.html", {"status": 403}, status_code=403)
        try:
            _apply(what, form, family, families, catalog_of(family.id))
        except ValidationError as error:
            return _manage_page(request, family, error=input_problems(error), form=form, status=400)
        except (DuplicateError, NotFoundError, LastOfItsKindError) as error:
            return _manage_page(request, family, error=str(error), form=form, status=400)
        return RedirectResponse(f"{family.shelf_path}/manage?saved={quote(what)}", status_code=303)

    def _manage_page(
        request: Request,
        family: Family,
        *,
        saved: str | None = None,
        error: str | None = None,
        form: dict[str, str] | None = None,
        status: int = 200,
    ) -> Response:
        catalog = catalog_of(family.id)
        fresh = families.get(family.id) or family
        token = request.cookies.get(FORM_COOKIE) or secrets.token_urlsafe(32)
        context: dict[str, Any] = {
            "csrf": token,
            "family": fresh,
            "characters": catalog.characters(),
            "scenes": catalog.scenes(),
            "next": next_night(fresh),
            "stops": stops_of(family.id),
            "saved": _SAVED.get(saved or ""),
            "error": error,
            "form": form or {},
            "zone": fresh.timeZone,
        }
        page = templates.TemplateResponse(request, "manage.html", context, status_code=status)
        page.set_cookie(
            FORM_COOKIE,
            token,
            path=f"{fresh.shelf_path}/manage",
            httponly=True,
            secure=auth.cookie_must_be_secure(request.scope),
            samesite="strict",
        )
        return page

    return router


def _form_token_ok(request: Request, submitted: str | None) -> bool:
    """The form carries the token its page set in this browser's cookie, compared in constant time."""
    expected = request.cookies.get(FORM_COOKIE)
    if not expected or not submitted:
        return False
    return secrets.compare_digest(expected.encode(), submitted.encode())


_SAVED = {
    "household": "Saved: the recipients, bedtime and age.",
    "cast-add": "Added to the cast.",
    "cast-remove": "Removed from the cast.",
    "scene-add": "Scene added.",
    "scene-remove": "Scene removed.",
}


def _apply(what: str, form: dict[str, str], family: Family, families: FamilyBook, catalog: FamilyCatalog) -> None:
    """One change from one form; a model refuses bad input before anything is written."""
    if what == "household":
        recipients = [line.strip() for line in form.get("recipients", "").splitlines() if line.strip()]
        changed = Family.model_validate(
            family.model_dump()
            | {"recipients": recipients, "at": form.get("at", ""), "timeZone": form.get("timeZone", "").strip()}
            | {"age": form.get("age", family.age)}
        )
        families.replace(changed)
    elif what == "cast-add":
        catalog.add_character(character_named(form.get("name", ""), form.get("description", "")))
    elif what == "cast-remove":
        remove_from_cast(catalog, form.get("id", ""))
    elif what == "scene-add":
        description = form.get("description", "")
        scene_id = slug(form.get("id", "") or " ".join(description.split()[:3])) or "-"
        catalog.add_scene(Scene(id=scene_id, description=description))
    elif what == "scene-remove":
        remove_scene(catalog, form.get("id", ""))
