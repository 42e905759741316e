"""Children in pyjamas: the figure for a girl, a boy or a child."""

from __future__ import annotations

import random

from storyteller.providers.offline.picture.canvas import RGB, line_of, mix
from storyteller.providers.offline.picture.pen import Pen, cheeks, eyes, smile
from storyteller.providers.offline.picture.shapes import ellipse_points

PAJAMAS: tuple[RGB, ...] = ((132, 170, 230), (236, 150, 170), (170, 140, 220), (120, 196, 170), (244, 190, 110))
SKIN: tuple[RGB, ...] = ((252, 218, 190), (236, 190, 150), (200, 150, 110), (150, 104, 74), (110, 74, 54))
HAIR: tuple[RGB, ...] = ((90, 60, 44), (40, 32, 36), (220, 170, 90), (180, 90, 50), (130, 86, 60))


def child(pen: Pen, fur: RGB, look: random.Random, style: str = "child") -> None:
    """A child in pyjamas, ready for bed; hair style follows 'girl' or 'boy' when given."""
    skin = look.choice(SKIN)
    hair = look.choice([h for h in HAIR if sum(abs(a - b) for a, b in zip(h, skin, strict=True)) > 100])
    if style == "child":
        style = look.choice(("girl", "boy"))
    girl = style == "girl"
    if girl:
        for side in (-1, 1):
            pen.shape(ellipse_points(side * 30, -76, 7, 12, side * -35), hair)
        pen.blob(0, -62, 30, 27, hair)
        pen.shape([(-30, -62), (30, -62), (27, -40), (-27, -40)], hair)
    for side in (-1, 1):
        pen.blob(side * 9, -4, 9, 5.5, mix(fur, (255, 255, 255), 0.5))
        pen.shape([(side * 2, -20), (side * 15, -20), (side * 14, -6), (side * 3, -6)], fur)
    hem = 20 if girl else 17
    pen.shape([(-hem, -16), (-14, -50), (14, -50), (hem, -16)], fur)
    for dx, dy in ((-8, -38), (6, -30), (-4, -22), (9, -44)):
        pen.oval(dx, dy, 2.2, 2.2, (255, 255, 255, 170))
    for side in (-1, 1):
        pen.shape(ellipse_points(side * 19, -38, 5.5, 12, side * -18), fur)
        pen.blob(side * 22, -26, 4.5, 4.5, skin)
    pen.blob(0, -68, 25, 24, skin)
    line = line_of(hair)
    pen.draw.chord(pen.box(0, -74, 26.2, 20), 180, 360, fill=hair, outline=line, width=pen.width)
    for dx in (-18, -6, 6, 18):
        pen.oval(dx, -75, 7.5, 5, hair)
        pen.arc(dx, -75, 7.5, 5, 10, 170, line, 1.0)
    if girl:
        bow: RGB = (240, 120, 150)
        pen.shape([(14, -90), (26, -98), (26, -84)], bow)
        pen.shape([(14, -90), (2, -98), (2, -84)], bow)
        pen.blob(14, -90, 3, 3, bow)
    else:
        pen.stroke([(-2, -92), (4, -100), (10, -98)], hair, 3)
    eyes(pen, -62, 9, 3.2)
    smile(pen, -54, 4)
    cheeks(pen, -56, 15, 4.5)


def girl(pen: Pen, fur: RGB, look: random.Random) -> None:
    """A child with long hair and a bow."""
    child(pen, fur, look, "girl")


def boy(pen: Pen, fur: RGB, look: random.Random) -> None:
    """A child with short hair and a curl on top."""
    child(pen, fur, look, "boy")
