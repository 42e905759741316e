"""The other figures that are not people: owl, dragon, robot, crab, frog, penguin and the default."""

from __future__ import annotations

import math
import random

from storyteller.providers.offline.picture.canvas import INK, RGB, line_of, mix, shade
from storyteller.providers.offline.picture.pen import Pen, arms, cheeks, eyes, feet, smile
from storyteller.providers.offline.picture.shapes import ellipse_points, smooth


def owl(pen: Pen, fur: RGB, look: random.Random) -> None:
    """An egg-shaped owl with huge eyes, ear tufts and folded wings."""
    orange: RGB = (246, 176, 90)
    pale = mix(fur, (255, 244, 226), 0.6)
    for side in (-1, 1):
        pen.blob(side * 10, -3, 7, 4, orange)
        pen.shape([(side * 30, -70), (side * 28, -94), (side * 14, -80)], fur)
    pen.blob(0, -44, 34, 42, fur)
    pen.oval(0, -30, 21, 24, pale)
    for row in range(3):
        for col in (-1, 0, 1):
            if row == 2 and col:
                continue
            pen.arc(col * 9, -38 + row * 9, 4, 3, 20, 160, shade(pale, 0.7), 0.8)
    for side in (-1, 1):
        pen.shape(ellipse_points(side * 32, -40, 9, 22, side * 12), shade(fur, 0.85))
        pen.oval(side * 13, -62, 13, 13, pale)
        pen.oval(side * 13, -62, 8, 8, (255, 255, 255))
    eyes(pen, -62, 13, 5.5)
    pen.shape([(-4, -55), (4, -55), (0, -48)], orange)


def dragon(pen: Pen, fur: RGB, look: random.Random) -> None:
    """Little wings, a spiky tail, soft horns and a striped belly: friendly, not fierce."""
    cream: RGB = (250, 234, 190)
    wing = shade(fur, 0.8)
    for side in (-1, 1):
        pen.shape(
            [
                (side * 12, -44),
                (side * 44, -74),
                (side * 40, -56),
                (side * 50, -50),
                (side * 36, -40),
                (side * 40, -32),
                (side * 16, -30),
            ],
            wing,
        )
    tail = smooth([(14, -14), (34, -6), (50, -10), (60, -22), (64, -30)])
    spike = (250, 190, 120) if look.random() < 0.5 else cream
    for i in range(4, len(tail) - 3, 5):
        (ax, ay), (bx, by) = tail[i - 1], tail[i + 1]
        length = math.hypot(bx - ax, by - ay) or 1.0
        tx, ty = (bx - ax) / length, (by - ay) / length
        x, y = tail[i]
        size = 13 - 5 * i / len(tail)
        pen.shape(
            [
                (x - tx * size * 0.6, y - ty * size * 0.6),
                (x + ty * size, y - tx * size),
                (x + tx * size * 0.6, y + ty * size * 0.6),
            ],
            spike,
        )
    pen.stroke(tail, fur, 9)
    feet(pen, fur, 12, 10)
    pen.blob(0, -28, 24, 26, fur)
    pen.oval(0, -24, 13, 17, cream)
    for dy in (-32, -24, -16):
        pen.line([(-10, dy), (10, dy)], shade(cream, 0.75), 0.7)
    arms(pen, fur, -34, 21)
    for side in (-1, 1):
        pen.shape([(side * 10, -84), (side * 18, -100), (side * 20, -82)], cream)
    pen.blob(0, -64, 29, 24, fur)
    pen.oval(0, -55, 15, 9, mix(fur, (255, 255, 255), 0.3))
    for side in (-1, 1):
        pen.oval(side * 5, -57, 1.6, 1.2, shade(fur, 0.5))
    eyes(pen, -68, 11, 4)
    smile(pen, -52)
    cheeks(pen, -58, 20)


def robot(pen: Pen, fur: RGB, look: random.Random) -> None:
    """Boxy but round-cornered, with a screen face and a glowing antenna."""
    glow = look.choice(((120, 230, 230), (250, 210, 110), (180, 240, 150)))
    dark = shade(fur, 0.6)
    line = line_of(fur)
    w = pen.width

    def box(x0: float, y0: float, x1: float, y1: float, fill: RGB, radius: float = 4) -> None:
        (ax, ay), (bx, by) = pen.point(x0, y0), pen.point(x1, y1)
        pen.draw.rounded_rectangle(
            (min(ax, bx), ay, max(ax, bx), by), radius=radius * pen.u, fill=fill, outline=line, width=w
        )

    for side in (-1, 1):
        box(side * 12 - 5, -16, side * 12 + 5, 0, dark, 2)
        box(side * 30 - 4, -46, side * 30 + 4, -22, dark, 3)
        pen.blob(side * 30, -20, 5, 5, fur)
    box(-24, -52, 24, -12, fur, 6)
    box(-14, -44, 14, -24, shade(fur, 0.88), 3)
    for i, colour in enumerate(((240, 120, 120), glow, (250, 210, 110))):
        pen.oval(-8 + i * 8, -34, 3, 3, colour)
    box(-5, -58, 5, -51, dark, 1)
    pen.line([(0, -90), (0, -100)], line, 1.4)
    for r in (9, 7, 5):
        pen.oval(0, -102, r, r, (*glow, 40))
    pen.oval(0, -102, 3.4, 3.4, glow)
    box(-26, -92, 26, -56, fur, 8)
    for side in (-1, 1):
        pen.blob(side * 28, -74, 4, 6, dark)
    box(-19, -86, 19, -62, (50, 56, 84), 5)
    for side in (-1, 1):
        pen.oval(side * 8, -76, 3.4, 4.2, glow)
    pen.arc(0, -72, 6, 4, 20, 160, glow, 1.2)


