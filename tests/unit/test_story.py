"""Picking a cast and insisting on a valid story, with writers that misbehave on purpose."""

from __future__ import annotations

import random

import pytest

from storyteller.errors import EmptyCatalogError, StoryValidationError
from storyteller.flow.tonight import pick_cast, write_valid_story
from storyteller.households.seed import CHARACTERS, SCENES
from storyteller.models import Character, Scene, StoryDraft, Usage


class ScriptedWriter:
    """Returns the drafts it was given, in order, and remembers the feedback it heard."""

    model = "scripted"

    def __init__(self, *drafts: StoryDraft) -> None:
        self._drafts = list(drafts)
        self.feedback: list[str | None] = []

    def write(self, characters: list[Character], scene: Scene, feedback: str | None = None) -> StoryDraft:
        self.feedback.append(feedback)
        return self._drafts.pop(0)

    def usage(self) -> Usage:
        return Usage()


SHORT = StoryDraft(title="Too Short", text="Pip said goodnight.\nThe end.")


def _good_draft(characters: list[Character], scene: Scene) -> StoryDraft:
    from storyteller.providers.offline.writer import RhymingStoryWriter

    return RhymingStoryWriter(seed=7).write(characters, scene)


def test_the_cast_is_two_or_three_distinct_characters_and_one_scene() -> None:
    sizes = set()
    for seed in range(50):
        cast, scene = pick_cast(list(CHARACTERS), list(SCENES), random.Random(seed))
        sizes.add(len(cast))
        assert len({character.id for character in cast}) == len(cast)
        assert scene in SCENES
    assert sizes == {2, 3}


def test_a_small_catalog_gives_a_smaller_cast() -> None:
    cast, _ = pick_cast(list(CHARACTERS[:1]), list(SCENES), random.Random(1))
    assert cast == [CHARACTERS[0]]


@pytest.mark.parametrize(
    ("characters", "scenes", "table"),
    [([], list(SCENES), "Characters"), (list(CHARACTERS), [], "Scenes")],
)
def test_an_empty_table_is_a_clear_error(characters: list[Character], scenes: list[Scene], table: str) -> None:
    with pytest.raises(EmptyCatalogError, match=f"the {table} table is empty: run `storyteller seed`"):
        pick_cast(characters, scenes, random.Random(0))


def test_a_bad_draft_is_retried_with_the_reason() -> None:
    cast, scene = list(CHARACTERS[:2]), SCENES[0]
    writer = ScriptedWriter(SHORT, _good_draft(cast, scene))

    draft, report = write_valid_story(writer, cast, scene, attempts=3)
    assert draft.title

    assert report.words >= 200
    assert writer.feedback[0] is None
    assert writer.feedback[1] is not None
    assert "words" in writer.feedback[1]


def test_a_writer_that_never_gets_it_right_fails_clearly() -> None:
    writer = ScriptedWriter(SHORT, SHORT)

    with pytest.raises(StoryValidationError, match="no valid story after 2 attempts"):
        write_valid_story(writer, list(CHARACTERS[:2]), SCENES[0], attempts=2)
