"""`storyteller family|cast|scene …`: set up households, their casts and their scenes.

Every command works on the tables of a running `storyteller up` when there is one (it picks the change
up at once), else on the saved state. A mistake in what was typed is one line and exit code 2, and
nothing is half-written: every change is one conditional write, or checked before the first one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import typer
from pydantic import ValidationError

from storyteller import names
from storyteller.cli.support import attached, fail, read_settings, say, with_served_pages
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.families import FamilyStore
from storyteller.errors import DuplicateError, LastOfItsKindError, NotFoundError, UnknownFamilyError
from storyteller.households.family import (
    character_named,
    new_family,
    next_night,
    remove_from_cast,
    remove_scene,
    shelf_token,
    slug,
)
from storyteller.households.forget import remove_family
from storyteller.households.seed import seed
from storyteller.local.runtime import LocalRuntime
from storyteller.models import Character, Family, Scene, input_problems
from storyteller.settings import Settings

family_app = typer.Typer(help="Households: who gets the email, when their night is.", no_args_is_help=True)
cast_app = typer.Typer(help="A family's characters.", no_args_is_help=True)
scene_app = typer.Typer(help="A family's scenes.", no_args_is_help=True)
BAD_INPUT = 2
T = TypeVar("T")

FamilyArg = Annotated[str, typer.Argument(help="The family's id, e.g. `smiths`.", show_default=False)]


@contextmanager
def _households() -> Iterator[Settings]:
    """Settings whose tables are reachable; user mistakes become one line and exit code 2."""
    with _stack() as (settings, _):
        yield settings


@contextmanager
def _stack() -> Iterator[tuple[Settings, LocalRuntime | None]]:
    """As `_households`, with the runtime started here (None: a running `storyteller up`'s, or AWS)."""
    settings = read_settings()
    with attached(settings) as runtime:
        if runtime is None and not settings.aws:  # a running `storyteller up` holds the tables
            settings = with_served_pages(settings)
        try:
            yield settings, runtime
        except ValidationError as error:
            raise fail(input_problems(error), code=BAD_INPUT) from None
        except (DuplicateError, NotFoundError, UnknownFamilyError, LastOfItsKindError) as error:
            raise fail(str(error), code=BAD_INPUT) from None


def _shelf_url(settings: Settings, family: Family) -> str:
    return f"{settings.story_base_url}{family.shelf_path}"


def _described(settings: Settings, family: Family) -> dict[str, Any]:
    catalog = CatalogStore(settings, family.id)
    return {
        "id": family.id,
        "name": family.name,
        "recipients": family.recipients,
        "timeZone": family.timeZone,
        "at": family.at,
        "next": next_night(family).isoformat(),
        "language": family.language,
        "age": family.age,
        "characters": [character.name for character in catalog.characters()],
        "scenes": [scene.id for scene in catalog.scenes()],
        "shelf": _shelf_url(settings, family),
    }


@family_app.command("add")
def family_add(
    family_id: FamilyArg,
    email: Annotated[list[str], typer.Option("--email", help="A recipient; repeat for more.", show_default=False)],
    time_zone: Annotated[str, typer.Option("--time-zone", help="IANA zone, e.g. Europe/London.", show_default=False)],
    at: Annotated[str, typer.Option("--at", help="Bedtime, HH:MM in that zone.", show_default=False)],
    language: Annotated[str, typer.Option(help="Language of the stories.")] = "en",
    age: Annotated[int, typer.Option(help="The listeners' age (2–12): length and words follow it.")] = 5,
    name: Annotated[str | None, typer.Option(help="Display name (default: from the id).")] = None,
    starter_set: Annotated[
        bool, typer.Option("--starter-set", help="Copy the default cast (9 characters) and scenes in.")
    ] = False,
) -> None:
    """Add a family; its night is every day at --at in --time-zone, and its shelf link is made now."""
    with _households() as settings:
        family = new_family(family_id, email, time_zone, at, name=name, language=language, age=age)  # type: ignore[arg-type]
        FamilyStore(settings).add(family)
        if starter_set:
            characters, scenes = seed(CatalogStore(settings, family.id))
            say(f"Copied the starter set: {characters} characters, {scenes} scenes.")
        recipients = len(family.recipients)
        say(f"Added family {family.id}: {recipients} recipient(s), nightly at {family.at} {family.timeZone}.")
        say(f"Next story: {next_night(family):%A %d %B %H:%M %Z}. Shelf: {_shelf_url(settings, family)}")
        if not starter_set:
            say(
                f"Give it a cast and scenes: `storyteller cast add {family.id} NAME DESCRIPTION`, "
                "`storyteller scene add …`."
            )


@family_app.command("list")
def family_list() -> None:
    """Every family, with its bedtime and next night."""
    with _households() as settings:
        families = FamilyStore(settings).all()
        for family in families:
            typer.echo(
                f"{family.id:<20} {family.at} {family.timeZone:<22} next {next_night(family):%Y-%m-%d %H:%M %Z}  "
                f"{', '.join(family.recipients)}"
            )
        if not families:
            say("No families yet: `storyteller family add FAMILY --email ADDR --time-zone ZONE --at HH:MM`.")


@family_app.command("show")
def family_show(
    family_id: FamilyArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """One family: recipients, bedtime, next night, cast, scenes and its private shelf link."""
    with _households() as settings:
        described = _described(settings, FamilyStore(settings).require(family_id))
    if as_json:
        typer.echo(json.dumps(described))
        return
    for key, value in described.items():
        typer.echo(f"{key + ':':<12} {', '.join(value) if isinstance(value, list) else value}")


@family_app.command("remove")
def family_remove(family_id: FamilyArg) -> None:
    """Remove a family and forget it: its cast and scenes, addresses, schedule, stories, media, emails and runs."""
    if family_id == names.DEFAULT_FAMILY:
        raise fail("the default family holds this install's stories from before households: it stays", BAD_INPUT)
    with _stack() as (settings, runtime):
        removed, forgotten = remove_family(family_id, settings)
        if runtime is not None:
            runtime.prune()  # emails, log lines and runs; a running `storyteller up` does it when it sees the family go
    say(f"Removed family {family_id} ({removed} characters and scenes, {len(forgotten.story_ids)} stories).")


@family_app.command("revoke")
def family_revoke(family_id: FamilyArg) -> None:
    """Give the family a new shelf link: every link sent before (and its manage page) stops working."""
    with _households() as settings:
        families = FamilyStore(settings)
        family = families.require(family_id).model_copy(update={"shelfToken": shelf_token()})
        families.replace(family)
    say(f"Revoked {family_id}'s old shelf link. The new one (tonight's email carries it too):")
    typer.echo(_shelf_url(settings, family))


def _in_catalog(family_id: str, change: Callable[[CatalogStore], T]) -> T:
    with _households() as settings:
        FamilyStore(settings).require(family_id)
        return change(CatalogStore(settings, family_id))


@cast_app.command("add")
def cast_add(
    family_id: FamilyArg,
    name: Annotated[str, typer.Argument(help="The character's name, e.g. Ada.", show_default=False)],
    description: Annotated[str, typer.Argument(help="Who they are, in a phrase.", show_default=False)],
) -> None:
    """Add a character to a family's cast (a name already there is refused)."""

    def add(catalog: CatalogStore) -> Character:
        character = character_named(name, description)
        catalog.add_character(character)
        return character

    character = _in_catalog(family_id, add)
    say(f"Added {character.name} ({character.id}) to {family_id}'s cast.")


@cast_app.command("remove")
def cast_remove(family_id: FamilyArg, character: Annotated[str, typer.Argument(help="Name or id.")]) -> None:
    """Remove a character from a family's cast."""
    _in_catalog(family_id, lambda catalog: remove_from_cast(catalog, slug(character)))
    say(f"Removed {character} from {family_id}'s cast.")


@cast_app.command("list")
def cast_list(family_id: FamilyArg) -> None:
    """A family's characters."""
    for character in _in_catalog(family_id, CatalogStore.characters):
        typer.echo(f"{character.id:<16} {character.name:<16} {character.description}")


@scene_app.command("add")
def scene_add(
    family_id: FamilyArg,
    scene_id: Annotated[str, typer.Argument(metavar="ID", help="A short id, e.g. treehouse.", show_default=False)],
    description: Annotated[str, typer.Argument(help="The place, in a phrase.", show_default=False)],
) -> None:
    """Add a scene to a family's (an id already there is refused)."""
    _in_catalog(family_id, lambda catalog: catalog.add_scene(Scene(id=scene_id, description=description)))
    say(f"Added scene {scene_id} to {family_id}'s.")


@scene_app.command("remove")
def scene_remove(family_id: FamilyArg, scene_id: Annotated[str, typer.Argument(metavar="ID")]) -> None:
    """Remove a scene from a family's."""
    _in_catalog(family_id, lambda catalog: remove_scene(catalog, scene_id))
    say(f"Removed scene {scene_id} from {family_id}'s.")


@scene_app.command("list")
def scene_list(family_id: FamilyArg) -> None:
    """A family's scenes."""
    for scene in _in_catalog(family_id, CatalogStore.scenes):
        typer.echo(f"{scene.id:<16} {scene.description}")
