"""Who each figure on the page is, before anything is drawn: kind, height, skin, hair, outfit and worn things.

The family's own words are read as the writer reads them (kinship for age and relation, `read_person` for
what they wear), so "a girl of three with a pink hat" is a small girl in a pink hat, not a tall one in pink
pyjamas, and her brother shares her skin and hair. Tests look at this model; the drawers only paint it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from storyteller.models import Character
from storyteller.providers.offline.picture.canvas import RGB, mix, seed
from storyteller.providers.offline.picture.kinds import PEOPLE, character_kind, words_in
from storyteller.providers.offline.verses.people import read_person
from storyteller.story.kinship import BABY, Kin, read_kin

CHILD_KINDS = frozenset({"girl", "boy", "child"})
GROWN_UPS = frozenset({"parent", "grandparent"})

COLOUR_WORDS: dict[str, RGB] = {
    "red": (220, 96, 88),
    "blue": (112, 150, 220),
    "green": (124, 194, 124),
    "purple": (170, 128, 210),
    "violet": (170, 128, 210),
    "pink": (240, 158, 186),
    "gold": (236, 196, 96),
    "golden": (236, 196, 96),
    "yellow": (240, 210, 104),
    "orange": (238, 146, 70),
    "white": (240, 238, 236),
    "black": (84, 80, 96),
    "grey": (160, 160, 172),
    "gray": (160, 160, 172),
    "silver": (190, 200, 214),
    "brown": (160, 112, 80),
    "ginger": (230, 140, 70),
    "teal": (90, 180, 180),
}

# "A red fox" or "a black-and-white panda" describe the animal, not a colour to paint it.
NATURAL: dict[str, tuple[str, ...]] = {
    "fox": ("red", "orange", "ginger", "white", "black"),
    "panda": tuple(COLOUR_WORDS),
    "penguin": tuple(COLOUR_WORDS),
    "bear": ("brown",),
    "owl": ("brown", "white"),
    "dragon": ("green",),
    "frog": ("green",),
    "crab": ("red", "orange"),
}

FUR: dict[str, RGB] = {
    "fox": (236, 132, 66),
    "rabbit": (232, 222, 214),
    "owl": (170, 124, 92),
    "panda": (246, 244, 240),
    "bear": (170, 116, 78),
    "cat": (150, 150, 170),
    "dog": (222, 178, 120),
    "mouse": (180, 176, 190),
    "hamster": (236, 186, 120),
    "bird": (96, 190, 110),
    "fish": (246, 150, 60),
    "horse": (150, 104, 74),
    "tortoise": (150, 150, 90),
    "dragon": (128, 196, 132),
    "robot": (176, 196, 214),
    "crab": (236, 104, 84),
    "frog": (134, 200, 112),
    "penguin": (70, 78, 110),
    "creature": (196, 170, 226),
}

# How tall each kind stands beside a child of the default size (1.0 = the page's figure height).
KIND_SCALE: dict[str, float] = {
    "mouse": 0.8,
    "hamster": 0.6,
    "owl": 0.9,
    "bird": 0.75,
    "fish": 0.75,
    "tortoise": 0.62,
    "horse": 1.55,
    "crab": 0.72,
    "frog": 0.78,
    "bear": 1.08,
    "dragon": 1.1,
    "robot": 1.05,
    "rabbit": 0.95,
    "parent": 1.62,
    "grandparent": 1.52,
}
CHILD_SCALE = 1.1  # a child of no stated age: the built-in cast's size
BABY_SCALE = 0.68

PAJAMAS: tuple[RGB, ...] = ((132, 170, 230), (236, 150, 170), (170, 140, 220), (120, 196, 170), (244, 190, 110))
CLOTHES: tuple[RGB, ...] = ((96, 120, 170), (150, 96, 120), (90, 140, 120), (170, 130, 90), (120, 110, 160))
SKIN: tuple[RGB, ...] = ((252, 218, 190), (236, 190, 150), (200, 150, 110), (150, 104, 74), (110, 74, 54))
HAIR: tuple[RGB, ...] = ((90, 60, 44), (40, 32, 36), (220, 170, 90), (180, 90, 50), (130, 86, 60))
GREY_HAIR: tuple[RGB, ...] = ((214, 214, 222), (186, 186, 196), (240, 238, 236))
HAIR_WORDS: dict[str, RGB] = {
    "blonde": (232, 196, 110),
    "blond": (232, 196, 110),
    "fair": (232, 196, 110),
    "golden": (232, 196, 110),
    "ginger": (200, 100, 50),
    "red": (190, 80, 50),
    "auburn": (160, 74, 46),
    "brown": (120, 80, 54),
    "dark": (44, 34, 36),
    "black": (36, 30, 34),
    "grey": GREY_HAIR[0],
    "gray": GREY_HAIR[0],
    "white": GREY_HAIR[2],
    "silver": GREY_HAIR[1],
}
_HAIR = re.compile(r"\b(" + "|".join(HAIR_WORDS) + r")[- ]hair(?:ed)?\b|\b(blonde?|ginger)\b")

# Things worn, drawn as themselves in their own colour; the word that names each in a description.
WORN: dict[str, frozenset[str]] = {
    "scarf": frozenset({"scarf", "scarves"}),
    "hat": frozenset({"hat", "beanie", "beret", "bonnet", "helmet"}),
    "cap": frozenset({"cap"}),
    "cast": frozenset({"cast", "plaster", "sling", "bandage"}),
    "mittens": frozenset({"mittens", "gloves", "mitts"}),
    "boots": frozenset({"boots", "wellies", "wellingtons", "wellington"}),
}
WORN_COLOURS: dict[str, RGB] = {
    "scarf": (220, 90, 90),
    "hat": (110, 150, 210),
    "cap": (120, 110, 96),
    "cast": (248, 248, 244),
    "mittens": (220, 90, 90),
    "boots": (240, 200, 80),
}


@dataclass(frozen=True)
class Figure:
    """One character as the page draws them."""

    kind: str  # the drawer: "girl", "parent", "dog", "creature"...
    scale: float  # height beside a default child (1.1 for one of no stated age)
    colour: RGB  # fur, feathers, or the clothes or pyjamas
    style: str = ""  # "girl" or "boy" for people: hair and clothes
    skin: RGB = SKIN[0]
    hair: RGB = HAIR[0]
    worn: dict[str, RGB] = field(default_factory=dict)  # "scarf" -> its colour


def cast_figures(characters: Sequence[Character]) -> list[Figure]:
    """Each character's figure; the family's people share one skin and hair colour unless described otherwise.

    The colours follow the family's children, who are in every night's cast, so a grandparent joining one
    night does not change the children's looks."""
    people = [c for c in characters if character_kind(c) in PEOPLE]
    children = [c for c in people if character_kind(c) in CHILD_KINDS]
    family = random.Random(seed("family", *sorted(c.id for c in children or people)))
    skin = family.choice(SKIN)
    hair = family.choice([h for h in HAIR if sum(abs(a - b) for a, b in zip(h, skin, strict=True)) > 100])
    return [figure_of(character, skin, hair) for character in characters]


