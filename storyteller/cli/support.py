"""What every `storyteller` command shares: settings read once, one-line errors, the local stack."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from pydantic import ValidationError

from storyteller.local.endpoint import LocalEndpoint
from storyteller.local.external_engine import external_step_functions, step_functions_local_settings
from storyteller.local.lock import AlreadyRunningError, HomeLock
from storyteller.local.runtime import ENDPOINT_FILE, PAGES_FILE, LocalRuntime
from storyteller.local.store import CorruptStateError
from storyteller.settings import Settings, get_settings


def say(message: str) -> None:
    """Progress goes to stderr, so stdout stays clean for --json."""
    typer.echo(message, err=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def read_settings() -> Settings:
    try:
        settings = get_settings()
    except ValidationError as error:
        problems = "; ".join(
            f"STORYTELLER_{'_'.join(str(part) for part in problem['loc']).upper()}: {problem['msg']}"
            for problem in error.errors()
        )
        raise fail(f"bad setting: {problems}", code=2) from None
    if (problem := _schedule_problem(settings.schedule_cron, settings.schedule_time_zone)) is not None:
        raise fail(f"bad setting: STORYTELLER_SCHEDULE_CRON: {problem}", code=2)
    return settings


def _schedule_problem(cron: str, time_zone: str) -> str | None:
    from storyteller.local.scheduler import schedule_problem  # APScheduler: local commands only

    return schedule_problem(cron, time_zone)


@contextmanager
def local_runtime(settings: Settings, port: int = 0) -> Iterator[LocalRuntime]:
    try:
        lock = HomeLock(settings.home)
        lock.acquire()
    except AlreadyRunningError as error:
        raise fail(str(error)) from None
    say(f"Starting the local AWS endpoint (state in {settings.home.resolve()})…")
    runtime = LocalRuntime(settings, endpoint_port=port)
    try:
        with logs_to(runtime.log_file), runtime:
            if (engine_url := external_step_functions()) is not None:
                wiring = step_functions_local_settings(runtime.endpoint.url, settings.aws_region)
                say(f"Step Functions runs at {engine_url}; start Step Functions Local with:")
                say("  " + " ".join(f"{name}={value}" for name, value in wiring.items()))
            _say_recovered(runtime)
            yield runtime
    except CorruptStateError as error:
        raise fail(str(error), code=2) from None
    finally:
        lock.release()


def _say_recovered(runtime: LocalRuntime) -> None:
    """What the last stop interrupted and what start-up did about it."""
    restored = runtime.restored
    if restored.unstarted:
        say(f"{len(restored.unstarted)} stored story(ies) had no run yet: started.")
    if restored.resumed:
        say(f"{len(restored.resumed)} run(s) stopped after their email went out: finished.")
    stopped = [arn for arn in restored.interrupted if arn not in restored.resumed]
    if stopped:
        say(
            f"{len(stopped)} run(s) were interrupted by a stop and are shown FAILED; "
            "`storyteller retry <story id>` or the console's Retry finishes each with one email."
        )


@contextmanager
def logs_to(path: Path) -> Iterator[None]:
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


@contextmanager
def publishing_pages(settings: Settings) -> Iterator[None]:
    """While `storyteller up` serves the pages, where: other commands print links to them (with_served_pages)."""
    published = settings.home / PAGES_FILE
    published.write_text(settings.story_base_url, encoding="utf-8")
    try:
        yield
    finally:
        published.unlink(missing_ok=True)


def with_served_pages(settings: Settings) -> Settings:
    """The settings, with the address the running `storyteller up` serves its pages on (its own --port),
    unless a base URL is configured: the links a command prints must open where the pages are."""
    published = settings.home / PAGES_FILE
    if settings.base_url or not published.exists():
        return settings
    return settings.model_copy(update={"base_url": published.read_text(encoding="utf-8").strip()})


@contextmanager
def attached(settings: Settings) -> Iterator[LocalRuntime | None]:
    """The tables of the stack a running `storyteller up` serves (yields None), else of one started here;
    with STORYTELLER_AWS, the deployed stack's (None: boto3 reaches AWS itself)."""
    if settings.aws:
        yield None
        return
    lock = HomeLock(settings.home)
    try:
        lock.acquire()
    except AlreadyRunningError:
        published = settings.home / ENDPOINT_FILE
        if not published.exists():
            raise fail(f"another storyteller is starting in {settings.home}: try again in a moment") from None
        LocalEndpoint.attach(published.read_text(encoding="utf-8").strip(), settings.aws_region, settings.home)
        yield None
        return
    lock.release()
    with local_runtime(settings) as runtime:
        yield runtime
