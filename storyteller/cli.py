"""`storyteller`: seed the catalog, make tonight's story now, or run the whole local stack."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import signal
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.stories import StoryStore
from storyteller.local.endpoint import LocalEndpoint
from storyteller.local.external_engine import external_step_functions, step_functions_local_settings
from storyteller.local.lock import AlreadyRunningError, HomeLock
from storyteller.local.runtime import ENDPOINT_FILE, FunctionFailedError, LocalRuntime, RunOutcome
from storyteller.local.store import CorruptStateError
from storyteller.models import StoryItem
from storyteller.retry import RetryExit, RetryRefusedError, retry_story
from storyteller.seed import seed as seed_catalog
from storyteller.settings import Settings, get_settings

app = typer.Typer(
    help="A new illustrated, narrated bedtime story every night, on this machine or in AWS.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _say(message: str) -> None:
    """Progress goes to stderr, so stdout stays clean for --json."""
    typer.echo(message, err=True)


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def _settings() -> Settings:
    try:
        settings = get_settings()
    except ValidationError as error:
        problems = "; ".join(
            f"STORYTELLER_{'_'.join(str(part) for part in problem['loc']).upper()}: {problem['msg']}"
            for problem in error.errors()
        )
        raise _fail(f"bad setting: {problems}", code=2) from None
    if (problem := _schedule_problem(settings.schedule_cron, settings.schedule_time_zone)) is not None:
        raise _fail(f"bad setting: STORYTELLER_SCHEDULE_CRON: {problem}", code=2)
    return settings


def _schedule_problem(cron: str, time_zone: str) -> str | None:
    from storyteller.local.scheduler import schedule_problem  # APScheduler: local commands only

    return schedule_problem(cron, time_zone)


@contextmanager
def _runtime(settings: Settings, port: int = 0) -> Iterator[LocalRuntime]:
    try:
        lock = HomeLock(settings.home)
        lock.acquire()
    except AlreadyRunningError as error:
        raise _fail(str(error)) from None
    _say(f"Starting the local AWS endpoint (state in {settings.home.resolve()})…")
    runtime = LocalRuntime(settings, endpoint_port=port)
    try:
        with _logs_to(runtime.log_file), runtime:
            if (engine_url := external_step_functions()) is not None:
                wiring = step_functions_local_settings(runtime.endpoint.url, settings.aws_region)
                _say(f"Step Functions runs at {engine_url}; start Step Functions Local with:")
                _say("  " + " ".join(f"{name}={value}" for name, value in wiring.items()))
            _say_recovered(runtime)
            yield runtime
    except CorruptStateError as error:
        raise _fail(str(error), code=2) from None
    finally:
        lock.release()


def _say_recovered(runtime: LocalRuntime) -> None:
    """What the last stop interrupted and what start-up did about it."""
    restored = runtime.restored
    if restored.unstarted:
        _say(f"{len(restored.unstarted)} stored story(ies) had no run yet: started.")
    if restored.resumed:
        _say(f"{len(restored.resumed)} run(s) stopped after their email went out: finished.")
    stopped = [arn for arn in restored.interrupted if arn not in restored.resumed]
    if stopped:
        _say(
            f"{len(stopped)} run(s) were interrupted by a stop and are shown FAILED; "
            "`storyteller retry <story id>` or the console's Retry finishes each with one email."
        )


@app.command()
def seed() -> None:
    """Load the default cast (characters) and scenes; running it again changes nothing."""
    settings = _settings()
    with _runtime(settings) as runtime:
        characters, scenes = seed_catalog(CatalogStore(runtime.settings))
    _say(f"Seeded {characters} characters and {scenes} scenes.")


@app.command()
def tonight(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the run to end.")] = 300.0,
) -> None:
    """Make one story now, through the whole flow, and wait until it is emailed (or fails)."""
    settings = _settings()
    started = time.monotonic()
    with _runtime(settings) as runtime:
        _say("Writing tonight's story…")
        try:
            story_id = runtime.create_story()
        except FunctionFailedError as error:
            raise _fail(error.message) from None
        story = StoryStore(settings).get(story_id)
        assert story is not None
        # Said as soon as the story is stored: a run cut short can still be retried by this id.
        _say(f"  story {story_id}: “{story.title}” ({story.words} words). Illustrating and narrating…")
        outcome = runtime.wait_for_story(story_id, timeout=timeout, on_state=lambda name: _say(f"  · {name}"))
        story = StoryStore(settings).get(story_id)
    assert story is not None
    page = f"{settings.story_base_url}/stories/{story_id}"
    seconds = time.monotonic() - started
    emailed = outcome.status == "COMPLETE" and len(outcome.emails) == 1
    if as_json:
        typer.echo(json.dumps(_summary(story, outcome, page, seconds)))
    else:
        typer.echo(f"id:        {story_id}\nstatus:    {outcome.status}\npage:      {page}")
        typer.echo(f"email:     {outcome.emails[0] if outcome.emails else '-'}\ntook:      {seconds:.1f} s")
    if not emailed:
        raise _fail(outcome.error or f"story {story_id} ended {outcome.status} without its email")


@app.command()
def retry(
    story_id: Annotated[str, typer.Argument(help="The story's id: the UUID in its link.", show_default=False)],
    resend: Annotated[
        bool, typer.Option("--resend", help="Retry even when the failed run may already have sent the email.")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the retried run to end.")] = 300.0,
) -> None:
    """Retry a story's failed run, as the console's Retry does: only what failed runs again, one email.

    Exit codes: 0 complete and emailed, 1 failed again, 3 no such story (or expired), 4 not retried.
    """
    settings = _settings()
    with _stack(settings) as state_machine_arn:
        try:
            outcome = retry_story(
                StoryStore(settings),
                client("stepfunctions", settings.aws_region),
                state_machine_arn,
                story_id,
                resend=resend,
                timeout=timeout,
            )
        except RetryRefusedError as error:
            raise _fail(str(error), code=error.exit_code) from None
    how = "re-ran its lost run" if outcome.replayed else f"redrove its run (retry {outcome.redrives})"
    emailed = "emailed" if outcome.emailed else "not emailed"
    typer.echo(f"story {story_id}: {how}: {outcome.execution_status}; story {outcome.story_status}, {emailed}")
    if outcome.exit_code is not RetryExit.COMPLETE:
        raise _fail(outcome.error or f"story {story_id} is {outcome.story_status}", code=outcome.exit_code)


@contextmanager
def _stack(settings: Settings) -> Iterator[str]:
    """The state machine of the stack a running `storyteller up` serves, else of one started here."""
    lock = HomeLock(settings.home)
    try:
        lock.acquire()
    except AlreadyRunningError:
        published = settings.home / ENDPOINT_FILE
        if not published.exists():
            raise _fail(f"another storyteller is starting in {settings.home}: try again in a moment") from None
        LocalEndpoint.attach(published.read_text(encoding="utf-8").strip(), settings.aws_region, settings.home)
        yield _state_machine_arn(settings)
        return
    lock.release()
    with _runtime(settings) as runtime:
        assert runtime.resources is not None
        yield runtime.resources.state_machine_arn


def _state_machine_arn(settings: Settings) -> str:
    for page in client("stepfunctions", settings.aws_region).get_paginator("list_state_machines").paginate():
        for machine in page["stateMachines"]:
            if machine["name"] == names.STATE_MACHINE:
                return str(machine["stateMachineArn"])
    raise _fail(f"the running stack has no state machine {names.STATE_MACHINE!r}")


@app.command()
def up(
    port: Annotated[int | None, typer.Option(help="Port for the web pages (default: STORYTELLER_PORT).")] = None,
) -> None:
    """Run everything locally: AWS endpoint, nightly schedule, the flow, and the web pages."""
    import uvicorn

    from frontend.app import create_app
    from storyteller.local.scheduler import NightlySchedule

    settings = _settings()
    if port is not None:
        settings = settings.model_copy(update={"port": port})
    if not _port_free(settings.port):
        raise _fail(f"port {settings.port} on 127.0.0.1 is in use: stop what uses it, or pass --port N", code=2)
    # Ctrl-C (or SIGHUP/SIGTERM, see main) is how `up` ends: uvicorn turns it into a clean return while it
    # serves; before that it arrives as KeyboardInterrupt, and the runtime's own exit saves state either way.
    with contextlib.suppress(KeyboardInterrupt), _runtime(settings) as runtime:
        stories = StoryStore(settings)
        if not stories.recent(limit=1):
            _first_story(runtime)
        schedule = NightlySchedule(settings.schedule_cron, settings.schedule_time_zone, runtime.create_story)
        schedule.start()
        _say(f"Next story: {schedule.next_run():%A %d %B %H:%M %Z} ({settings.schedule_time_zone}).")
        _say(f"Stories at {settings.story_base_url}/  (Ctrl-C stops)")
        try:
            # uvicorn.run exits with 3 when a stop arrives before it has started serving; its Server does not.
            config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=settings.port, log_level="warning")
            # What start-up made (moto's models, the parsed ASL, templates) lives as long as the process: out of
            # the collector's way, so its full passes do not stall page requests (issue 15).
            gc.collect()
            gc.freeze()
            uvicorn.Server(config).run()
        finally:
            schedule.stop()
    _say("Stopped; state saved.")


def _port_free(port: int) -> bool:
    """Checked before any work, so a busy port is found before a story is made, not after."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds: only a listener counts
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _first_story(runtime: LocalRuntime) -> None:
    catalog = CatalogStore(runtime.settings)
    if not catalog.characters() or not catalog.scenes():
        characters, scenes = seed_catalog(catalog)
        _say(f"Seeded {characters} characters and {scenes} scenes.")
    _say("No stories yet: writing the first one…")
    try:
        story_id = runtime.create_story()
    except FunctionFailedError as error:
        _say(f"  could not write a story: {error.message}")
        return
    outcome = runtime.wait_for_story(story_id, on_state=lambda name: _say(f"  · {name}"))
    _say(f"  {outcome.status}: {runtime.settings.story_base_url}/stories/{story_id}")


