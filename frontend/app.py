"""The web app, rendered on the server: the family's story pages and the operators' console.

Locally `storyteller up` serves it (or `uvicorn frontend.app:create_app --factory`); in AWS the Lambda
function `functions/web` builds it at cold start and serves it through Mangum. Every AWS call goes
through boto3, so the same code serves AWS and moto.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import jinja2
from fastapi import FastAPI, Request
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from frontend import auth
from frontend.console import Console, console_router
from frontend.family_pages import FamilyBook, FamilyCatalog, family_router
from frontend.page_cache import PageCache
from frontend.routing import HeadAsGet, slashless_redirect
from frontend.runs import Runs
from frontend.settings import FrontendSettings
from frontend.shelves import DeliveryBook, MediaLinks, StoryShelf
from frontend.unsubscribe import unsubscribe_router
from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.deliveries import DeliveryStore
from storyteller.dal.families import FamilyStore
from storyteller.dal.media import MediaStore
from storyteller.dal.night_failures import NightFailureStore
from storyteller.dal.stories import StoryStore
from storyteller.mailer.unsubscribe import signing_key as unsubscribe_key
from storyteller.models import NightFailure, StoryItem, StoryStatus
from storyteller.settings import Settings, get_settings
from storyteller.story.verse import stanzas

HERE = Path(__file__).resolve().parent
# Media links must outlive a long bedtime page view, never the story itself.
MIN_LINK_SECONDS = 3600
# A story younger than this whose media are missing is probably still being made.
STILL_MAKING = timedelta(minutes=15)
log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    frontend: FrontendSettings | None = None,
    *,
    stories: StoryShelf | None = None,
    media: MediaLinks | None = None,
    runs: Runs | None = None,
    families: FamilyBook | None = None,
    deliveries: DeliveryBook | None = None,
    catalog_of: Callable[[str], FamilyCatalog] | None = None,
    fetch_secret: Callable[[str], str] | None = None,
    announce: Callable[[str], None] | None = None,
    night_failures: Callable[[], list[NightFailure]] | None = None,
) -> FastAPI:
    """The app; settings (and the console password) are read once, like a Lambda cold start.

    Stores and the runs gateway can be handed in (unit tests pass small fakes); by default they
    are the real ones, on AWS or on the local endpoint.
    """
    settings = settings or get_settings()
    frontend = frontend or FrontendSettings()
    region = settings.aws_region
    stories = stories or StoryStore(settings)
    families = families or FamilyStore(settings)
    catalog_of = catalog_of or (lambda family_id: CatalogStore(settings, family_id))
    media = media or MediaStore(settings)
    runs = runs or Runs(lambda: client("stepfunctions", region), frontend.state_machine_arn, names.STATE_MACHINE)
    zone = ZoneInfo(settings.schedule_time_zone)

    # No trailing-slash redirect of Starlette's: it copies the Host header into Location (routing.py).
    app = FastAPI(title="storyteller", docs_url=None, redoc_url=None, openapi_url=None, redirect_slashes=False)
    templates = _templates(zone)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def failed_page(request: Request) -> Response:
        return templates.TemplateResponse(request, "error.html", {"status": 500}, status_code=500)

    app.middleware("http")(_security_headers(_media_origin(media), failed_page))
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(HeadAsGet)

    password = auth.console_password(frontend, fetch_secret or _secrets_manager(region), announce)
    check = auth.PasswordCheck.of(password)
    secret = auth.session_key(frontend, fetch_secret or _secrets_manager(region))
    console = Console(
        runs=runs,
        stories=stories,
        templates=templates,
        password=check,
        sessions=auth.Sessions(secret, check, int(frontend.console_session_hours * 3600)),
        throttle=auth.LoginThrottle(),
        zone=zone,
        deliveries_of=(deliveries or DeliveryStore(settings)).of_story,
        client_address_header=frontend.client_address_header,
        night_failures=night_failures or NightFailureStore(settings).recent,
    )
    app.include_router(console_router(console))

    links = PageCache()

    def media_url(story: StoryItem, key: str | None) -> str | None:
        """A presigned link, signed once per story and object and reused for minutes: the home page lists
        the same pictures on every visit, and a link signed for an hour or more outlives its reuse."""
        if not key:
            return None
        if (cached := links.get(key)) is not None:
            return cached.decode()
        remaining = story.ttl - int(datetime.now(UTC).timestamp())
        url = media.presign(key, max(remaining, MIN_LINK_SECONDS))
        links.put(key, url.encode(), remaining)
        return url

    pages = PageCache()

    def family_zone(family_id: str) -> str:
        """The zone a family's story is dated in: its own (it may live far from the operator)."""
        family = families.get(family_id)
        return family.timeZone if family is not None else str(zone)

    app.include_router(
        family_router(
            templates,
            families,
            catalog_of,
            stories,
            lambda story: media_url(story, story.imageKey),
            families.mail_stops,
        )
    )
    app.include_router(unsubscribe_router(templates, families, lambda: unsubscribe_key(settings)))

    @app.get("/", response_class=HTMLResponse)
    def recent(request: Request) -> Response:
        # Every story is a family's, on its private shelf; only an install that opts in lists the default
        # family's here (STORYTELLER_PUBLIC_SHELF).
        if not frontend.public_shelf:
            return templates.TemplateResponse(request, "index.html", {"shelf": [], "private": True})
        shelf = [
            {"story": story, "image": media_url(story, story.imageKey)}
            for story in stories.of_family(names.DEFAULT_FAMILY)
            if not story.expired()
        ]
        context = {"shelf": shelf, "private": False, "zone": family_zone(names.DEFAULT_FAMILY)}
        return templates.TemplateResponse(request, "index.html", context)

    @app.get("/stories/{story_id}", response_class=HTMLResponse)
    def story_page(request: Request, story_id: str) -> Response:
        if (cached := pages.get(story_id)) is not None:
            return HTMLResponse(cached)
        story = stories.get(story_id) if _plausible_id(story_id) else None
        if story is None or story.expired():
            return templates.TemplateResponse(request, "missing.html", {}, status_code=404)
        making = (
            story.status not in (StoryStatus.COMPLETE, StoryStatus.FAILED)
            and datetime.now(UTC) - story.createdAt < STILL_MAKING
        )
        page = templates.TemplateResponse(
            request,
            "story.html",
            {
                "zone": family_zone(story.familyId),
                "story": story,
                "image": media_url(story, story.imageKey),
                "audio": media_url(story, story.audioKey),
                "stanzas": stanzas(story.text),
                "cast": cast_names([character.name for character in story.characters]),
                "making": making,
            },
        )
        if story.status is StoryStatus.COMPLETE and story.imageKey and story.audioKey:
            # Until the story expires, and well before its links (presigned for at least an hour) do.
            pages.put(story_id, bytes(page.body), story.ttl - datetime.now(UTC).timestamp())
        return page

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.exception_handler(StarletteHTTPException)
    async def friendly_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            if (redirect := slashless_redirect(app.router, request)) is not None:
                return redirect
            return templates.TemplateResponse(request, "missing.html", {}, status_code=404)
        return templates.TemplateResponse(
            request, "error.html", {"status": error.status_code}, status_code=error.status_code
        )

    return app


