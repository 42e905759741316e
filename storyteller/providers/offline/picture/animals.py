"""Furry figures: fox, rabbit, bear, panda, cat, dog and mouse."""

from __future__ import annotations

import random

from storyteller.providers.offline.picture.canvas import INK, RGB, line_of, mix, shade
from storyteller.providers.offline.picture.pen import Pen, arms, cheeks, eyes, feet, smile
from storyteller.providers.offline.picture.shapes import ellipse_points


def fox(pen: Pen, fur: RGB, look: random.Random) -> None:
    """Pointed ears, white muzzle and a bushy white-tipped tail."""
    cream: RGB = (252, 244, 232)
    dark = shade(fur, 0.55)
    tail = ellipse_points(30, -26, 26, 12, -40)
    pen.shape(tail, cream, False)
    pen.shape(ellipse_points(30 - 8 * 0.766, -26 + 8 * 0.643, 18, 12.2, -40), fur, False)
    pen.outline(tail, fur)
    feet(pen, dark)
    pen.blob(0, -28, 22, 24, fur)
    pen.oval(0, -24, 12, 15, cream)
    arms(pen, dark)
    for side in (-1, 1):
        pen.shape([(side * 28, -70), (side * 22, -104), (side * 6, -86)], fur)
        pen.shape([(side * 23, -76), (side * 21, -96), (side * 11, -86)], (250, 200, 190), False)
    pen.blob(0, -64, 30, 25, fur)
    for side in (-1, 1):
        pen.oval(side * 11, -55, 14, 10, cream)
    eyes(pen, -68, 11)
    pen.oval(0, -60, 4, 3, INK)
    smile(pen, -56)
    cheeks(pen, -58, 20)


def rabbit(pen: Pen, fur: RGB, look: random.Random) -> None:
    """Long ears with pink insides and a cotton tail peeking out."""
    pink: RGB = (248, 180, 190)
    pen.blob(22, -18, 9, 9, (250, 250, 250))
    feet(pen, fur, 12, 11)
    pen.blob(0, -25, 22, 23, fur)
    pen.oval(0, -22, 13, 14, mix(fur, (255, 255, 255), 0.5))
    arms(pen, fur, -30, 18)
    droop = look.choice((0, 25))
    for side in (-1, 1):
        tilt = side * 10 + (droop if side == 1 else 0)
        pen.shape(ellipse_points(side * 11, -98, 8, 24, tilt), fur)
        pen.shape(ellipse_points(side * 11, -96, 4, 17, tilt), pink, False)
    pen.blob(0, -60, 27, 24, fur)
    eyes(pen, -63, 10)
    pen.shape([(-3, -57), (3, -57), (0, -54)], pink, False)
    pen.shape([(-2.5, -52), (2.5, -52), (2.5, -48), (-2.5, -48)], (255, 255, 255))
    smile(pen, -51)
    cheeks(pen, -55, 17)


def bear(pen: Pen, fur: RGB, look: random.Random, panda: bool = False) -> None:
    """Round ears and a pale muzzle; a panda is the same bear with black patches."""
    patch = (70, 66, 84) if panda else mix(fur, (255, 240, 220), 0.45)
    limbs = (70, 66, 84) if panda else fur
    feet(pen, limbs, 12, 10)
    pen.blob(0, -27, 25, 26, fur)
    pen.oval(0, -23, 14, 15, mix(fur, (255, 240, 220), 0.4) if not panda else fur)
    arms(pen, limbs, -33, 22)
    for side in (-1, 1):
        pen.blob(side * 21, -84, 9, 9, limbs)
        pen.oval(side * 21, -84, 4.5, 4.5, mix(limbs, (255, 200, 200), 0.35))
    pen.blob(0, -62, 30, 26, fur)
    if panda:
        for side in (-1, 1):
            pen.shape(ellipse_points(side * 11, -65, 7, 9, side * 30), patch, False)
    else:
        pen.oval(0, -54, 13, 9, patch)
    eyes(pen, -66, 11, 3.4)
    pen.oval(0, -58, 4.5, 3.2, INK)
    smile(pen, -54)
    cheeks(pen, -57, 20)


