"""Family pets the other figures do not cover: a bird, a fish in its bowl, a horse, a hamster and a tortoise."""

from __future__ import annotations

import random

from storyteller.providers.offline.picture.canvas import INK, RGB, line_of, mix, shade
from storyteller.providers.offline.picture.pen import Pen, cheeks, eyes, smile
from storyteller.providers.offline.picture.shapes import ellipse_points

BEAK: RGB = (246, 196, 90)


def _eye(pen: Pen, x: float, y: float, r: float) -> None:
    """One eye, for a face seen from the side."""
    pen.oval(x, y, r, r * 1.2, INK)
    pen.oval(x - r * 0.3, y - r * 0.45, r * 0.38, r * 0.38, (255, 255, 255))


def bird(pen: Pen, fur: RGB, look: random.Random) -> None:
    """A parrot-ish bird from the side: a long tail, a folded wing, a hooked beak and a pale face."""
    pen.shape([(2, -32), (22, -2), (14, 0), (-4, -26)], shade(fur, 0.75))
    for side in (-1, 1):
        pen.line([(side * 5, -12), (side * 5, -2), (side * 5 - 4, 0)], (110, 96, 90), 1.6)
    pen.blob(0, -36, 18, 25, fur)
    pen.oval(-3, -30, 10, 15, mix(fur, (255, 240, 150), 0.45))
    pen.shape(ellipse_points(9, -38, 7, 17, -14), shade(fur, 0.8))
    for dx in (-2, 3, 8):
        pen.shape([(dx, -76), (dx + 4, -90), (dx + 7, -76)], fur)
    pen.blob(0, -66, 16, 15, fur)
    pen.oval(-6, -66, 8, 8, (250, 250, 246))
    pen.shape([(-12, -70), (-24, -64), (-16, -56), (-11, -61)], BEAK)
    _eye(pen, -7, -68, 2.8)
    cheeks(pen, -60, 4, 3)


def fish(pen: Pen, fur: RGB, look: random.Random) -> None:
    """A goldfish in a round bowl of water: a fish cannot stand on a floor."""
    glass: RGB = (200, 228, 255)
    pen.oval(0, -40, 36, 38, (*glass, 60))
    pen.draw.chord(pen.box(0, -40, 36, 38), 20, 160, fill=(110, 170, 230, 120))
    pen.draw.chord(pen.box(0, -40, 36, 38), 0, 180, fill=(90, 150, 220, 90))
    pen.shape([(14, -42), (30, -54), (28, -30)], shade(fur, 0.85))
    pen.blob(0, -42, 17, 11, fur)
    pen.shape([(-2, -52), (6, -60), (10, -51)], shade(fur, 0.85))
    _eye(pen, -9, -44, 2.6)
    pen.arc(-13, -40, 2.5, 1.6, 20, 160, INK, 0.7)
    for dx, dy, r in ((-18, -58, 2.6), (-22, -66, 2), (-17, -72, 1.6)):
        pen.arc(dx, dy, r, r, 0, 360, (240, 250, 255), 0.6)
    pen.draw.ellipse(pen.box(0, -40, 36, 38), outline=(230, 244, 255), width=pen.width)
    pen.draw.ellipse(pen.box(0, -77, 18, 3.5), outline=(230, 244, 255), width=pen.width)
    pen.arc(-18, -52, 12, 16, 190, 250, (255, 255, 255), 1.2)  # the glass's shine


def horse(pen: Pen, fur: RGB, look: random.Random) -> None:
    """A pony from the side: four legs with hooves, a long neck and face, a mane and a tail."""
    mane = shade(fur, 0.45)
    hoof: RGB = (70, 60, 70)
    pen.stroke([(30, -52), (40, -40), (42, -22)], mane, 5)
    for x in (-20, -11, 14, 23):
        leg = fur if x in (-20, 14) else shade(fur, 0.85)
        pen.shape([(x - 3, -44), (x + 3, -44), (x + 3, -5), (x - 3, -5)], leg)
        pen.blob(x, -3.5, 4, 3, hoof)
    pen.blob(2, -50, 32, 16, fur)
    pen.shape([(-16, -56), (-30, -86), (-16, -92), (-4, -60)], fur)
    pen.shape(ellipse_points(-32, -84, 8, 15, -55), fur)
    pen.oval(-42, -78, 6, 5, mix(fur, (255, 236, 220), 0.4))
    pen.oval(-45, -79, 1.2, 1.2, INK)
    pen.shape([(-22, -96), (-18, -108), (-14, -95)], fur)
    for i in range(5):
        pen.oval(-12 - i * 3, -58 - i * 7, 4, 5, mane)
    _eye(pen, -30, -88, 2.2)
    pen.arc(-40, -73, 3, 2, 20, 160, INK, 0.6)


def hamster(pen: Pen, fur: RGB, look: random.Random) -> None:
    """Round as a ball, small round ears, puffed cheeks and tiny paws."""
    cream = mix(fur, (255, 250, 240), 0.6)
    for side in (-1, 1):
        pen.blob(side * 12, -4, 6, 3.5, (246, 180, 180))
        pen.blob(side * 22, -72, 8, 8, fur)
        pen.oval(side * 22, -72, 4.5, 4.5, (246, 180, 190))
    pen.blob(0, -40, 34, 38, fur)
    pen.oval(0, -30, 22, 24, cream)
    for side in (-1, 1):
        pen.blob(side * 18, -46, 10, 9, cream)
        pen.blob(side * 9, -30, 4, 3.5, (246, 180, 180))
    eyes(pen, -56, 10, 3.4)
    pen.oval(0, -49, 3, 2.4, (240, 140, 160))
    smile(pen, -45, 3)
    cheeks(pen, -48, 20, 4)


def tortoise(pen: Pen, fur: RGB, look: random.Random) -> None:
    """A domed, patterned shell on four stubby legs, head out and smiling."""
    skin = mix(fur, (180, 200, 120), 0.5)
    shell = fur
    for x in (-22, -8, 10, 24):
        pen.blob(x, -8, 7, 8, skin)
    pen.blob(-38, -26, 11, 9, skin)
    pen.draw.chord(pen.box(0, -12, 34, 34), 180, 360, fill=shell, outline=line_of(shell), width=pen.width)
    plate = shade(shell, 0.8)
    for dx, dy in ((-16, -22), (0, -30), (16, -22), (-8, -38), (8, -38)):
        pen.draw.regular_polygon((*pen.point(dx, dy), 6 * pen.u), 6, fill=plate, outline=line_of(shell))
    pen.shape([(-34, -12), (34, -12), (32, -8), (-32, -8)], mix(shell, (240, 220, 160), 0.5))
    _eye(pen, -41, -28, 2.2)
    pen.arc(-44, -24, 3, 2, 20, 160, INK, 0.6)
