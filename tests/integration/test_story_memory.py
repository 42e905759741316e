"""Memory across nights: the Stories table gives back the recent titles and plots of the same cast."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from storyteller import names
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.stories import StoryStore
from storyteller.flow.tonight import create_story
from storyteller.households.seed import CHARACTERS, SCENES
from storyteller.local.faults import FaultPlan
from storyteller.local.runtime import LocalRuntime
from storyteller.models import Character, PastStory, Scene, StoryItem
from storyteller.providers.offline.writer import PLOTS, RhymingStoryWriter
from storyteller.settings import get_settings


@pytest.fixture
def runtime() -> Iterator[LocalRuntime]:
    """The stack with quick media providers: these tests are about the writer, and each stored story runs."""
    with LocalRuntime(get_settings(), providers=FaultPlan().providers()) as running:
        yield running


def _story(title: str, plot: str, characters: list[Character], scene: Scene, hours_ago: int) -> StoryItem:
    created = (datetime.now(UTC) - timedelta(hours=hours_ago)).replace(microsecond=0)
    return StoryItem(
        id=str(uuid.uuid4()),
        title=title,
        text="Once upon a time.\nThe end.",
        scene=scene,
        characters=characters,
        createdAt=created,
        ttl=int(created.timestamp()) + names.STORY_LIFETIME_SECONDS,
        plot=plot,
    )


def test_recent_stories_of_the_cast_come_back_newest_first(runtime: LocalRuntime) -> None:
    stories = StoryStore(runtime.settings)
    pip, luna, mo = CHARACTERS[0], CHARACTERS[1], CHARACTERS[4]
    stories.put_new(_story("Older", "lost-key", [pip, luna], SCENES[1], hours_ago=30))
    stories.put_new(_story("Newer", "lost-hat", [pip], SCENES[2], hours_ago=5))
    stories.put_new(_story("Someone Else", "hiccups", [mo], SCENES[1], hours_ago=1))

    recent = stories.recent_of_cast({pip.id, luna.id})

    assert [(story.title, story.plot) for story in recent] == [("Newer", "lost-hat"), ("Older", "lost-key")]


def test_tonights_story_avoids_the_plots_the_cast_just_heard(runtime: LocalRuntime) -> None:
    # Seven nights heard (what the table gives back), then eight more told: each must miss the seven before
    # it. By chance alone, with 23 plots, all eight would miss them about once in twenty.
    catalog, stories = CatalogStore(runtime.settings), StoryStore(runtime.settings)
    pip, luna = CHARACTERS[0], CHARACTERS[1]
    catalog.put_character(pip)
    catalog.put_character(luna)
    catalog.put_scene(SCENES[1])
    for hours_ago, plot in enumerate(reversed(PLOTS[:7]), start=1):
        stories.put_new(_story(f"Night {hours_ago}", plot.id, [pip, luna], SCENES[1], hours_ago))
    heard: list[str | None] = [plot.id for plot in PLOTS[:7]]
    writer = RhymingStoryWriter(seed=1)

    told: list[StoryItem] = []
    for night in range(8):
        story = create_story(catalog, stories, writer, random.Random(night))
        assert story.plot not in heard[-7:], f"night {night} told {story.plot} again"
        heard.append(story.plot)
        told.append(story)

    assert len({story.title for story in told}) == len(told)
    assert all(story.moment for story in told)
    assert stories.get(told[-1].id).plot == told[-1].plot  # type: ignore[union-attr]


@pytest.mark.parametrize("left", [plot.id for plot in PLOTS])
def test_with_every_other_plot_heard_the_one_left_is_told(left: str) -> None:
    heard = [PastStory(title=f"Night of {plot.id}", plot=plot.id) for plot in PLOTS if plot.id != left]

    draft = RhymingStoryWriter(seed=3).write_remembering([CHARACTERS[0], CHARACTERS[1]], SCENES[1], heard)

    assert draft.plot == left
