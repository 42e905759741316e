"""The operators' console: the runs, one run drawn as a graph with its history, and Retry (redrive)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from urllib.parse import quote

from botocore.exceptions import BotoCoreError, ClientError
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from frontend import auth, exports, nights, state_details, timeline
from frontend.emails import Emails
from frontend.graph import (
    PALETTE,
    Flow,
    anchors,
    format_seconds,
    parse_flow,
    state_link,
    status_line,
)
from frontend.graph_drawing import draw
from frontend.history import RunHistory, StateStatus, read_history
from frontend.runs import STATUSES, Runs, StateMachineNotFoundError
from frontend.shelves import StoryShelf
from storyteller.mail import Delivery
from storyteller.models import FAMILY_ID_PATTERN, NightFailure, StoryItem

log = logging.getLogger(__name__)


LOGIN = "/console/login"


@dataclass
class Console:
    """What the console's routes need; built once by `create_app`."""

    runs: Runs
    stories: StoryShelf
    templates: Jinja2Templates
    password: auth.PasswordCheck
    sessions: auth.Sessions
    throttle: auth.LoginThrottle
    zone: tzinfo
    # Each recipient's email of a story (the Deliveries table): shown on the run page.
    deliveries_of: Callable[[str], list[Delivery]]
    client_address_header: str | None = None
    night_failures: Callable[[], list[NightFailure]] = list

    def page(
        self,
        request: Request,
        name: str,
        context: dict[str, Any],
        session: auth.ConsoleSession,
        status_code: int = 200,
    ) -> Response:
        """Render a console page; the session (and so its CSRF token) rides along in the cookie."""
        notice = session.take_notice()
        response = self.templates.TemplateResponse(
            request, name, {**context, "csrf": session.csrf, "notice": notice}, status_code=status_code
        )
        self.sessions.store(response, request, session)
        return response

    def redirect(self, request: Request, to: str, session: auth.ConsoleSession | None) -> Response:
        response = RedirectResponse(to, status_code=303)
        if session is not None:
            self.sessions.store(response, request, session)
        return response

    def live_story(self, story_id: str | None, now: datetime) -> StoryItem | None:
        """The run's story while it lives; None once it expired or was removed, whatever the run recorded."""
        story = self.stories.get(story_id) if story_id else None
        return story if story is not None and not story.expired(now) else None

    def live_titles(self, story_ids: Iterable[str | None]) -> dict[str, str]:
        """The living stories' titles by id: one GetItem per story, eight at a time (the pages' role may read a
        story by id, never scan the table)."""
        now = datetime.now(UTC)
        wanted = sorted({story_id for story_id in story_ids if story_id})
        with ThreadPoolExecutor(max_workers=8) as pool:
            found = list(pool.map(lambda story_id: self.live_story(story_id, now), wanted))
        return {story.id: story.title for story in found if story is not None}