def _summary(story: StoryItem, outcome: RunOutcome, page: str, seconds: float) -> dict[str, Any]:
    return {
        "id": story.id,
        "status": outcome.status,
        "title": story.title,
        "text": story.text,
        "words": story.words,
        "characters": [character.name for character in story.characters],
        "scene": story.scene.description,
        "imageKey": story.imageKey,
        "audioKey": story.audioKey,
        "models": {
            "text": story.provenance.text if story.provenance else None,
            "image": story.imageUsage.model if story.imageUsage else None,
            "voice": story.voiceUsage.model if story.voiceUsage else None,
        },
        "costUsd": story.cost_usd(),
        "executionArn": outcome.execution_arn,
        "executionStatus": outcome.execution_status,
        "error": outcome.error,
        "email": str(outcome.emails[0]) if outcome.emails else None,
        "page": page,
        "seconds": round(seconds, 2),
    }


@contextmanager
def _logs_to(path: Path) -> Iterator[None]:
    """Library and handler logs go to a file; the terminal gets progress and one-line errors."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()


def main() -> None:
    """Console entry point. Closing the terminal (SIGHUP) or a service manager's stop (SIGTERM) stops like
    Ctrl-C: runs are drained, state is saved, the lock released."""
    for stop in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(stop, _as_ctrl_c)
    app()


def _as_ctrl_c(signum: int, frame: object) -> None:
    signal.raise_signal(signal.SIGINT)
