"""The offline writer: every story it tells passes the rules, for any cast and scene, and rhymes by CMU itself."""

from __future__ import annotations

import itertools
import random
import re
import subprocess
import sys
from collections.abc import Iterator

import pronouncing
import pytest

from storyteller.models import Character, Scene, StoryDraft
from storyteller.providers.offline.writer import (
    ATMOSPHERE,
    DROWSING,
    FAREWELLS,
    GATHERINGS,
    HELPERS,
    INTRODUCTIONS,
    OPENINGS,
    PLOTS,
    SETTLING,
    THEMES,
    TOGETHER,
    Couplet,
    RhymingStoryWriter,
)
from storyteller.providers.protocols import StoryWriter
from storyteller.seed import CHARACTERS, SCENES
from storyteller.validation import MAX_WORDS, validate_story

ODD_CHARACTERS = (
    Character(id="zoe", name="Zoë", description="a girl who loves the snow"),
    Character(id="ruffles", name="Captain Ruffles", description="A pirate parrot with a patch."),
    Character(id="script", name="<script>", description="<b>bold</b> and brave"),
    Character(id="grammar", name="#hero# [x:y] {cast}", description="who hums\x07 all day\nlong"),
    Character(id="al", name="Al", description="brave"),
    Character(id="sir", name="Sir Reginald Fluffington the Third", description="a very grand cat"),
)
ODD_SCENES = (
    Scene(id="sea", description="sea"),
    Scene(id="forest", description="forest"),
    Scene(id="script", description="<script>alert(1)</script>"),
    Scene(id="under", description="Under the sea."),
    Scene(id="paris", description="Paris"),
    Scene(id="kitchen", description="grandma's kitchen, warm\nand cosy"),
    Scene(id="x", description="x"),
)
SEEDS = range(200)

# Each line's last word by our own small regex, so the rhyme check does not lean on validation.py.
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _cast_and_scene(seed: int) -> tuple[list[Character], Scene]:
    rng = random.Random(f"cast {seed}")
    characters = rng.sample([*CHARACTERS, *ODD_CHARACTERS], rng.randint(1, 3))
    return characters, rng.choice([*SCENES, *ODD_SCENES])


def _story(seed: int) -> tuple[StoryDraft, list[Character], Scene]:
    characters, scene = _cast_and_scene(seed)
    return RhymingStoryWriter(seed=seed).write(characters, scene), characters, scene


def _couplet_ends(text: str) -> Iterator[tuple[str, str]]:
    lines = [line for line in text.splitlines() if line.strip()]
    for first, second in zip(lines[::2], lines[1::2], strict=True):
        yield _WORD.findall(first.lower())[-1], _WORD.findall(second.lower())[-1]


def _all_couplets() -> Iterator[Couplet]:
    for beat in (OPENINGS, ATMOSPHERE, INTRODUCTIONS, GATHERINGS, HELPERS, TOGETHER, SETTLING, DROWSING, FAREWELLS):
        yield from beat.options
    yield from (couplet for _, couplet in THEMES)
    for plot in PLOTS:
        for beat in (*plot.problem, *plot.solution):
            yield from beat.options


@pytest.mark.parametrize("seed", SEEDS)
def test_every_story_passes_the_rules_in_the_writers_word_range(seed: int) -> None:
    draft, characters, scene = _story(seed)

    report = validate_story(draft, characters, scene)

    assert 220 <= report.words <= 450
    assert report.rhyme_rate == 1.0


@pytest.mark.parametrize("seed", SEEDS)
def test_the_cmu_dictionary_itself_agrees_the_couplets_rhyme(seed: int) -> None:
    draft, _, _ = _story(seed)

    ends = list(_couplet_ends(draft.text))
    rhyming = [first != second and second in pronouncing.rhymes(first) for first, second in ends]

    assert sum(rhyming) / len(rhyming) >= 0.8


def test_every_hand_written_couplet_rhymes_by_pronouncing() -> None:
    misses = [couplet.ends for couplet in _all_couplets() if couplet.ends[1] not in pronouncing.rhymes(couplet.ends[0])]

    assert misses == []


def test_the_story_has_a_shape_a_child_would_know() -> None:
    pip, luna = CHARACTERS[0], CHARACTERS[1]
    forest = SCENES[0]

    draft = RhymingStoryWriter(seed=3).write([pip, luna], forest)
    stanzas = draft.text.split("\n\n")

    assert "a moonlit forest clearing," in stanzas[0].splitlines()[0]  # the beginning sets the scene,
    assert "with tall pines and glowing mushrooms" in stanzas[0]  # its details in a line of their own
    assert pip.description in draft.text
    assert luna.description in draft.text
    assert re.search(r"good ?night|sweet dreams", stanzas[-1], re.IGNORECASE)  # a sleepy ending
    assert all(len(stanza.splitlines()) % 2 == 0 for stanza in stanzas)  # whole couplets only
    assert len(stanzas) >= 5