def console_router(console: Console) -> APIRouter:
    """The /console routes."""
    router = APIRouter(prefix="/console")

    def operator(request: Request) -> auth.ConsoleSession | None:
        session = console.sessions.load(request)
        return session if session is not None and session.operator else None

    def to_login(request: Request) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{LOGIN}?next={quote(target, safe='')}", status_code=303)

    def message(request: Request, session: auth.ConsoleSession, title: str, text: str, status: int) -> Response:
        context = {"title": title, "message": text}
        return console.page(request, "console_message.html", context, session, status_code=status)

    def unavailable(request: Request, session: auth.ConsoleSession, error: Exception) -> Response:
        return message(request, session, "The runs cannot be read", f"{error}.", 503)

    @router.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/console") -> Response:
        session = console.sessions.load(request) or auth.ConsoleSession()
        if session.operator:
            return console.redirect(request, _safe_next(next), session)
        return console.page(request, "login.html", {"next": _safe_next(next)}, session)

    @router.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        form = await request.form()
        target = _safe_next(str(form.get("next") or "/console"))
        session = console.sessions.load(request)
        if not (auth.same_origin(request) and auth.csrf_ok(session, _field(form, "csrf"))):
            # Keep a valid session as it is: a forged post must not log anyone out.
            kept = session or auth.ConsoleSession()
            kept.notice = "Your login form had expired. Please try again."
            return console.page(request, "login.html", {"next": target}, kept, status_code=403)
        assert session is not None
        client = auth.client_address(request, console.client_address_header)
        if not console.throttle.allowed(client):
            session.notice = "Too many wrong passwords. Wait a few minutes, then try again."
            return console.page(request, "login.html", {"next": target}, session, status_code=429)
        if not console.password.matches(_field(form, "password") or ""):
            console.throttle.failed(client)
            session.notice = "That password is not right."
            return console.page(request, "login.html", {"next": target}, session, status_code=401)
        # A new token on login: one seen before logging in is worth nothing afterwards.
        return console.redirect(request, target, auth.ConsoleSession(operator=True))

    @router.post("/logout")
    async def logout(request: Request) -> Response:
        form = await request.form()
        session = console.sessions.load(request)
        if not auth.csrf_ok(session, _field(form, "csrf")):
            return Response("Logout needs the form's token.", status_code=403)
        assert session is not None
        console.sessions.revoke(session)
        response = RedirectResponse(LOGIN, status_code=303)
        console.sessions.clear(response, request)
        return response

    @router.get("", response_class=HTMLResponse)
    def run_list(
        request: Request, status: str | None = None, after: str | None = None, family: str | None = None
    ) -> Response:
        session = operator(request)
        if session is None:
            return to_login(request)
        chosen = status if status in STATUSES else None
        family = _family_filter(family)
        try:
            rows, token = console.runs.page(chosen, after, family=family)
        except StateMachineNotFoundError as error:
            return unavailable(request, session, error)
        titles = console.live_titles(row.story_id for row in rows)
        context = {
            "rows": [replace(row, title=titles.get(row.story_id or "")) for row in rows],
            "next_token": token,
            "status": chosen,
            "family": family,
            "statuses": STATUSES,
            "now": datetime.now(UTC),
            "seconds": format_seconds,
        }
        return console.page(request, "runs.html", context, session)

    @router.get("/runs/{name}", response_class=HTMLResponse)
    def run_page(request: Request, name: str, state: str | None = None) -> Response:
        session = operator(request)
        if session is None:
            return to_login(request)
        try:
            detail = console.runs.detail(name)
        except StateMachineNotFoundError as error:
            return unavailable(request, session, error)
        if detail is None:
            text = "There is no run with this name for the story-media state machine."
            return message(request, session, "No such run", text, 404)
        flow = parse_flow(detail.definition)
        history = read_history(detail.events, detail.summary.status)
        ids = anchors(flow)
        now = datetime.now(UTC)
        story = console.live_story(detail.summary.story_id, now)
        nodes = {node.name: node for node, _ in flow.walk()}
        selected = state if state in nodes else _first_failed(flow, history)
        path = f"/console/runs/{quote(name, safe='')}"
        context = {
            "run": detail,
            "svg": draw(flow, history),
            "timeline": timeline.render(
                timeline.bars(flow, history, detail.summary.started, now),
                detail.summary.duration(now).total_seconds(),
                path,
            ),
            "rows": [
                {"state": node, "depth": depth, "run": history.state(node.name), "anchor": ids[node.name]}
                for node, depth in flow.walk()
            ],
            "selected": nodes.get(selected) if selected else None,
            "selected_run": history.state(selected) if selected else None,
            "state_link": state_link,
            "shown": state_details.shown,
            "history": history,
            "story": story,
            "deliveries": sorted(console.deliveries_of(story.id), key=lambda row: row.recipient) if story else [],
            "now": now,
            "seconds": format_seconds,
            "status_line": status_line,
            "legend": list(StateStatus),
            "palette": {status.value: colours for status, colours in PALETTE.items()},
        }
        return console.page(request, "run.html", context, session)

    @router.get("/nights", response_class=HTMLResponse)
    def nights_page(request: Request) -> Response:
        session = operator(request)
        if session is None:
            return to_login(request)
        filters = _nights_filters(request)
        try:
            found = _nights(console, filters)
        except StateMachineNotFoundError as error:
            return unavailable(request, session, error)
        longest = max((figures.p95 for figures in found.states), default=0.0)
        context = {
            "nights": found,
            "filters": filters,
            "statuses": STATUSES,
            "limits": (30, 100, 200, 500),
            "rate_chart": nights.success_chart(found.nights),
            "state_bars": {figures.state: nights.duration_bar(figures, longest) for figures in found.states},
            "seconds": format_seconds,
            "query": request.url.query,
        }
        return console.page(request, "nights.html", context, session)

    @router.get("/nights.{kind}")
    def nights_export(request: Request, kind: str) -> Response:
        session = operator(request)
        if session is None:
            return to_login(request)
        if kind not in ("json", "csv"):
            return JSONResponse({"error": "nights.json or nights.csv"}, status_code=404)
        try:
            found = _nights(console, _nights_filters(request))
        except StateMachineNotFoundError as error:
            return unavailable(request, session, error)
        if kind == "csv":
            return exports.nights_csv(found.rows, "nights.csv")
        return exports.json_download([row.record() for row in found.rows], "nights.json")

    @router.get("/runs/{name}/history.json")
    def run_export(request: Request, name: str) -> Response:
        session = operator(request)
        if session is None:
            return to_login(request)
        try:
            detail = console.runs.detail(name)
        except StateMachineNotFoundError as error:
            return unavailable(request, session, error)
        if detail is None:
            return JSONResponse({"error": "no such run"}, status_code=404)
        story = console.live_story(detail.summary.story_id, datetime.now(UTC))
        download: Response = exports.json_download(exports.run_document(detail, story), f"run-{name}.json")
        return download

    @router.post("/runs/{name}/retry")
    async def retry(request: Request, name: str) -> Response:
        session = operator(request)
        if session is None:
            return to_login(request)
        form = await request.form()
        if not (auth.same_origin(request) and auth.csrf_ok(session, _field(form, "csrf"))):
            text = "The retry came without this page's token, so nothing was changed. Open the run again and retry."
            return message(request, session, "Nothing was changed", text, 403)
        try:
            outcome = console.runs.retry(name)
        except StateMachineNotFoundError as error:
            return unavailable(request, session, error)
        session.notice = outcome.message
        return console.redirect(request, f"/console/runs/{quote(name, safe='')}", session)

    return router