def panda(pen: Pen, fur: RGB, look: random.Random) -> None:
    """A bear with black patches."""
    bear(pen, fur, look, panda=True)


def cat(pen: Pen, fur: RGB, look: random.Random) -> None:
    """Triangle ears, whiskers and a curling tail; tigers get stripes."""
    pen.stroke([(16, -12), (30, -18), (38, -34), (34, -50), (40, -58)], fur, 7)
    feet(pen, fur, 10, 8)
    pen.blob(0, -26, 20, 23, fur)
    pen.oval(0, -22, 11, 14, mix(fur, (255, 255, 255), 0.5))
    arms(pen, fur, -30, 17)
    for side in (-1, 1):
        pen.shape([(side * 28, -66), (side * 24, -96), (side * 6, -82)], fur)
        pen.shape([(side * 23, -72), (side * 22, -89), (side * 12, -81)], (250, 190, 200), False)
    pen.blob(0, -62, 29, 24, fur)
    stripes = shade(fur, 0.6)
    for dx in (-6, 0, 6):
        pen.line([(dx, -85), (dx, -77)], stripes, 2)
    eyes(pen, -64, 11, 3.8)
    pen.shape([(-3, -58), (3, -58), (0, -55)], (240, 140, 160), False)
    smile(pen, -54)
    for side in (-1, 1):
        for dy in (-3, 2):
            pen.line([(side * 16, -56 + dy / 2), (side * 36, -58 + dy * 2)], line_of(fur), 0.6)


def dog(pen: Pen, fur: RGB, look: random.Random) -> None:
    """Floppy ears, a big nose, a patch over one eye and a little tongue."""
    ear = shade(fur, 0.7)
    pen.stroke([(18, -20), (28, -30), (32, -44)], fur, 6)
    feet(pen, fur, 11, 9)
    pen.blob(0, -27, 22, 24, fur)
    pen.oval(0, -23, 12, 15, mix(fur, (255, 255, 255), 0.55))
    arms(pen, fur, -31, 19)
    pen.blob(0, -62, 29, 25, fur)
    pen.oval(11, -68, 8, 8, ear)
    for side in (-1, 1):
        pen.shape(ellipse_points(side * 28, -62, 8, 18, side * -18), ear)
    pen.oval(0, -54, 14, 10, mix(fur, (255, 255, 255), 0.6))
    eyes(pen, -67, 11)
    pen.oval(0, -59, 5, 3.8, INK)
    pen.oval(0, -50, 3, 3.5, (240, 120, 140))
    smile(pen, -53)
    cheeks(pen, -56, 20)


def mouse(pen: Pen, fur: RGB, look: random.Random) -> None:
    """Big round ears and a thin pink tail."""
    pink: RGB = (246, 176, 190)
    pen.stroke([(16, -8), (32, -6), (42, -18), (40, -32), (48, -40)], pink, 2.2)
    feet(pen, pink, 9, 7)
    pen.blob(0, -24, 19, 21, fur)
    pen.oval(0, -21, 11, 13, mix(fur, (255, 255, 255), 0.5))
    arms(pen, fur, -28, 16)
    for side in (-1, 1):
        pen.blob(side * 22, -82, 15, 15, fur)
        pen.oval(side * 22, -82, 9, 9, pink)
    pen.blob(0, -60, 25, 22, fur)
    eyes(pen, -62, 10, 3.4)
    pen.oval(0, -55, 3.4, 2.8, pink)
    smile(pen, -51, 3.4)
    cheeks(pen, -54, 16)
    for side in (-1, 1):
        pen.line([(side * 8, -55), (side * 24, -58)], line_of(fur), 0.5)
