"""The variety rules of bench/story_variety.py, on a small sample: the same figures the bench prints over 200 nights."""

from __future__ import annotations

import pytest

from bench.story_variety import (
    Night,
    common_lines,
    distinct_titles,
    even_couplets,
    max_overlap,
    nights,
    passing,
    scene_stanzas,
    week,
)
from storyteller.models import StoryDraft

SAMPLE = 60


@pytest.fixture(scope="module")
def sample() -> list[Night]:
    return nights(SAMPLE, seed=7)


def test_every_night_passes_the_rules(sample: list[Night]) -> None:
    assert passing(sample) == 1.0


def test_few_lines_are_shared_with_many_other_nights(sample: list[Night]) -> None:
    assert common_lines([night.draft for night in sample]) < 0.20


def test_titles_are_nearly_all_distinct(sample: list[Night]) -> None:
    assert distinct_titles([night.draft for night in sample]) >= 0.90


def test_every_stanza_uses_the_scenes_words(sample: list[Night]) -> None:
    assert scene_stanzas(sample) == 1.0


def test_every_couplet_is_within_the_metres_slack(sample: list[Night]) -> None:
    assert even_couplets([night.draft for night in sample]) == 1.0


def test_a_week_of_one_family_in_one_place_never_repeats_itself() -> None:
    seven = week(seed=3)

    assert len({draft.title for draft in seven}) == 7
    assert len({draft.plot for draft in seven}) == 7
    assert max_overlap(seven) <= 0.15


def test_the_measures_see_repetition_when_there_is_some(sample: list[Night]) -> None:
    same = [sample[0].draft] * 10
    other = StoryDraft(title="x", text="A line\nAnother line")

    assert common_lines(same) == 1.0
    assert distinct_titles(same) == 0.1
    assert max_overlap([sample[0].draft, sample[0].draft, other]) == 1.0
