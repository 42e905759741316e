"""`storyteller`: seed the catalog, make tonight's story now, or run the whole local stack."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from storyteller import names
from storyteller.cli.families import cast_app, family_app, scene_app
from storyteller.cli.support import attached, fail, local_runtime, publishing_pages, read_settings, say
from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.families import FamilyStore
from storyteller.dal.stories import StoryStore
from storyteller.errors import UnknownFamilyError
from storyteller.flow.retry import RetryExit, RetryRefusedError, retry_story
from storyteller.households.seed import seed as seed_catalog
from storyteller.local import lambdas
from storyteller.local.runtime import FunctionFailedError, LocalRuntime, RunOutcome
from storyteller.models import StoryItem
from storyteller.settings import Settings

if TYPE_CHECKING:
    import uvicorn

app = typer.Typer(
    help="A new illustrated, narrated bedtime story every night, on this machine or in AWS.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(family_app, name="family")
app.add_typer(cast_app, name="cast")
app.add_typer(scene_app, name="scene")


@app.command()
def seed() -> None:
    """Load the default cast (characters) and scenes; running it again changes nothing."""
    settings = read_settings()
    with local_runtime(settings) as runtime:
        characters, scenes = seed_catalog(CatalogStore(runtime.settings))
    say(f"Seeded {characters} characters and {scenes} scenes.")


@app.command()
def tonight(
    family_id: Annotated[
        str, typer.Option("--family", help="Whose story: a family's id (`storyteller family list`).")
    ] = names.DEFAULT_FAMILY,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the run to end.")] = 300.0,
) -> None:
    """Make one story now, through the whole flow, and wait until it is emailed (or fails)."""
    settings = read_settings()
    started = time.monotonic()
    with local_runtime(settings) as runtime:
        try:
            family = FamilyStore(settings).require(family_id)
        except UnknownFamilyError as error:
            raise fail(str(error), code=2) from None
        say(f"Writing tonight's story for {family.name}…")
        try:
            story_id = runtime.create_story(family_id=family.id)
        except FunctionFailedError as error:
            raise fail(error.message) from None
        story = StoryStore(settings).get(story_id)
        assert story is not None
        # Said as soon as the story is stored: a run cut short can still be retried by this id.
        say(f"  story {story_id}: “{story.title}” ({story.words} words). Illustrating and narrating…")
        outcome = runtime.wait_for_story(story_id, timeout=timeout, on_state=lambda name: say(f"  · {name}"))
        story = StoryStore(settings).get(story_id)
    assert story is not None
    page = f"{settings.story_base_url}/stories/{story_id}"
    seconds = time.monotonic() - started
    emailed = outcome.status == "COMPLETE" and len(outcome.emails) == len(family.recipients)
    if as_json:
        typer.echo(json.dumps(_summary(story, outcome, page, seconds)))
    else:
        typer.echo(f"id:        {story_id}\nfamily:    {family.id}\nstatus:    {outcome.status}\npage:      {page}")
        for email in [str(path) for path in outcome.emails] or ["-"]:
            typer.echo(f"email:     {email}")
        typer.echo(f"took:      {seconds:.1f} s")
    if not emailed:
        raise fail(outcome.error or f"story {story_id} ended {outcome.status} without its email")


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
    settings = read_settings()
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
            raise fail(str(error), code=error.exit_code) from None
    how = "re-ran its lost run" if outcome.replayed else f"redrove its run (retry {outcome.redrives})"
    emailed = "emailed" if outcome.emailed else "not emailed"
    typer.echo(f"story {story_id}: {how}: {outcome.execution_status}; story {outcome.story_status}, {emailed}")
    if outcome.exit_code is not RetryExit.COMPLETE:
        raise fail(outcome.error or f"story {story_id} is {outcome.story_status}", code=outcome.exit_code)


@contextmanager
def _stack(settings: Settings) -> Iterator[str]:
    """The state machine of the stack a running `storyteller up` serves, else of one started here."""
    with attached(settings) as runtime:
        if runtime is None:
            yield _state_machine_arn(settings)
        else:
            assert runtime.resources is not None
            yield runtime.resources.state_machine_arn


def _state_machine_arn(settings: Settings) -> str:
    for page in client("stepfunctions", settings.aws_region).get_paginator("list_state_machines").paginate():
        for machine in page["stateMachines"]:
            if machine["name"] == names.STATE_MACHINE:
                return str(machine["stateMachineArn"])
    raise fail(f"the running stack has no state machine {names.STATE_MACHINE!r}")


@app.command()
def up(
    port: Annotated[int | None, typer.Option(help="Port for the web pages (default: STORYTELLER_PORT).")] = None,
) -> None:
    """Run everything locally: AWS endpoint, nightly schedule, the flow, and the web pages."""
    import uvicorn

    from frontend.app import create_app
    from storyteller.local.scheduler import FamilySchedules

    settings = read_settings()
    if port is not None:
        settings = settings.model_copy(update={"port": port})
    if not _port_free(settings.port):
        raise fail(f"port {settings.port} on 127.0.0.1 is in use: stop what uses it, or pass --port N", code=2)
    # Ctrl-C (or SIGHUP/SIGTERM, see main) is how `up` ends: uvicorn turns it into a clean return while it
    # serves; before that it arrives as KeyboardInterrupt, and the runtime's own exit saves state either way.
    with contextlib.suppress(KeyboardInterrupt), local_runtime(settings) as runtime:
        stories = StoryStore(settings)
        if not stories.recent(limit=1):
            _first_story(runtime)
        families = FamilyStore(settings)
        schedule = FamilySchedules(
            families.all,
            lambda family_id, firing: runtime.create_story(scheduled_time=firing, family_id=family_id),
            # `family remove` from another terminal deleted its stories; the emails, logs and runs go here.
            on_removed=lambda _: runtime.prune(),
        )
        schedule.start()
        next_runs = schedule.next_runs()
        for family in families.all():
            when = f"{next_runs[family.id]:%a %d %b %H:%M %Z}" if family.id in next_runs else "-"
            shelf = f"{settings.story_base_url}{family.shelf_path}"
            say(f"  {family.id}: next story {when} ({family.timeZone}); shelf {shelf}")
        try:
            with publishing_pages(settings):
                # "Stories at" is what scripts (and tests) wait for: the pages are being served from here on.
                say(
                    f"Stories at each family's shelf above; the operators' console at {settings.story_base_url}/console"
                )
                say("(Ctrl-C stops)")
                # uvicorn.run exits with 3 when a stop arrives before it has started serving; its Server does not.
                config = web_server_config(create_app(settings), settings.port)
                freeze_start_up_heap()
                uvicorn.Server(config).run()
        finally:
            schedule.stop()
    say("Stopped; state saved.")


def freeze_start_up_heap() -> None:
    """What start-up made (moto's models, the parsed ASL, templates) lives as long as the process: out of the
    collector's way, so its full passes do not stall page requests (issue 15).

    A full collection only starts once the old generation grew by a quarter of its size at the last one;
    frozen, that size stayed the whole start-up heap, so the garbage of every page view piled up for hours
    (issue 30: 6.7 KB a shelf view). The pass after the freeze, over nothing but what is not frozen, resets
    it: full collections come often again, and each is small.
    """
    gc.collect()
    gc.freeze()
    gc.collect()


def web_server_config(web_app: Any, port: int) -> uvicorn.Config:
    """uvicorn on 127.0.0.1, trusting no forwarded header: nothing proxies it here, so `X-Forwarded-For`
    is whatever a client wrote and must not become the address the console's login throttle counts."""
    import uvicorn

    return uvicorn.Config(
        web_app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False, forwarded_allow_ips=""
    )


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
        say(f"Seeded {characters} characters and {scenes} scenes.")
    say("No stories yet: writing the first one…")
    try:
        story_id = runtime.create_story()
    except FunctionFailedError as error:
        say(f"  could not write a story: {error.message}")
        return
    outcome = runtime.wait_for_story(story_id, on_state=lambda name: say(f"  · {name}"))
    say(f"  {outcome.status}: {runtime.settings.story_base_url}/stories/{story_id}")


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
        "emails": [str(email) for email in outcome.emails],  # one per recipient
        "family": story.familyId,
        "page": page,
        "seconds": round(seconds, 2),
    }