def _nights_filters(request: Request) -> nights.Filters:
    """The page's query, each value checked; anything odd is ignored rather than an error."""
    params = request.query_params
    status = params.get("status")
    try:
        limit = int(params.get("limit") or nights.DEFAULT_LIMIT)
    except ValueError:
        limit = nights.DEFAULT_LIMIT
    return nights.Filters(
        status=status if status in STATUSES else None,
        since=_day(params.get("since")),
        until=_day(params.get("until")),
        query=(params.get("q") or "").strip()[:100] or None,
        family=_family_filter(params.get("family")),
        limit=max(1, min(limit, nights.MAX_LIMIT)),
    )


def _family_filter(text: str | None) -> str | None:
    """A family id from the query; one no family can have is ignored (every family's runs), not an error."""
    return text if text and re.fullmatch(FAMILY_ID_PATTERN, text) else None


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _nights(console: Console, filters: nights.Filters) -> nights.Nights:
    recent = console.runs.recent(filters.limit)
    titles = console.live_titles(row.story_id for row in recent)
    runs = [replace(row, title=titles.get(row.story_id or "")) for row in recent]
    runs += [nights.before_run(failure) for failure in _failures(console)]
    runs.sort(key=lambda row: row.started, reverse=True)
    rows = [row for row in runs if filters.keeps(row, console.zone)][: filters.limit]
    emails = _emails_of(console, [row.story_id for row in rows if row.story_id and row.story_id in titles])
    rows = [replace(row, emails=emails.get(row.story_id or "")) for row in rows]
    order = [node.name for node, _ in parse_flow(console.runs.definition()).walk()]
    return nights.summarize(rows, console.zone, order)


def _emails_of(console: Console, story_ids: list[str]) -> dict[str, Emails]:
    """The living stories' emails by story id: one Query per story, eight at a time. Without the Deliveries
    table the runs still show, with no emails told."""
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            found = list(pool.map(console.deliveries_of, story_ids))
    except (ClientError, BotoCoreError) as error:
        log.warning("could not read the stories' emails: %s", error)
        return {}
    return {story_id: Emails.of(rows) for story_id, rows in zip(story_ids, found, strict=True)}


def _failures(console: Console) -> list[NightFailure]:
    """The nights that failed before a run; the runs still show when their table cannot be read."""
    try:
        return console.night_failures()
    except (ClientError, BotoCoreError) as error:
        log.warning("could not read the nights that failed before a run: %s", error)
        return []


def _first_failed(flow: Flow, history: RunHistory) -> str | None:
    """A failed run opens on the state that failed (the innermost: the task, not its Parallel)."""
    failed = [node.name for node, _ in flow.walk() if history.state(node.name).status is StateStatus.FAILED]
    return failed[-1] if failed else None


def _field(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


def _safe_next(target: str) -> str:
    """Only somewhere inside the console: never another site (`//evil`), never a story page."""
    if target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console"
