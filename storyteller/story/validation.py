"""The rules every story must pass before it is stored, whichever writer wrote it."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pydantic import BaseModel, ConfigDict

from storyteller.errors import StoryValidationError
from storyteller.models import Character, Scene, StoryDraft
from storyteller.story import cmu

MIN_WORDS = 200
MAX_WORDS = 600
MIN_RHYME_RATE = 0.8
TITLE_MAX = 120
# A scene word shorter than this is too vague ("sea" aside) to prove the story used the scene.
SCENE_WORD_MIN = 4
# Words outside the CMU dictionary (names, made-up words) are compared by spelling instead: in English
# a shared three-letter ending ("-ight", "-oon", "-ee") mostly sounds alike, and failing every unknown
# word would punish a writer for the dictionary's gaps rather than for a bad rhyme.
SPELLING_RHYME_LETTERS = 3
# Misses quoted in the rhyme message, enough for a writer to see what went wrong.
RHYME_MISSES_SHOWN = 3


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Function words and vague size words: a scene of "a little place with some trees" is used by "trees".
STOPWORDS = _word_set(
    """
    about above across after again against along also among around away back been before behind below
    beneath beside besides between beyond both came come could does done down during each even ever every
    from full have here into just like made make many more most much must near next once only onto other
    over same should since some such than that their them then there these they this those through till
    under until upon very were what when where which while whose will with within without would your
    little small tiny lots quite really place
    """
)

# Line breaks (and tabs) are how verse is laid out; every other control character is refused.
_TEXT_LAYOUT = frozenset("\n\r\t")
_COUNTED_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")  # "don't" and "white-tipped" count once
_LAST_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")  # letters only: "moon," and "moon's" end in a word
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_SPACES = re.compile(r"\s+")


class StoryReport(BaseModel):
    """What a story that passed looked like, for the stored item and the logs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    words: int
    couplets: int
    rhyming_couplets: int
    rhyme_rate: float


def validate_story(draft: StoryDraft, characters: list[Character], scene: Scene) -> StoryReport:
    """The report of a good story; otherwise `StoryValidationError` naming every rule it broke."""
    pairs = couplets(verse_lines(draft.text))
    misses = [(first, second) for first, second in pairs if not rhymes(last_word(first), last_word(second))]
    report = StoryReport(
        words=count_words(draft.text),
        couplets=len(pairs),
        rhyming_couplets=len(pairs) - len(misses),
        rhyme_rate=(len(pairs) - len(misses)) / len(pairs) if pairs else 0.0,
    )
    problems = [
        *_title_problems(draft.title),
        *_text_problems(draft.text),
        *_length_problems(report.words),
        *_cast_problems(draft.text, characters),
        *_scene_problems(draft.text, scene),
        *_rhyme_problems(report, misses),
    ]
    if problems:
        raise StoryValidationError("; ".join(problems))
    return report


def clean_text(value: str) -> str:
    """User text as a story may show it: no markup brackets, no control characters, single spaces.

    Writers put names and scenes through this, and the rules look for them in this form, so a
    character called "<Pip>" is found as "Pip" rather than making every story about them invalid.
    """
    kept = "".join(" " if _is_control(char) else char for char in value if char not in "<>")
    return _SPACES.sub(" ", kept).strip()


def count_words(text: str) -> int:
    """Words as a reader counts them; dashes and punctuation are not words."""
    return len(_COUNTED_WORD.findall(text))


def verse_lines(text: str) -> list[str]:
    """The non-empty lines; blank lines only separate stanzas."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def couplets(lines: list[str]) -> list[tuple[str, str]]:
    """Consecutive pairs of lines (AABB); an odd last line belongs to no couplet."""
    return [(lines[index], lines[index + 1]) for index in range(0, len(lines) - 1, 2)]


def last_word(line: str) -> str:
    """The line's last word, lower-cased, without punctuation or quotes ("" if it has none)."""
    words = _LAST_WORD.findall(line)
    return _normal(words[-1]) if words else ""


def rhymes(a: str, b: str) -> bool:
    """Whether two different words rhyme: the same sounds from the last stressed vowel on.

    Any of a word's pronunciations counts ("read" rhymes with "seed" and with "bed"). Primary and secondary stress
    are treated alike, because "light" and "goodnight" rhyme to the ear though CMU marks them 1 and 2.
    """
    first, second = _normal(a), _normal(b)
    if not first or not second or first == second:
        return False
    first_parts, second_parts = _rhyming_parts(first), _rhyming_parts(second)
    if first_parts and second_parts:
        return not first_parts.isdisjoint(second_parts)
    return first[-SPELLING_RHYME_LETTERS:] == second[-SPELLING_RHYME_LETTERS:]


