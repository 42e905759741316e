"""The media functions read the story the event names from the table: a story that is gone fails by id only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storyteller.errors import StoryNotFoundError
from storyteller.flow.media import narration_text, story_of
from storyteller.models import FamilyRef, StoryCreated, StoryItem
from tests.unit.test_frontend_pages import Shelf, story


def test_the_event_names_the_story_and_the_table_tells_it() -> None:
    told = story("s1", title="Pip and the Counting Stars")

    found = story_of(StoryCreated(id="s1", family=FamilyRef(id="smiths")), Shelf(told))

    assert found == told
    assert narration_text(found).startswith("This is a story called Pip and the Counting Stars.")


@pytest.mark.parametrize(
    "shelf",
    [Shelf(), Shelf(story("s1", title="Pip and the Counting Stars", age=timedelta(days=3)))],
    ids=["removed", "expired"],
)
def test_a_story_that_is_gone_fails_naming_only_its_id(shelf: Shelf) -> None:
    with pytest.raises(StoryNotFoundError) as gone:
        story_of(StoryCreated(id="s1"), shelf)

    assert str(gone.value) == "story s1 is no longer in the Stories table (expired or removed)"


def test_expiry_is_judged_by_the_clock_given() -> None:
    told: StoryItem = story("s1", age=timedelta(hours=1))
    later = datetime.now(UTC) + timedelta(days=2)

    with pytest.raises(StoryNotFoundError):
        story_of(StoryCreated(id="s1"), Shelf(told), now=later)
