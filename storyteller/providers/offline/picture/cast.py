"""The cast on the page: where each figure stands, how big, in what colour, and who draws it."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from PIL import ImageDraw

from storyteller.models import Character
from storyteller.providers.offline.picture.animals import bear, cat, dog, fox, mouse, panda, rabbit
from storyteller.providers.offline.picture.canvas import CANVAS, RGB, mix, seed
from storyteller.providers.offline.picture.creatures import crab, creature, dragon, frog, owl, penguin, robot
from storyteller.providers.offline.picture.details import draw_details
from storyteller.providers.offline.picture.kinds import character_kind, words_in
from storyteller.providers.offline.picture.labels import draw_label
from storyteller.providers.offline.picture.pen import Pen
from storyteller.providers.offline.picture.people import PAJAMAS, boy, child, girl

# The foreground has room for this many figures before they overlap into a crowd.
MAX_CAST = 4

FUR: dict[str, RGB] = {
    "fox": (236, 132, 66),
    "rabbit": (232, 222, 214),
    "owl": (170, 124, 92),
    "panda": (246, 244, 240),
    "bear": (170, 116, 78),
    "cat": (150, 150, 170),
    "dog": (222, 178, 120),
    "mouse": (180, 176, 190),
    "dragon": (128, 196, 132),
    "robot": (176, 196, 214),
    "crab": (236, 104, 84),
    "frog": (134, 200, 112),
    "penguin": (70, 78, 110),
    "creature": (196, 170, 226),
}

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

KIND_SCALE: dict[str, float] = {
    "mouse": 0.8,
    "owl": 0.9,
    "crab": 0.72,
    "frog": 0.78,
    "bear": 1.08,
    "dragon": 1.1,
    "girl": 1.1,
    "boy": 1.1,
    "child": 1.1,
    "robot": 1.05,
    "rabbit": 0.95,
}

DRAWERS: dict[str, Callable[[Pen, RGB, random.Random], None]] = {
    "fox": fox,
    "rabbit": rabbit,
    "owl": owl,
    "bear": bear,
    "panda": panda,
    "cat": cat,
    "dog": dog,
    "mouse": mouse,
    "dragon": dragon,
    "robot": robot,
    "girl": girl,
    "boy": boy,
    "child": child,
    "crab": crab,
    "frog": frog,
    "penguin": penguin,
}


def draw_cast(
    draw: ImageDraw.ImageDraw,
    characters: Sequence[Character],
    title: str,
    scene_id: str,
    labels: bool,
    span: tuple[float, float] | None = None,
    facing: float = 0.5,
) -> None:
    """Spread the cast over `span` of the page's width (the foreground by default), each facing `facing`."""
    count = len(characters)
    if not count:
        return
    height = CANVAS * (0.3 if count <= 2 else 0.25 if count == 3 else 0.21)
    width = 0.62 if count == 2 else 0.76
    left, right = span or (0.5 - width / 2, 0.5 + width / 2)
    for index, character in enumerate(characters):
        rng = random.Random(seed(title, scene_id, character.id, str(index)))
        slot = (index + 0.5) / count
        x = CANVAS * (left + slot * (right - left))
        x += rng.uniform(-0.02, 0.02) * CANVAS
        base = CANVAS * (0.9 + rng.uniform(-0.015, 0.015) + (0.02 if index % 2 else 0))
        kind = character_kind(character)
        size = height * KIND_SCALE.get(kind, 1.0)
        draw.ellipse((x - size * 0.3, base - size * 0.05, x + size * 0.3, base + size * 0.04), fill=(30, 24, 60, 70))
        pen = Pen(draw, x, base, size / 100, flip=x > CANVAS * facing)
        look = random.Random(seed(character.id, character.name))
        DRAWERS.get(kind, creature)(pen, _fur(kind, character, look), look)
        draw_details(draw, pen, kind, character)
        if labels:
            draw_label(draw, character.name, x, base + size * 0.07)


def _fur(kind: str, character: Character, look: random.Random) -> RGB:
    """A colour named in the description wins; otherwise the kind's colour, nudged per character."""
    for word in words_in(character.description):
        if word in COLOUR_WORDS and word not in NATURAL.get(kind, ()):
            return COLOUR_WORDS[word]
    base = FUR.get(kind, FUR["creature"])
    if kind in ("girl", "boy", "child"):
        return look.choice(PAJAMAS)
    if kind == "creature":
        base = look.choice(((196, 170, 226), (160, 210, 220), (246, 190, 170), (200, 220, 150)))
    jitter = look.uniform(-0.08, 0.08)
    return mix(base, (255, 255, 255) if jitter > 0 else (0, 0, 0), abs(jitter))
