"""The story memory: what a family was told outlives the two-day story, and both writers read it."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.stories import StoryStore
from storyteller.flow.tonight import create_story
from storyteller.households.seed import CHARACTERS, SCENES
from storyteller.local.runtime import LocalRuntime
from storyteller.models import PastStory, StoryItem
from storyteller.providers.offline.writer import RhymingStoryWriter
from storyteller.providers.openai_writer import story_prompt


def _told(days_ago: int, plot: str) -> StoryItem:
    created = (datetime.now(UTC) - timedelta(days=days_ago)).replace(microsecond=0)
    return StoryItem(
        id=str(uuid.uuid4()),
        title=f"Night of {plot}",
        text="Once upon a time.\nThe end.",
        scene=SCENES[1],
        characters=[CHARACTERS[0], CHARACTERS[1]],
        createdAt=created,
        ttl=int(created.timestamp()) + names.STORY_LIFETIME_SECONDS,
        plot=plot,
        synopsis=f"A {plot} is put right.",
    )


def test_the_memory_is_read_after_the_story_expired_and_holds_no_text(runtime: LocalRuntime) -> None:
    stories = StoryStore(runtime.settings)
    old = _told(days_ago=6, plot="lost-key")
    stories.put_new(old)
    # The Stories table's TTL removes a story after two days; moto does not run TTL, so remove it as AWS would.
    dynamodb = client("dynamodb", runtime.settings.aws_region)
    dynamodb.delete_item(TableName=runtime.settings.stories_table, Key={"id": {"S": old.id}})
    assert stories.get(old.id) is None

    recent = stories.recent_of_cast({CHARACTERS[0].id})

    assert recent == [PastStory(title="Night of lost-key", plot="lost-key", synopsis="A lost-key is put right.")]
    [record] = dynamodb.scan(TableName=runtime.settings.memory_table)["Items"]
    assert "text" not in record
    assert int(record[names.TTL_ATTRIBUTE]["N"]) == int(old.createdAt.timestamp()) + names.MEMORY_LIFETIME_SECONDS


def test_a_week_of_nights_never_repeats_a_plot_or_title_once_the_stories_are_gone(runtime: LocalRuntime) -> None:
    catalog, stories = CatalogStore(runtime.settings), StoryStore(runtime.settings)
    for character in CHARACTERS[:2]:
        catalog.put_character(character)
    catalog.put_scene(SCENES[1])
    dynamodb = client("dynamodb", runtime.settings.aws_region)
    writer = RhymingStoryWriter(seed=4)

    told = []
    for night in range(7):
        story = create_story(catalog, stories, writer, random.Random(night))
        # Each night's story expires before the next week is over: only the memory is left.
        dynamodb.delete_item(TableName=runtime.settings.stories_table, Key={"id": {"S": story.id}})
        told.append(story)

    assert len({story.plot for story in told}) == 7
    assert len({story.title for story in told}) == 7


def test_the_openai_prompt_names_the_remembered_synopses() -> None:
    recent = [PastStory(title="The Lost Key", plot=None, synopsis="Pip finds the key under the pier.")]

    prompt = story_prompt(list(CHARACTERS[:2]), SCENES[1], recent=recent)

    assert "- The Lost Key: Pip finds the key under the pier." in prompt