def significant_words(description: str) -> list[str]:
    """The scene's content words (at least four letters, not a stopword), lower-cased, in order."""
    found: dict[str, None] = {}
    for word in _LETTER_RUN.findall(description.lower()):
        if len(word) >= SCENE_WORD_MIN and word not in STOPWORDS:
            found[word] = None
    return list(found)


def is_named(text: str, name: str) -> bool:
    """Whether the cleaned name appears in the text as a whole word, in any case."""
    wanted = clean_text(name)
    if not wanted:
        return True  # nothing of the name is printable, so there is nothing to look for
    return re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", text, re.IGNORECASE) is not None


def _title_problems(title: str) -> list[str]:
    problems: list[str] = []
    if not title.strip():
        problems.append("title is empty")
    if len(title) > TITLE_MAX:
        problems.append(f"title has {len(title)} characters but at most {TITLE_MAX} are allowed")
    if "\n" in title or "\r" in title:
        problems.append("title contains a line break")
    problems.extend(_safety_problems("title", title, allowed=frozenset("\n\r")))
    return problems


def _text_problems(text: str) -> list[str]:
    return _safety_problems("text", text, allowed=_TEXT_LAYOUT)


def _safety_problems(field: str, value: str, allowed: frozenset[str]) -> list[str]:
    problems: list[str] = []
    if "<" in value or ">" in value:
        problems.append(f"{field} contains markup characters (< or >)")
    controls = sorted({char for char in value if _is_control(char) and char not in allowed})
    if controls:
        codes = ", ".join(f"U+{ord(char):04X}" for char in controls)
        problems.append(f"{field} contains control characters ({codes})")
    return problems


def _length_problems(words: int) -> list[str]:
    if words < MIN_WORDS:
        return [f"story has {words} words but at least {MIN_WORDS} are needed"]
    if words > MAX_WORDS:
        return [f"story has {words} words but at most {MAX_WORDS} are allowed"]
    return []


def _cast_problems(text: str, characters: list[Character]) -> list[str]:
    missing = [clean_text(character.name) for character in characters if not is_named(text, character.name)]
    if not missing:
        return []
    return ["the text never names " + ", ".join(f'"{name}"' for name in missing)]


def _scene_problems(text: str, scene: Scene) -> list[str]:
    wanted = significant_words(clean_text(scene.description))
    if not wanted:
        return []  # a scene like "a bed" has no word the story could be held to
    present = set(_LETTER_RUN.findall(text.lower()))
    if present.intersection(wanted):
        return []
    shown = ", ".join(f'"{word}"' for word in wanted[:5])
    return [f"the scene is not used: none of its words ({shown}) appears in the text"]


def _rhyme_problems(report: StoryReport, misses: list[tuple[str, str]]) -> list[str]:
    if report.couplets == 0:
        return ["the text has no couplets: the verse needs lines in rhyming pairs"]
    if report.rhyme_rate >= MIN_RHYME_RATE:
        return []
    examples = ", ".join(f'"{last_word(a)}"/"{last_word(b)}"' for a, b in misses[:RHYME_MISSES_SHOWN])
    return [
        f"only {report.rhyming_couplets} of {report.couplets} couplets rhyme ({report.rhyme_rate:.0%}) "
        f"but at least {MIN_RHYME_RATE:.0%} must, e.g. {examples}"
    ]


def _is_control(char: str) -> bool:
    # Cc are the C0/C1 controls; Zl/Zp are the Unicode line and paragraph separators, which
    # split lines in Python but not in a browser.
    return unicodedata.category(char) in {"Cc", "Zl", "Zp"}


def _normal(word: str) -> str:
    return word.strip().lower().replace("’", "'")


@lru_cache(maxsize=4096)
def _rhyming_parts(word: str) -> frozenset[str]:
    phones: list[str] = cmu.phones_for_word(word)
    return frozenset(_even_stress(cmu.rhyming_part(phone)) for phone in phones)


def _even_stress(rhyming_part: str) -> str:
    return rhyming_part.replace("2", "1")
