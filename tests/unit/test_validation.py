"""The story rules, on stories written by hand: one good, and bad ones that each break a rule."""

from __future__ import annotations

import pydantic
import pytest

from storyteller.errors import StoryValidationError
from storyteller.models import Character, Scene, StoryDraft
from storyteller.story.validation import (
    MAX_WORDS,
    MIN_RHYME_RATE,
    MIN_WORDS,
    clean_text,
    count_words,
    couplets,
    last_word,
    rhymes,
    significant_words,
    validate_story,
    verse_lines,
)

PIP = Character(id="pip", name="Pip", description="a small red fox")
LUNA = Character(id="luna", name="Luna", description="a wise grey owl")
CAST = [PIP, LUNA]
FOREST = Scene(id="forest", description="a moonlit forest clearing with tall pines")

GOOD_TEXT = """\
In a moonlit forest clearing, where the tall pines sway,
A small red fox called Pip had come to the end of his day.
He curled his white tail and he looked at the sky,
Where a wise grey owl named Luna came floating by.

"Good evening," said Luna, "the stars are out bright.
Shall we count every one of them, one by one, tonight?"
So they counted to ten, then to twenty, then more,
Till the numbers got muddled and Pip gave a snore.

But a tiny star wobbled and slipped from its place,
And it tumbled right down with a sad little face.
"Oh dear," sighed the star, "I am far from my home,
And the sky is too high for a small star to roam."

Pip fetched a long ladder of moonbeams and thread,
And Luna flew up with the star on her head.
They climbed and they fluttered, past branches and leaves,
Past the nests of the robins and the sleepy old eaves.

At last the small star found its place in the blue,
And it twinkled, "Thank you, my friends, thank you true!"
Then Pip climbed back down to his warm mossy bed,
While Luna sang softly a song overhead.

The pines hummed a lullaby, gentle and deep,
And the whole forest clearing drifted off into sleep.
So goodnight, little fox, and goodnight, wise owl,
Goodnight to the moon and the wind's gentle howl.
"""
GOOD = StoryDraft(title="Pip and Luna and the Lost Star", text=GOOD_TEXT)


def _problems(draft: StoryDraft, characters: list[Character] = CAST, scene: Scene = FOREST) -> str:
    with pytest.raises(StoryValidationError) as raised:
        validate_story(draft, characters, scene)
    return str(raised.value)


def _with_text(text: str) -> StoryDraft:
    return StoryDraft(title=GOOD.title, text=text)


def _replace_ends(text: str, swaps: dict[str, str]) -> str:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        for old, new in swaps.items():
            if line.endswith(old):
                lines[index] = line[: -len(old)] + new
    return "\n".join(lines)


def test_a_good_story_passes_with_its_report() -> None:
    report = validate_story(GOOD, CAST, FOREST)

    assert report.couplets == 12
    assert report.rhyming_couplets == 12
    assert report.rhyme_rate == 1.0
    assert MIN_WORDS <= report.words <= MAX_WORDS
    assert report.words == len(GOOD_TEXT.split()) == 239  # no dashes: whitespace counts right


def test_the_report_is_frozen() -> None:
    report = validate_story(GOOD, CAST, FOREST)

    with pytest.raises(pydantic.ValidationError):
        report.words = 1


def test_a_short_story_says_how_short() -> None:
    text = "In the tall pines Pip and Luna sat by the light,\nAnd whispered goodnight to the night."

    assert _problems(_with_text(text)) == "story has 17 words but at least 200 are needed"


def test_a_long_story_says_how_long() -> None:
    text = "\n\n".join([GOOD_TEXT] * 3)

    assert _problems(_with_text(text)) == "story has 717 words but at most 600 are allowed"


def test_a_missing_character_is_named() -> None:
    bramble = Character(id="bramble", name="Bramble", description="a gentle brown bear")

    assert _problems(GOOD, [*CAST, bramble]) == 'the text never names "Bramble"'


def test_names_are_found_in_any_case_but_only_as_whole_words() -> None:
    shouting = Character(id="pip", name="PIP", description="a fox")
    part_of_luna = Character(id="lu", name="Lu", description="a lark")

    assert validate_story(GOOD, [shouting], FOREST).couplets == 12
    assert _problems(GOOD, [part_of_luna]) == 'the text never names "Lu"'


def test_a_name_with_markup_is_looked_for_as_the_story_may_print_it() -> None:
    bracketed = Character(id="pip", name="<Pip>", description="a fox")

    assert validate_story(GOOD, [bracketed], FOREST).words == 239


def test_an_unused_scene_is_named_with_its_words() -> None:
    village = Scene(id="village", description="a snowy mountain village")

    expected = 'the scene is not used: none of its words ("snowy", "mountain", "village") appears in the text'
    assert _problems(GOOD, CAST, village) == expected


def test_one_scene_word_is_enough_and_a_scene_without_content_words_asks_nothing() -> None:
    pines = Scene(id="pines", description="somewhere among the PINES")
    bed = Scene(id="bed", description="a bed")

    assert validate_story(GOOD, CAST, pines).couplets == 12
    assert validate_story(GOOD, CAST, bed).couplets == 12


