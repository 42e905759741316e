"""Tonight's story: pick a cast and a scene, have it written, check it, store it."""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from storyteller import names
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.stories import StoryStore
from storyteller.errors import EmptyCatalogError, StoryValidationError
from storyteller.models import Character, Family, PastStory, Provenance, Scene, StoryDraft, StoryItem
from storyteller.providers.protocols import RememberingWriter, StoryWriter
from storyteller.story.kinship import read_kin
from storyteller.story.validation import StoryReport, validate_story


def pick_cast(
    characters: list[Character],
    scenes: list[Scene],
    rng: random.Random,
    sizes: tuple[int, int] = (2, 3),
    family_id: str = names.DEFAULT_FAMILY,
) -> tuple[list[Character], Scene]:
    """A few characters and one scene at random, always with the family's listening children; an empty catalog
    is a clear error saying what to do."""
    if not characters:
        raise EmptyCatalogError(
            _empty(family_id, table="Characters", things="characters", command="cast add", kind="cast")
        )
    if not scenes:
        raise EmptyCatalogError(_empty(family_id, table="Scenes", things="scenes", command="scene add", kind="scenes"))
    size = min(rng.randint(*sizes), len(characters))
    # A child who listens to every story is in every story: the others fill the rest of the cast.
    listeners = [character for character in characters if read_kin(character.description).listener]
    others = [character for character in characters if character not in listeners]
    # ...with a grown-up or a pet beside them, when the family has one: the children are not alone every night.
    joining = max(size - len(listeners), 1 if listeners else 0)
    cast = listeners + rng.sample(others, min(joining, len(others)))
    return rng.sample(cast, len(cast)), rng.choice(scenes)


def _empty(family_id: str, *, table: str, things: str, command: str, kind: str) -> str:
    # The seed is the default family's; another family fills its own catalog.
    if family_id == names.DEFAULT_FAMILY:
        return f"the {table} table is empty: run `storyteller seed` or add {things}"
    return f"family {family_id!r} has no {kind} yet: `storyteller {command} {family_id} …`"


def write_valid_story(
    writer: StoryWriter,
    characters: list[Character],
    scene: Scene,
    attempts: int,
    recent: Sequence[PastStory] = (),
) -> tuple[StoryDraft, StoryReport]:
    """Ask until a draft passes the rules, telling the writer what was wrong; never store a bad one."""
    feedback: str | None = None
    for _ in range(attempts):
        try:
            draft = _draft(writer, characters, scene, feedback, recent)  # a writer may refuse its own draft too
            return draft, validate_story(draft, characters, scene)
        except StoryValidationError as error:
            feedback = str(error)
    raise StoryValidationError(f"no valid story after {attempts} attempts; last problem: {feedback}")


def _draft(
    writer: StoryWriter, characters: list[Character], scene: Scene, feedback: str | None, recent: Sequence[PastStory]
) -> StoryDraft:
    if recent and isinstance(writer, RememberingWriter):
        return writer.write_remembering(characters, scene, recent, feedback)
    return writer.write(characters, scene, feedback)


def create_story(
    catalog: CatalogStore,
    stories: StoryStore,
    writer: StoryWriter,
    rng: random.Random,
    attempts: int = 3,
    now: datetime | None = None,
    family: Family | None = None,
) -> StoryItem:
    """Write tonight's story for the catalog's family and store it with a two-day TTL; the table's stream
    takes it from there. The family, when given, puts its shelf link into the story's email."""
    if family is not None and family.id != catalog.family_id:
        raise ValueError(f"catalog of {catalog.family_id!r} given for family {family.id!r}")
    characters, scene = pick_cast(catalog.characters(), catalog.scenes(), rng, family_id=catalog.family_id)
    recent = stories.recent_of_cast(
        {character.id for character in characters},
        family_id=catalog.family_id,
        names_by_id={character.id: character.name for character in characters},
    )
    draft, report = write_valid_story(writer, characters, scene, attempts, recent)
    created = (now or datetime.now(UTC)).replace(microsecond=0)
    story = StoryItem(
        id=str(uuid.uuid4()),  # unguessable: the story page is public by its id
        familyId=catalog.family_id,
        shelf=family.shelf_path if family is not None else "/",
        title=draft.title,
        text=draft.text,
        scene=scene,
        characters=characters,
        createdAt=created,
        ttl=int(created.timestamp()) + names.STORY_LIFETIME_SECONDS,
        words=report.words,
        provenance=Provenance(text=writer.model),
        usage=writer.usage(),
        plot=draft.plot,
        moment=draft.moment,
        synopsis=draft.synopsis,
    )
    stories.put_new(story)
    return story
