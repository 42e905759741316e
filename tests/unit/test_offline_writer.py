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

from storyteller.households.seed import CHARACTERS, SCENES
from storyteller.models import Character, PastStory, Scene, StoryDraft
from storyteller.providers.offline.verses.gifts import GIFTS, gift_for
from storyteller.providers.offline.verses.plots import PLOTS
from storyteller.providers.offline.verses.rhymer import METRE_SLACK, rhyming_ends, syllables
from storyteller.providers.offline.verses.scenes import LEXICONS, NIGHT, lexicon_for
from storyteller.providers.offline.writer import RhymingStoryWriter, with_article
from storyteller.providers.protocols import StoryWriter
from storyteller.story.reading_level import LITTLE, OLDER, YOUNG
from storyteller.story.validation import MAX_WORDS, last_word, rhymes, validate_story

ODD_CHARACTERS = (
    Character(id="zoe", name="Zoë", description="a girl who loves the snow"),
    Character(id="ruffles", name="Captain Ruffles", description="A pirate parrot with a patch."),
    Character(id="script", name="<script>", description="<b>bold</b> and brave"),
    # Control characters (a bell, a line break) are refused at input now (storyteller.models): not tested here.
    Character(id="grammar", name="#hero# [x:y] {cast}", description="who hums all day long"),
    Character(id="al", name="Al", description="brave"),
    Character(id="sir", name="Sir Reginald Fluffington the Third", description="a very grand cat"),
)
ODD_SCENES = (
    Scene(id="sea", description="sea"),
    Scene(id="forest", description="forest"),
    Scene(id="script", description="<script>alert(1)</script>"),
    Scene(id="under", description="Under the sea."),
    Scene(id="paris", description="Paris"),
    Scene(id="kitchen", description="grandma's kitchen, warm and cosy"),
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


def test_the_story_has_a_shape_a_child_would_know() -> None:
    ada, luna = CHARACTERS[5], CHARACTERS[1]
    beach = SCENES[1]

    draft = RhymingStoryWriter(seed=3).write([ada, luna], beach)
    stanzas = draft.text.split("\n\n")

    assert "on a quiet beach under the stars," in stanzas[0].splitlines()[0]  # the beginning sets the scene
    assert "Ada, a brave girl," in draft.text
    assert "Luna, a wise grey owl," in draft.text
    assert re.search(r"good ?night|sweet dreams", stanzas[-1], re.IGNORECASE)  # a sleepy ending
    assert all(len(stanza.splitlines()) % 2 == 0 for stanza in stanzas)  # whole couplets only
    assert len(stanzas) >= 5


def test_there_are_at_least_twenty_plots_each_with_its_own_trouble_and_fix() -> None:
    assert len(PLOTS) >= 20
    assert len({plot.id for plot in PLOTS}) == len(PLOTS)
    assert len({plot.problem for plot in PLOTS}) == len(PLOTS)
    assert len({plot.fix for plot in PLOTS}) == len(PLOTS)
    unrhymed = [plot.id for plot in PLOTS if not rhymes(*(last_word(line) for line in plot.problem))]
    assert unrhymed == []


@pytest.mark.parametrize("seed", range(40))
def test_a_friends_gift_is_what_solves_the_problem(seed: int) -> None:
    characters = random.Random(seed).sample(list(CHARACTERS), 2)

    draft = RhymingStoryWriter(seed=seed).write(characters, SCENES[seed % len(SCENES)])

    lines = draft.text.splitlines()
    fix = next(
        index
        for index, line in enumerate(lines)
        if line.startswith(("And ", "So "))
        and "," in line
        and any(_gift_deed(line, character) for character in characters)
    )
    problem = next(index for index, line in enumerate(lines) if line.startswith("But "))
    assert problem < fix  # the deed comes after the trouble, and is one of the cast's own


def _gift_deed(line: str, character: Character) -> bool:
    gift = gift_for(character.description)
    return character.name in line and any(act.split()[0] in line for act in gift.acts)


def test_gifts_are_read_from_the_seed_cast_descriptions() -> None:
    found = {character.name: gift_for(character.description).key for character in CHARACTERS}

    assert found["Ada"] == "lantern"
    assert found["Luna"] == "spectacles"
    assert found["Mo"] == "thimble"
    assert found["Theo"] == "notebook"
    assert found["Pip"] == "stars"
    assert len({gift.key for gift in GIFTS}) == len(GIFTS)


@pytest.mark.parametrize("scene", SCENES, ids=[scene.id for scene in SCENES])
def test_every_stanza_lives_in_its_scene(scene: Scene) -> None:
    lexicon = lexicon_for(set(re.findall(r"[a-z]+", scene.description.lower())))
    assert lexicon is not NIGHT  # every seed scene has its own words

    for seed in range(10):
        draft = RhymingStoryWriter(seed=seed).write(list(CHARACTERS[:2]), scene)
        for stanza in draft.text.split("\n\n"):
            assert lexicon.vocabulary & set(re.findall(r"[a-z]+", stanza.lower())), stanza


def test_scenes_keep_their_own_creatures() -> None:
    beach, space = (lexicon_for({word}) for word in ("beach", "space"))

    assert not set(beach.creatures) & set(space.creatures)
    assert len({lexicon.kind for lexicon in LEXICONS}) == len(LEXICONS)


@pytest.mark.parametrize("seed", range(60))
def test_every_couplet_keeps_an_even_metre(seed: int) -> None:
    draft, characters, _ = _story(seed)
    [plot] = [plot for plot in PLOTS if plot.id == draft.plot]
    user_names = not {character.id for character in characters} <= {character.id for character in CHARACTERS}

    lines = [line for line in draft.text.splitlines() if line.strip()]
    for first, second in zip(lines[::2], lines[1::2], strict=True):
        if abs(syllables(first) - syllables(second)) > METRE_SLACK:
            # The one exception: the plot's own couplet is fixed text, which a long name given by a family
            # ("Captain Ruffles") can stretch; the seed cast never does.
            assert user_names, (first, second)
            assert _filled_from(plot.problem[0], first), (first, second)


def _filled_from(template: str, line: str) -> bool:
    """Whether the line is the template with its {slots} filled."""
    pattern = re.sub(r"\\\{\w+\\\}", ".+", re.escape(template))
    return re.fullmatch(pattern, line, flags=re.IGNORECASE) is not None


def test_syllables_are_counted_by_the_cmu_dictionary() -> None:
    assert syllables("The little star") == 4
    assert syllables("Goodnight, Pip") == 3  # a name the dictionary lacks, by its vowels


def test_second_lines_are_found_among_cmu_rhymes() -> None:
    assert "light" in rhyming_ends("night")
    assert all(end in pronouncing.rhymes("sea") or end == "sea" for end in rhyming_ends("sea"))


def test_articles_and_prepositions_suit_the_scene() -> None:
    island, beach = SCENES[6], SCENES[1]

    assert "on a tiny island" in RhymingStoryWriter(seed=1).write(list(CHARACTERS[:2]), island).text
    assert "on a quiet beach" in RhymingStoryWriter(seed=1).write(list(CHARACTERS[:2]), beach).text
    assert with_article("eager owl") == "an eager owl"
    assert with_article("unicorn") == "a unicorn"
    assert with_article("hour") == "an hour"
    for seed in range(30):
        assert not re.search(r"\ba [aeio]", _story(seed)[0].text)


def test_recent_nights_of_the_cast_are_not_retold() -> None:
    characters, scene = list(CHARACTERS[:2]), SCENES[1]
    writer = RhymingStoryWriter(seed=11)
    recent: list[PastStory] = []

    for _ in range(len(PLOTS)):
        draft = writer.write_remembering(characters, scene, recent)
        assert draft.plot not in {story.plot for story in recent}
        assert draft.title not in {story.title for story in recent}
        recent.append(PastStory(title=draft.title, plot=draft.plot))


def test_the_draft_names_its_plot_and_moment_for_the_picture() -> None:
    draft = RhymingStoryWriter(seed=4).write([CHARACTERS[5]], SCENES[1])

    assert draft.plot in {plot.id for plot in PLOTS}
    assert draft.moment
    assert "Ada" in draft.moment
    assert "lantern" in draft.moment


def test_the_same_seed_and_input_tell_the_same_story() -> None:
    characters, scene = _cast_and_scene(1)

    assert RhymingStoryWriter(seed=42).write(characters, scene) == RhymingStoryWriter(seed=42).write(characters, scene)


def test_the_same_seed_tells_the_same_story_in_another_process() -> None:
    # str seeds go through SHA-512, not hash(); a different PYTHONHASHSEED must not change the story.
    program = (
        "from storyteller.households.seed import CHARACTERS, SCENES\n"
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


def test_every_first_line_has_rhymes_to_answer_it() -> None:
    from storyteller.providers.offline.verses import lines
    from storyteller.providers.offline.verses.gifts import KIND_HEART
    from storyteller.providers.offline.verses.scenes import LEXICONS, NIGHT

    fixed = [
        line
        for name in ("OPENINGS", "SCENERY", "GATHERINGS", "WORRIES", "IDEAS", "JOYS", "DROWSINGS", "GOODNIGHTS")
        for line in getattr(lines, name)
    ]
    firsts = [
        *fixed,
        *(line for gift in (*GIFTS, KIND_HEART) for line in (*gift.meets, *gift.acts)),
        *(line for plot in PLOTS for line in (plot.attempt, plot.fix)),
        *(home for lexicon in (*LEXICONS, NIGHT) for home in lexicon.homes),
    ]
    unanswerable = [line for line in firsts if len(set(rhyming_ends(last_word(line))) - {last_word(line)}) < 2]

    assert unanswerable == []
    assert all(last_word(tail) == end for end, tails in lines.TAILS.items() for tail in tails)


def test_the_fallback_couplet_is_never_needed_for_the_seed_cast() -> None:
    for seed in range(100):
        rng = random.Random(seed)
        draft = RhymingStoryWriter(seed=seed).write(rng.sample(list(CHARACTERS), 3), rng.choice(SCENES))
        assert "as calm and as still as could be" not in draft.text


def test_the_listeners_age_sets_the_length_of_the_offline_story() -> None:
    lengths: dict[str, list[int]] = {}
    for level in (LITTLE, YOUNG, OLDER):
        for seed in range(40):
            cast, scene = _cast_and_scene(seed)
            draft = RhymingStoryWriter(seed=seed, level=level).write(cast, scene)
            lengths.setdefault(level.ages, []).append(validate_story(draft, cast, scene).words)  # every one passes
    little, young, older = (sorted(lengths[level.ages]) for level in (LITTLE, YOUNG, OLDER))
    assert little[len(little) // 2] < young[len(young) // 2] < older[len(older) // 2]
    assert max(little) <= 360
    assert min(older) >= OLDER.least
    assert max(older) <= MAX_WORDS