def test_poor_rhyme_gives_the_rate_and_examples() -> None:
    text = _replace_ends(GOOD_TEXT, {"his day.": "his evening.", "a snore.": "a sigh.", 'to roam."': 'to fly."'})
    text = _replace_ends(text, {"old eaves.": "old trees."})

    expected = (
        'only 8 of 12 couplets rhyme (67%) but at least 80% must, e.g. "sway"/"evening", "more"/"sigh", "home"/"fly"'
    )
    assert _problems(_with_text(text)) == expected


def test_a_few_misses_are_forgiven() -> None:
    text = _replace_ends(GOOD_TEXT, {"his day.": "his evening.", "a snore.": "a sigh."})

    report = validate_story(_with_text(text), CAST, FOREST)

    assert report.rhyming_couplets == 10
    assert report.rhyme_rate >= MIN_RHYME_RATE


def test_one_long_line_has_no_couplets() -> None:
    text = " ".join(GOOD_TEXT.splitlines())

    assert _problems(_with_text(text)) == "the text has no couplets: the verse needs lines in rhyming pairs"


def test_markup_in_the_text_or_title_is_refused() -> None:
    marked = StoryDraft(title="Pip <b>and</b> Luna", text=GOOD_TEXT.replace("Good evening", "<i>Good evening</i>"))

    assert _problems(marked) == ("title contains markup characters (< or >); text contains markup characters (< or >)")


def test_control_characters_are_refused_but_line_breaks_in_the_text_are_layout() -> None:
    belled = _with_text(GOOD_TEXT.replace("tonight", "to\x07night"))

    assert "text contains control characters (U+0007)" in _problems(belled)
    assert validate_story(_with_text(GOOD_TEXT.replace("\n", "\r\n")), CAST, FOREST).couplets == 12


def test_title_rules() -> None:
    # StoryDraft refuses these itself; the rules still hold for a draft built without validation.
    long_title = StoryDraft.model_construct(title="A" * 121, text=GOOD_TEXT)
    two_lines = StoryDraft.model_construct(title="Pip\nand Luna", text=GOOD_TEXT)
    blank = StoryDraft.model_construct(title="  ", text=GOOD_TEXT)

    assert _problems(long_title) == "title has 121 characters but at most 120 are allowed"
    assert _problems(two_lines) == "title contains a line break"
    assert _problems(blank) == "title is empty"


def test_every_broken_rule_is_named_at_once() -> None:
    bramble = Character(id="bramble", name="Bramble", description="a bear")
    draft = StoryDraft(title="<Oops>", text="Pip sat by the sea,\nAnd Luna sat by the tree.")

    problems = _problems(draft, [*CAST, bramble]).split("; ")

    assert problems == [
        "title contains markup characters (< or >)",
        "story has 11 words but at least 200 are needed",
        'the text never names "Bramble"',
        'the scene is not used: none of its words ("moonlit", "forest", "clearing", "tall", "pines") '
        "appears in the text",
    ]


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("night", "light", True),
        ("Moon", "spoon", True),
        ("light", "goodnight", True),  # CMU gives "goodnight" secondary stress; the ear does not care
        ("deep", "asleep", True),
        ("night", "night", False),  # the same word again is not a rhyme
        ("Night", "night", False),
        ("moon", "star", False),
        ("nests", "rest", False),
        ("zorbly", "florbly", True),  # neither in CMU: the same last three letters
        ("snorkight", "night", True),  # one missing is enough to fall back to spelling
        ("zorbix", "flumpat", False),
        ("", "night", False),
    ],
)
def test_rhymes(first: str, second: str, expected: bool) -> None:
    assert rhymes(first, second) is expected


@pytest.mark.parametrize(
    ("line", "word"),
    [
        ('And it whispered, "Goodnight!"', "goodnight"),
        ("Goodnight to the moon's", "moon's"),
        ("Past the white-tipped", "tipped"),
        ("She counted 1, 2, 3", "counted"),
        ("Zoë’s", "zoë's"),
        ("...", ""),
    ],
)
def test_last_word(line: str, word: str) -> None:
    assert last_word(line) == word


def test_verse_lines_and_couplets_skip_blank_lines_and_an_odd_last_line() -> None:
    lines = verse_lines("a\nb\n\n  \nc\nd\ne\n")

    assert lines == ["a", "b", "c", "d", "e"]
    assert couplets(lines) == [("a", "b"), ("c", "d")]


def test_clean_text_drops_markup_brackets_and_control_characters() -> None:
    assert clean_text("<script>") == "script"
    assert clean_text("Zoë\n\tthe\x07  Brave") == "Zoë the Brave"


def test_count_words_counts_what_a_reader_would() -> None:
    assert count_words("Pip, a white-tipped fox — don't fret! — said 3 things.") == 9


def test_significant_words_skip_short_and_function_words() -> None:
    assert significant_words("A calm corner of space, among the planets and the planets") == [
        "calm",
        "corner",
        "space",
        "planets",
    ]
