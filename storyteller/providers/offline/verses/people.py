"""Who a family's character is, read from its description: age, place in the family, pronouns, and what they
wear, carry, love or fear.

"a girl of six with glasses and a red scarf who loves climbing and is afraid of thunder" is a listening
child, "she", whose red scarf and climbing can solve the night's problem and whose fear of thunder is met
gently. Verbs and nouns are put into the form a line needs by lemminflect ("climbing" → "climbed").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lemminflect import getAllLemmas, getInflection, getLemma

from storyteller.story.kinship import Kin, read_kin

ITEM_WORDS = 3

_WORD = re.compile(r"[a-z][a-z'-]*")


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# What a description says before the thing a character has, loves or fears.
_HAS = re.compile(r"\b(?:wears|wearing|in|with|carries|carrying|holds|holding|has|keeps|brings|takes)\s+(.+)")
_LOVES = re.compile(r"\b(?:loves|likes|adores|enjoys)\s+(?!to\s)(.+)")
_DOES = re.compile(r"\b(?:loves to|likes to|can|is good at|always)\s+(.+)")
# "who bakes bread", "and plays the guitar": a doing said in the present.
_WHO_DOES = re.compile(
    r"\b(?:who|and)\s+((?!wears|carries|holds|has|keeps|brings|takes|loves|likes|is|was)[a-z]+s\s.+)"
)
_FEARS = re.compile(r"\b(?:afraid of|scared of|frightened of|fears|worried about|nervous of)\s+(.+)")
_STOPS = _set("and who that which but because with when while or so , ; . is are")
_DROP = _set("a an the his her their its my our your some one little")


@dataclass(frozen=True)
class Person:
    """What the story can do with one character."""

    kin: Kin
    items: tuple[str, ...]  # "red scarf", "glasses": worn or carried
    loves: tuple[str, ...]  # "trains": things
    does: tuple[str, ...]  # "climb", "whistle": what they love to do or can do, as verbs
    fears: tuple[str, ...]  # "thunder"


def read_person(description: str) -> Person:
    """The character a description describes: who they are, and what they have, love, do or fear."""
    text = " ".join(description.lower().split())
    fears = _phrases(_FEARS, text, keep_the=True)  # "scared of the dark", not "of dark"
    liked = [phrase for phrase in _phrases(_LOVES, text) if phrase not in fears]
    # "loves climbing" is something they do; "loves trains" something they love.
    does = [_lemma(phrase) for phrase in liked if phrase.split()[0].endswith("ing") and _lemma(phrase)]
    does += [_lemma(phrase) for phrase in _phrases(_DOES, text) if _lemma(phrase)]
    does += [_lemma(phrase) for phrase in _phrases(_WHO_DOES, text) if _is_verb(phrase) and _lemma(phrase)]
    loves = tuple(phrase for phrase in liked if not phrase.split()[0].endswith("ing"))
    items = tuple(
        phrase
        for phrase in _phrases(_HAS, text)
        if phrase not in fears and not _is_age(phrase) and not _is_verb(phrase)
    )
    return Person(read_kin(text), items, loves, tuple(dict.fromkeys(does)), fears)


def past(activity: str) -> str:
    """ "climb trees" said as done: "climbed trees"."""
    first, _, rest = activity.partition(" ")
    forms = getInflection(first, tag="VBD")
    return " ".join([forms[0] if forms else first, rest]).strip()


def _lemma(phrase: str) -> str:
    """ "climbing trees" as "climb trees"; "" when the first word is no verb lemminflect knows."""
    first, _, rest = phrase.partition(" ")
    lemma = getLemma(first, upos="VERB") if "VERB" in getAllLemmas(first) else ()
    return " ".join([lemma[0], rest]).strip() if lemma else ""


def _is_verb(phrase: str) -> bool:
    """ "plays the guitar" in "wears a hat and plays the guitar": a doing, no thing worn. A one-word phrase
    ("glasses", "compass") is a thing."""
    first, _, rest = phrase.partition(" ")
    lemmas: tuple[str, ...] = getLemma(first, upos="VERB") if "VERB" in getAllLemmas(first) else ()
    return bool(rest) and bool(lemmas) and lemmas[0] != first


def singular(noun_phrase: str) -> str:
    """ "trains" as "train": for "a train-shaped idea"."""
    *before, last = noun_phrase.split()
    lemma = getLemma(last, upos="NOUN")
    return " ".join([*before, lemma[0] if lemma else last])


def _phrases(pattern: re.Pattern[str], text: str, keep_the: bool = False) -> tuple[str, ...]:
    """Each short noun or verb phrase the pattern introduces, up to a joining word: "red scarf", "thunder"."""
    found: list[str] = []
    for clause in re.split(r"[,;.]", text):
        for match in pattern.finditer(clause):
            for part in re.split(r"\band\b|\bor\b", match.group(1)):
                kept: list[str] = []
                for word in _WORD.findall(part):
                    if word in _STOPS or word in _PREPOSITION_STOPS or len(kept) == ITEM_WORDS:
                        break
                    if word not in _DROP or (keep_the and word == "the" and not kept):
                        kept.append(word)
                if kept:
                    found.append(" ".join(kept))
                if len(found) > 4:
                    break
    return tuple(dict.fromkeys(found))


_PREPOSITION_STOPS = _set("on in at by of for to from under over into about")


def _is_age(phrase: str) -> bool:
    return bool(re.fullmatch(r"\d+.*|(?:one|two|three|four|five|six|seven|eight|nine|ten)( years?.*)?", phrase))
