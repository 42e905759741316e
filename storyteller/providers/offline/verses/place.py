"""A family's own place, read from its words: what it is called, how to say where it is, what kind it is, what is in it.

"the treehouse in the garden, with a rope ladder and fairy lights" is a place called "the treehouse in
the garden", said as "in the treehouse in the garden", indoors, with the rope ladder and the fairy
lights in it. The whole head phrase is kept (never cut to a few words); the details after it become the
place's own objects, which the story uses. A noun we have no entry for is "in the …", still English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lemminflect import getAllLemmas, getLemma

INDOOR, OUTDOOR, VEHICLE, WATER = "indoor", "outdoor", "vehicle", "water"
# The longest head phrase said in full; a longer one is a description, and its first clause is the place.
HEAD_WORDS = 10
OBJECT_WORDS = 4
MOST_OBJECTS = 4

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


def _words(text: str) -> list[str]:
    return text.split()


_DETERMINERS = frozenset(_words("a an the my our your his her their its this that one some"))
_ARTICLES = frozenset({"a", "an", "the", "some", "one"})
_PREPOSITIONS = frozenset(
    _words(
        "in on at by under over inside outside beneath below above behind beside near among across along "
        "upon within underneath between beyond"
    )
)
# Words that end a noun phrase inside a head phrase or a detail: "the night train to Edinburgh".
_JOINS = _PREPOSITIONS | frozenset(_words("of to from for into onto"))
# Where the head phrase ends and its details begin.
_DETAIL = re.compile(
    r",|;|\s(?:with|where|full of|filled with|that|which|who|and smelling|smelling|warm with)\s", re.IGNORECASE
)
# Between objects in a list of details: "a rope ladder and fairy lights", "roses, a fountain".
_LIST = re.compile(
    r",|;|(?:^|\s)(?:and|with|or|full of|filled with|smelling of|of|where|" + "|".join(sorted(_JOINS)) + r")(?=\s|$)",
    re.IGNORECASE,
)
# How the head noun is said after a preposition, and its kind; any other noun is "in", outdoors.
_HEADS: dict[str, tuple[str, str]] = {
    **dict.fromkeys(
        _words(
            "kitchen room bedroom nursery bathroom attic cellar basement hall house home cottage cabin hut "
            "treehouse tent flat apartment castle palace tower barn shed den fort igloo classroom shop bakery "
            "cafe studio lounge loft playroom ward hospital caravan greenhouse chapel church"
        ),
        ("in", INDOOR),
    ),
    **dict.fromkeys(_words("library museum school station airport zoo theatre cinema cafe"), ("at", INDOOR)),
    **dict.fromkeys(_words("car seat backseat taxi van truck lorry carriage plane aeroplane"), ("in", VEHICLE)),
    **dict.fromkeys(_words("train bus tram coach ferry"), ("on", VEHICLE)),
    **dict.fromkeys(
        _words("pier jetty dock quay deck boat ship raft yacht houseboat beach shore island"), ("on", WATER)
    ),
    **dict.fromkeys(_words("river lake pond stream sea ocean canal brook seaside harbour harbor"), ("by", WATER)),
    **dict.fromkeys(_words("pool"), ("in", WATER)),
    **dict.fromkeys(_words("hill hillside mountain farm balcony porch roof rooftop lawn"), ("on", OUTDOOR)),
    **dict.fromkeys(_words("campsite campfire fire fireplace"), ("by", OUTDOOR)),
}
# A word anywhere in the head phrase that makes the whole place one kind: "the back seat of a car".
_KIND_WORDS: dict[str, str] = {
    **dict.fromkeys(_words("car taxi van truck lorry bus train tram plane aeroplane caravan"), VEHICLE),
    **dict.fromkeys(_words("hospital"), INDOOR),
}


@dataclass(frozen=True)
class Place:
    """A scene as the story says it."""

    where: str  # "in grandma's kitchen": the first time, with its preposition
    name: str  # "grandma's kitchen", "the snowy cabin": the whole head phrase, for saying where
    short: str  # "the city", "the forest clearing", "grandma's kitchen": in the lines after the first
    head: str  # "kitchen": the noun the place is named by
    preposition: str
    kind: str  # indoor, outdoor, vehicle or water
    objects: tuple[str, ...]  # "the rope ladder", "the fairy lights": the place's own things


def read_place(description: str) -> Place:
    """The place a family's scene describes; an empty one is the land of dreams."""
    text = " ".join(description.split()).strip(" .!?")
    given = ""
    first = text.split(" ", 1)
    if len(first) == 2 and first[0].lower() in _PREPOSITIONS:
        given, text = first[0].lower(), first[1]
    head_phrase, details = _split(text)
    words = head_phrase.split()
    if len(words) > HEAD_WORDS:
        # A run-on head: its noun is at its end ("... lighthouse"), so the end is kept, after its first word.
        words = [words[0], *words[-(HEAD_WORDS - 1) :]]
    if not words:
        return Place("in the land of dreams", "the land of dreams", "the land of dreams", "dreams", "in", OUTDOOR, ())
    noun, owner = _head_noun(words)
    preposition, kind = _HEADS.get(noun.lower(), ("in", OUTDOOR))
    kind = next((_KIND_WORDS[word] for word in _lowered(words) if word in _KIND_WORDS), kind)
    phrase = " ".join(words)
    lowered_first = words[0].lower()
    if lowered_first in _DETERMINERS:
        said = " ".join([lowered_first, *words[1:]])
        name = " ".join(["the" if lowered_first in _ARTICLES else lowered_first, *words[1:]])
    elif owner or words[0][:1].isupper():
        said = name = phrase  # "grandma's kitchen", "Hogwarts"
    else:
        said = name = f"the {phrase}"
    objects = _objects(details, words)
    short = _short(words, noun.lower(), name)
    return Place(f"{given or preposition} {said}", name, short, noun.lower(), given or preposition, kind, objects)