def figure_of(character: Character, skin: RGB = SKIN[0], hair: RGB = HAIR[0]) -> Figure:
    """The figure for one character, given the family's skin and hair."""
    kind = character_kind(character)
    kin = read_kin(f"{character.name}, {character.description}")
    look = random.Random(seed(character.id, character.name))
    worn = _worn(character.description)
    colour = _colour(kind, _unworn(character.description), look)
    if kind not in PEOPLE:
        return Figure(kind, KIND_SCALE.get(kind, 1.0), colour, worn=worn)
    style = kind if kind in ("girl", "boy") else _style(kin, look)
    described = _described_hair(character.description)
    if described is None:
        described = look.choice(GREY_HAIR) if kind == "grandparent" else hair
    kind = "child" if kind in CHILD_KINDS else kind
    return Figure(kind, _stature(kind, kin), colour, style, skin, described, worn)


def _stature(kind: str, kin: Kin) -> float:
    """Grown-ups tower; a child grows about a fourteenth of a figure a year; a baby is small."""
    if kind in GROWN_UPS:
        return KIND_SCALE[kind]
    if kin.relation == BABY or (kin.age is not None and kin.age < 2):
        return BABY_SCALE
    if kin.age is None:
        return CHILD_SCALE
    return 0.7 + 0.07 * min(kin.age, 11)


def _style(kin: Kin, look: random.Random) -> str:
    return {"she": "girl", "he": "boy"}.get(kin.subject) or look.choice(("girl", "boy"))


def _worn_phrases(description: str) -> list[tuple[str, str]]:
    """(thing, phrase) for each worn thing the description names: ("scarf", "red scarf")."""
    found: list[tuple[str, str]] = []
    for phrase in read_person(description).items:
        noun = phrase.split()[-1]
        thing = next((thing for thing, names in WORN.items() if noun in names), None)
        if thing is not None:
            found.append((thing, phrase))
    return found


def _worn(description: str) -> dict[str, RGB]:
    worn: dict[str, RGB] = {}
    for thing, phrase in _worn_phrases(description):
        colour = next((COLOUR_WORDS[word] for word in phrase.split() if word in COLOUR_WORDS), WORN_COLOURS[thing])
        worn.setdefault(thing, colour)
    return worn


def _unworn(description: str) -> str:
    """The description without its worn things: "a girl with a red scarf" must not dye the girl red."""
    text = description.lower()
    for _, phrase in _worn_phrases(description):
        text = text.replace(phrase, " ")
    return re.sub(r"\b\w+[- ]hair(?:ed)?\b", " ", text)  # "red hair" is hair, not clothes


def _colour(kind: str, text: str, look: random.Random) -> RGB:
    """A colour named in the description wins; otherwise the kind's colour, nudged per character."""
    for word in words_in(text):
        if word in COLOUR_WORDS and word not in NATURAL.get(kind, ()):
            return COLOUR_WORDS[word]
    if kind in CHILD_KINDS:
        return look.choice(PAJAMAS)
    if kind in GROWN_UPS:
        return look.choice(CLOTHES)
    base = FUR.get(kind, FUR["creature"])
    if kind == "creature":
        base = look.choice(((196, 170, 226), (160, 210, 220), (246, 190, 170), (200, 220, 150)))
    jitter = look.uniform(-0.08, 0.08)
    return mix(base, (255, 255, 255) if jitter > 0 else (0, 0, 0), abs(jitter))


def _described_hair(description: str) -> RGB | None:
    match = _HAIR.search(description.lower())
    if match is None:
        return None
    return HAIR_WORDS[match.group(1) or match.group(2)]
