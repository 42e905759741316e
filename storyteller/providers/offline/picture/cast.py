"""The cast on the page: where each figure stands, how big, in what colour, and who draws it."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from PIL import ImageDraw

from storyteller.models import Character
from storyteller.providers.offline.picture.animals import bear, cat, dog, fox, mouse, panda, rabbit
from storyteller.providers.offline.picture.canvas import CANVAS, RGB, seed
from storyteller.providers.offline.picture.creatures import crab, creature, dragon, frog, owl, penguin, robot
from storyteller.providers.offline.picture.details import draw_details
from storyteller.providers.offline.picture.figures import Figure, cast_figures
from storyteller.providers.offline.picture.labels import draw_label
from storyteller.providers.offline.picture.pen import Pen
from storyteller.providers.offline.picture.people import child, grown_up
from storyteller.providers.offline.picture.pets import bird, fish, hamster, horse, tortoise

# The foreground has room for this many figures before they overlap into a crowd.
MAX_CAST = 4

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
    "bird": bird,
    "fish": fish,
    "horse": horse,
    "hamster": hamster,
    "tortoise": tortoise,
    "crab": crab,
    "frog": frog,
    "penguin": penguin,
}
PEOPLE_DRAWERS: dict[str, Callable[[Pen, Figure], None]] = {
    "child": child,
    "parent": grown_up,
    "grandparent": grown_up,
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
    figures = cast_figures(characters)
    # A grown-up stands about one and a half times a child: the page's figure height leaves them room.
    tallest = max(figure.scale for figure in figures)
    height = CANVAS * (0.3 if count <= 2 else 0.25 if count == 3 else 0.21) * min(1.0, 1.4 / tallest)
    width = 0.62 if count == 2 else 0.76
    left, right = span or (0.5 - width / 2, 0.5 + width / 2)
    for index, character in enumerate(characters):
        rng = random.Random(seed(title, scene_id, character.id, str(index)))
        slot = (index + 0.5) / count
        x = CANVAS * (left + slot * (right - left))
        x += rng.uniform(-0.02, 0.02) * CANVAS
        base = CANVAS * (0.9 + rng.uniform(-0.015, 0.015) + (0.02 if index % 2 else 0))
        figure = figures[index]
        size = height * figure.scale
        draw.ellipse((x - size * 0.3, base - size * 0.05, x + size * 0.3, base + size * 0.04), fill=(30, 24, 60, 70))
        pen = Pen(draw, x, base, size / 100, flip=x > CANVAS * facing)
        if figure.kind in PEOPLE_DRAWERS:
            PEOPLE_DRAWERS[figure.kind](pen, figure)
        else:
            DRAWERS.get(figure.kind, creature)(pen, figure.colour, random.Random(seed(character.id, character.name)))
        draw_details(draw, pen, figure, character)
        if labels:
            draw_label(draw, character.name, x, base + size * 0.07)