def _short(words: list[str], noun: str, name: str) -> str:
    """The head noun with the nouns before it that make it one thing ("forest clearing"), and its owner."""
    lowered = _lowered(words)
    if noun not in lowered:
        return name
    end = lowered.index(noun)
    start = end
    while (
        start > 0
        and lowered[start - 1] not in _DETERMINERS
        and not lowered[start - 1].endswith(("'s", "s'"))
        and _is_noun(lowered[start - 1])
        and not {"ADJ", "ADV"} & set(getAllLemmas(lowered[start - 1]))
    ):
        start -= 1
    if start > 0 and lowered[start - 1].endswith(("'s", "s'")):
        # "grandma's kitchen" stays hers, "the lighthouse keeper's cottage" the keeper's: back to the owner's start.
        start -= 1
        while start > 0 and lowered[start - 1] not in _DETERMINERS:
            start -= 1
        owner = "the " if start > 0 and lowered[start - 1] in _ARTICLES else ""
        return owner + " ".join(words[start : end + 1]).strip(",.;:")
    if start == 0 and lowered[0] not in _DETERMINERS and words[0][:1].isupper():
        return " ".join(words[: end + 1]).strip(",.;:")  # a name: "Hogwarts"
    return "the " + " ".join(lowered[start : end + 1])


def _split(text: str) -> tuple[str, str]:
    """The head phrase (with at most one inner phrase: "the treehouse in the garden") and its details."""
    match = _DETAIL.search(text)
    head, details = (text, "") if match is None else (text[: match.start()], text[match.end() :])
    words = head.split()
    inner = [index for index, word in enumerate(_lowered(words)) if index and word in _JOINS]
    if len(inner) > 1:
        head, details = " ".join(words[: inner[1]]), " ".join([*words[inner[1] + 1 :], details])
    return head.strip(" ,;:"), details.strip(" ,;:")


def _lowered(words: list[str]) -> list[str]:
    return [word.lower().strip(",.;:!?") for word in words]


def _head_noun(words: list[str]) -> tuple[str, bool]:
    """The noun before the first preposition: "the back seat of a car" is a seat; and whether it is someone's."""
    lowered = _lowered(words)
    end = next(
        (index for index, word in enumerate(lowered) if index and word in _JOINS),
        len(lowered),
    )
    head = [word for word in lowered[:end] if word not in _DETERMINERS] or lowered[:end] or lowered
    owner = any(word.endswith(("'s", "s'")) for word in lowered[:end])
    # "a balcony high over the city" is a balcony: a noun we know the preposition of wins over a word after it.
    last = head[-1]
    describing = {"ADJ", "ADV"} & set(getAllLemmas(last))
    known = next((word for word in reversed(head) if word in _HEADS), last)
    noun = (known if describing and last not in _HEADS else last).removesuffix("'s")
    # "the back seat" is a seat; "backseat" written as one word too.
    return noun, owner


def _objects(details: str, head: list[str]) -> tuple[str, ...]:
    """The things the details name, each as "the …" (or as the family wrote a possessive): nouns only."""
    found: list[str] = []
    for part in _LIST.split(details):
        words = [word for word in _WORD.findall(part) if word.lower() not in _DETERMINERS]
        words = _noun_phrase(words)
        kept = words[-OBJECT_WORDS:]
        if not kept or (len(kept) == 1 and "ADJ" in getAllLemmas(kept[0].lower())):
            continue  # "warm" is how the place feels, not a thing in it
        owned = kept[0].lower().endswith("'s")
        phrase = " ".join(word if word[:1].isupper() and owned else word.lower() for word in kept)
        found.append(phrase if owned else f"the {phrase}")
    if not found and len(head) > 1:
        # "the back seat of a car": the car is in the story even when nothing else is named.
        lowered = _lowered(head)
        inner = [index for index, word in enumerate(lowered) if index and word in _JOINS]
        if inner:
            tail = [word for word in lowered[inner[0] + 1 :] if word not in _DETERMINERS]
            if tail and _is_noun(tail[-1]):
                found.append("the " + " ".join(tail[-OBJECT_WORDS:]))
    unique = list(dict.fromkeys(found))
    return tuple(unique[:MOST_OBJECTS])


def _noun_phrase(words: list[str]) -> list[str]:
    """Up to its noun: "fairy lights glowing" is the fairy lights; "waves whisper" the waves."""
    for index in range(len(words) - 1):
        if _is_plural(words[index]) and "VERB" in getAllLemmas(words[index + 1].lower()):
            words = words[: index + 1]
            break
    while words and not _is_noun(words[-1]):
        words = words[:-1]
    return words


def _is_plural(word: str) -> bool:
    """ "waves" (of "waves whisper") is a plural noun; "brass" (of "brass telescope") is not."""
    lemma = getLemma(word.lower(), upos="NOUN")
    return _is_noun(word) and bool(lemma) and lemma[0] != word.lower()


@lru_cache(maxsize=4096)
def _is_noun(word: str) -> bool:
    """A word lemminflect knows as a noun (a plural counts), or one it does not know at all (a name)."""
    lemmas = getAllLemmas(word.lower())
    return not lemmas or "NOUN" in lemmas or "PROPN" in lemmas
