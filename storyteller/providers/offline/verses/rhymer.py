"""Second lines built to rhyme with the first, by the CMU dictionary, and to keep its metre."""

from __future__ import annotations

import random
import re
from functools import lru_cache

from storyteller.providers.offline.verses.lines import OPENERS, TAILS
from storyteller.story import cmu
from storyteller.story.validation import last_word, rhymes

# The two lines of a couplet may differ by this many syllables and still be read to one beat.
METRE_SLACK = 4
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_VOWEL_RUN = re.compile(r"[aeiouy]+")
_SLOT = re.compile(r"\{(\w+)\}")


def syllables(line: str) -> int:
    """Syllables by the CMU dictionary; a word it lacks (a name) by its vowel groups."""
    return sum(_word_syllables(word) for word in _WORD.findall(line.lower()))


@lru_cache(maxsize=8192)
def _word_syllables(word: str) -> int:
    phones = cmu.phones_for_word(word)
    if phones:
        return int(cmu.syllable_count(phones[0]))
    return max(1, len(_VOWEL_RUN.findall(word.removesuffix("e") or word)))


@lru_cache(maxsize=1024)
def rhyming_ends(word: str) -> tuple[str, ...]:
    """The tail words that rhyme with `word`: its CMU rhymes that we have tails for, or any with its rhyming sound."""
    known = [end for end in cmu.rhymes(word) if end in TAILS]
    return tuple(known or (end for end in TAILS if rhymes(word, end)))


def answer(
    first: str,
    used: set[str],
    rng: random.Random,
    fill: dict[str, str],
    slack: int | None = METRE_SLACK,
    spent: tuple[str, ...] = (),
    aim: float | None = None,
    two_openers: bool = True,
) -> str | None:
    """A second line for `first`: rhyming on an end not used yet, within `slack` syllables, with none of the
    `spent` phrases where another line will do, and of those the nearest `aim` syllables (a steady line for the
    age) when given; None if there is none. `two_openers=False` keeps to one opener: the youngest's lines stay short."""
    end = last_word(first)
    ends = [other for other in rhyming_ends(end) if other not in used and other != end]
    if not ends:
        return None
    target = syllables(first)
    templates = rng.sample(OPENERS, len(OPENERS))
    openers = [opener.format_map(fill) for opener in templates]
    tails = [tail for other in rng.sample(ends, len(ends)) for tail in TAILS[other]]
    lines = [f"{opener}, {tail}." for opener in openers for tail in tails]
    # A long first line is answered by two openers: "While the gulls dozed, and the crabs looked on, ...".
    lines += [
        f"{openers[index]}, {_lower(openers[index + 1])}, {tail}."
        for index in range(len(openers) - 1)
        if _SLOT.findall(templates[index]) != _SLOT.findall(templates[index + 1])  # not the gulls twice
        for tail in tails
        if two_openers
    ]
    fresh = [line for line in lines if not any(phrase in line.lower() for phrase in spent)]
    best = min(fresh or lines, key=lambda line: abs(syllables(line) - target))
    if aim is not None and slack is not None:
        steady = [line for line in fresh or lines if abs(syllables(line) - target) <= slack]
        if steady:
            # Any of the nearest few, not always the one nearest: the nights would start to share lines.
            nearest = min(abs(syllables(line) - aim) for line in steady)
            best = rng.choice([line for line in steady if abs(syllables(line) - aim) <= nearest + 1])
    if slack is not None and abs(syllables(best) - target) > slack:
        best = min(lines, key=lambda line: abs(syllables(line) - target))  # the metre before the filler budget
    return best if slack is None or abs(syllables(best) - target) <= slack else None


def _lower(opener: str) -> str:
    """ "And the gulls" as "and the gulls" mid-line; a capital inside it (a name, "Milky Way") stays."""
    return opener[:1].lower() + opener[1:]