def main() -> None:
    """Console entry point. Closing the terminal (SIGHUP) or a service manager's stop (SIGTERM) stops like
    Ctrl-C: runs are drained, state is saved, the lock released."""
    for stop in (signal.SIGHUP, signal.SIGTERM):
        signal.signal(stop, _as_ctrl_c)
    try:
        app()
    except SystemExit as ended:
        if lambdas.running():
            _end_now(ended.code)
        raise
    except BaseException:
        if lambdas.running():
            traceback.print_exc()  # a bug of ours: shown as Python would, then the same safe ending
            _end_now(1)
        raise


def _end_now(code: int | str | None) -> NoReturn:
    """End the process while a function still runs in another thread, the way the interpreter's exit cannot break.

    The runtime's stop interrupts narrations and waits for every function (LocalRuntime.stop); one that
    outlasts that wait (a provider stuck on the network) must not meet the interpreter's shutdown: a thread
    coming back from native code then (onnxruntime, any C++ library) is killed in a way C++ turns into
    SIGABRT. Every acknowledged write is on disk already, so nothing is lost by skipping the shutdown.
    """
    if isinstance(code, str):
        say(code)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code if isinstance(code, int) else int(code is not None))


def _as_ctrl_c(signum: int, frame: object) -> None:
    signal.raise_signal(signal.SIGINT)