def test_the_same_seed_and_input_tell_the_same_story() -> None:
    characters, scene = _cast_and_scene(1)

    assert RhymingStoryWriter(seed=42).write(characters, scene) == RhymingStoryWriter(seed=42).write(characters, scene)


def test_the_same_seed_tells_the_same_story_in_another_process() -> None:
    # str seeds go through SHA-512, not hash(); a different PYTHONHASHSEED must not change the story.
    program = (
        "from storyteller.seed import CHARACTERS, SCENES\n"
        "from storyteller.providers.offline.writer import RhymingStoryWriter\n"
        "print(RhymingStoryWriter(seed=9).write(list(CHARACTERS[:3]), SCENES[2]).model_dump_json())\n"
    )
    told = {
        subprocess.run(
            [sys.executable, "-c", program],
            env={"PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in ("1", "2")
    }

    assert told == {RhymingStoryWriter(seed=9).write(list(CHARACTERS[:3]), SCENES[2]).model_dump_json() + "\n"}


def test_different_seeds_mostly_give_different_titles() -> None:
    characters, scene = list(CHARACTERS[:2]), SCENES[0]

    titles = [RhymingStoryWriter(seed=seed).write(characters, scene).title for seed in range(100)]
    changed = sum(before != after for before, after in itertools.pairwise(titles))

    assert changed >= 80
    assert len(set(titles)) >= 15


def test_without_a_seed_the_nights_differ() -> None:
    characters, scene = list(CHARACTERS[:2]), SCENES[0]

    drafts = {RhymingStoryWriter().write(characters, scene) for _ in range(10)}

    assert len(drafts) >= 5
    assert len({draft.title for draft in drafts}) >= 3


def test_feedback_tells_a_different_story_with_the_same_seed() -> None:
    characters, scene = list(CHARACTERS[:2]), SCENES[0]
    writer = RhymingStoryWriter(seed=5)

    assert writer.write(characters, scene) != writer.write(characters, scene, feedback="story has 12 words")


def test_names_never_carry_the_rhyme() -> None:
    odd = Character(id="zz", name="Zzyzx", description="a sleepy star")

    for seed in range(30):
        draft = RhymingStoryWriter(seed=seed).write([odd, CHARACTERS[0]], SCENES[0])
        assert "Zzyzx" in draft.text
        assert all("zzyzx" not in ends for ends in _couplet_ends(draft.text))


def test_user_text_is_printed_not_parsed() -> None:
    tricky = Character(id="t", name="#hero# [x:y] {cast}", description="<b>bold</b> and brave")
    scene = Scene(id="s", description="<script>alert(1)</script>")

    draft = RhymingStoryWriter(seed=1).write([tricky], scene)

    assert "#hero# [x:y] {cast}" in draft.text
    assert not re.search("[<>]", draft.title + draft.text)
    assert validate_story(draft, [tricky], scene).rhyme_rate == 1.0


def test_huge_names_and_descriptions_still_pass() -> None:
    long_name = " ".join(["Bo"] * 20)
    characters = [Character(id=str(index), name=long_name, description="a " * 190 + "fox") for index in range(3)]
    scene = Scene(id="long", description="a " * 180 + "lighthouse")

    for seed in range(20):
        draft = RhymingStoryWriter(seed=seed).write(characters, scene)
        assert validate_story(draft, characters, scene).words <= MAX_WORDS


def test_a_name_with_nothing_printable_gets_a_gentle_stand_in() -> None:
    nameless = Character(id="n", name="<>", description="<>")

    draft = RhymingStoryWriter(seed=2).write([nameless], SCENES[1])

    assert "Little One" in draft.text
    assert validate_story(draft, [nameless], SCENES[1]).couplets > 0


def test_it_is_a_story_writer_that_costs_nothing() -> None:
    writer: StoryWriter = RhymingStoryWriter(seed=1)
    writer.write(list(CHARACTERS[:1]), SCENES[0])

    assert writer.model == "offline-rhyme-1"
    assert writer.usage().model_dump() == {
        "inputTokens": 0,
        "outputTokens": 0,
        "images": 0,
        "voiceCharacters": 0,
        "costUsd": 0.0,
    }