def cast_names(cast: list[str]) -> str:
    """'Pip', 'Pip and Luna', 'Pip, Luna and Mo'."""
    return " and ".join([", ".join(cast[:-1]), cast[-1]]) if len(cast) > 1 else "".join(cast)


def _plausible_id(story_id: str) -> bool:
    return 0 < len(story_id) <= 64


def _templates(zone: ZoneInfo) -> Jinja2Templates:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every page, whatever the file name: a `<script>` character is text
        trim_blocks=True,
        lstrip_blocks=True,
    )

    # A family's pages pass the family's own zone as `zone`; the console and the home page use the default.
    @jinja2.pass_context
    def local(context: jinja2.runtime.Context, moment: datetime, pattern: str = "%a %-d %b, %H:%M") -> str:
        return moment.astimezone(ZoneInfo(context["zone"])).strftime(pattern)

    @jinja2.pass_context
    def epoch(context: jinja2.runtime.Context, seconds: int, pattern: str = "%A %-d %B, %H:%M") -> str:
        return datetime.fromtimestamp(seconds, ZoneInfo(context["zone"])).strftime(pattern)

    def until(seconds: int) -> str:
        left = seconds - datetime.now(UTC).timestamp()
        hours = int(left // 3600)
        if hours >= 24:
            return f"{hours // 24} day{'s' if hours >= 48 else ''} {hours % 24} h left"
        return f"{hours} h left" if hours >= 1 else "leaving soon"

    environment.filters.update(local=local, epoch=epoch, until=until)
    environment.globals["zone"] = str(zone)
    return Jinja2Templates(env=environment)


def _media_origin(media: MediaLinks) -> str:
    """Where presigned media URLs point (S3, or the local endpoint), for the page's CSP."""
    try:
        parts = urlsplit(media.presign("stories/probe/image.png", 60))
    except Exception:  # noqa: BLE001 - no credentials yet: fall back to any https origin
        log.warning("could not presign a probe URL; the CSP allows media from any https origin")
        return "https:"
    return f"{parts.scheme}://{parts.netloc}"


def _security_headers(
    media_origin: str, failed_page: Callable[[Request], Response]
) -> Callable[[Request, Callable[[Request], Awaitable[Any]]], Awaitable[Any]]:
    policy = "; ".join(
        [
            "default-src 'self'",
            f"img-src 'self' data: {media_origin}",
            f"media-src 'self' {media_origin}",
            "script-src 'self'",
            "style-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )

    async def add_headers(request: Request, call_next: Callable[[Request], Awaitable[Any]]) -> Any:
        try:
            response = await call_next(request)
        except Exception:  # any failure: a friendly page, with the same headers as every page
            log.exception("error serving %s", request.url.path)
            response = failed_page(request)
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.url.path.startswith(("/console", "/shelf/")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return add_headers


def _secrets_manager(region: str) -> Callable[[str], str]:
    def fetch(secret_id: str) -> str:
        value: str = client("secretsmanager", region).get_secret_value(SecretId=secret_id)["SecretString"]
        return value

    return fetch