def crab(pen: Pen, fur: RGB, look: random.Random) -> None:
    """A wide shell, eyes on stalks and two raised claws."""
    line = line_of(fur)
    for side in (-1, 1):
        for i in range(3):
            pen.line(
                [(side * 24, -16 + i * 4), (side * (36 + i * 3), -10 + i * 4), (side * (40 + i * 3), 0)], line, 2.4
            )
        pen.stroke([(side * 26, -28), (side * 38, -40), (side * 40, -50)], fur, 4)
        claw = pen.box(side * 42, -58, 12, 12)
        # An open pincer: a disc with its top wedge (240-300 degrees, straight up) left out.
        pen.draw.pieslice(claw, 300, 240, fill=fur, outline=line, width=pen.width)
        pen.stroke([(side * 9, -36), (side * 11, -50)], fur, 2.5)
    pen.blob(0, -22, 32, 19, fur)
    for side in (-1, 1):
        pen.blob(side * 11, -54, 6, 6, (255, 255, 255))
        pen.oval(side * 11, -54, 3, 3.4, INK)
    smile(pen, -18, 6)
    cheeks(pen, -22, 18)


def frog(pen: Pen, fur: RGB, look: random.Random) -> None:
    """Wide head, eyes perched on top, a big grin."""
    for side in (-1, 1):
        pen.blob(side * 16, -4, 12, 5, fur)
    pen.blob(0, -24, 26, 22, fur)
    pen.oval(0, -20, 16, 14, mix(fur, (255, 250, 220), 0.55))
    pen.blob(0, -50, 33, 20, fur)
    for side in (-1, 1):
        pen.blob(side * 16, -68, 11, 11, fur)
        pen.oval(side * 16, -68, 7, 7, (255, 255, 255))
    eyes(pen, -68, 16, 4)
    pen.arc(0, -52, 14, 6, 20, 160, INK, 1.0)
    cheeks(pen, -46, 22)


def penguin(pen: Pen, fur: RGB, look: random.Random) -> None:
    """A tall oval with a white front, an orange beak and sometimes a bobble hat."""
    orange: RGB = (246, 170, 80)
    for side in (-1, 1):
        pen.blob(side * 10, -3, 8, 4, orange)
        pen.shape(ellipse_points(side * 28, -40, 7, 20, side * -20), fur)
    pen.blob(0, -44, 28, 42, fur)
    pen.oval(0, -36, 19, 32, (250, 250, 252))
    for side in (-1, 1):
        pen.oval(side * 9, -64, 10, 11, (250, 250, 252))
    eyes(pen, -64, 9)
    pen.shape([(-5, -56), (5, -56), (0, -49)], orange)
    cheeks(pen, -56, 16)
    if look.random() < 0.5:
        # A bobble hat for bed, tipped back so it does not cover the eyes.
        pen.shape([(-22, -80), (6, -112), (24, -78)], (220, 90, 100))
        pen.shape([(-24, -84), (24, -82), (24, -74), (-24, -76)], (250, 250, 252))
        pen.blob(6, -112, 5, 5, (255, 255, 255))


def creature(pen: Pen, fur: RGB, look: random.Random) -> None:
    """The default: a round, soft 'puffling' with stubby antennae, friendly whatever it is."""
    for side in (-1, 1):
        pen.stroke([(side * 12, -74), (side * 18, -92)], fur, 2.5)
        pen.blob(side * 18, -94, 5, 5, mix(fur, (255, 240, 180), 0.5))
    feet(pen, fur, 14, 9)
    pen.blob(0, -42, 34, 38, fur)
    pen.oval(0, -32, 20, 20, mix(fur, (255, 255, 255), 0.45))
    arms(pen, fur, -40, 32)
    eyes(pen, -52, 11, 4.4)
    smile(pen, -42, 5)
    cheeks(pen, -44, 21)
