"""The middle distance along the hills: a castle, pines, round trees and cottages."""

from __future__ import annotations

import random

from PIL import ImageDraw

from storyteller.providers.offline.picture.canvas import CANVAS, RGB, WARM_LIGHT, Point, line_of, shade
from storyteller.providers.offline.picture.shapes import ridge_height
from storyteller.providers.offline.picture.water import on_river


def castle(draw: ImageDraw.ImageDraw, rng: random.Random, x: float, base: float) -> None:
    """A fairy-tale castle on the far hill: towers, pointed roofs, lit windows, flags."""
    wall: RGB = (176, 164, 214)
    roof = rng.choice(((214, 110, 140), (110, 130, 210), (150, 110, 200)))
    outline = line_of(wall)
    s = CANVAS * 0.00056
    draw.rectangle((x - 150 * s, base - 190 * s, x + 150 * s, base + 30), fill=wall, outline=outline, width=5)
    for i in range(7):
        cx = x - 150 * s + i * 50 * s
        draw.rectangle((cx, base - 214 * s, cx + 26 * s, base - 190 * s), fill=wall, outline=outline, width=4)
    for dx, h, w in ((-170, 300, 60), (170, 300, 60), (0, 380, 70)):
        left, right = x + (dx - w) * s, x + (dx + w) * s
        top = base - h * s
        draw.rectangle((left, top, right, base + 30), fill=wall, outline=outline, width=5)
        draw.polygon(
            [(left - 14 * s, top), (x + dx * s, top - 150 * s), (right + 14 * s, top)],
            fill=roof,
            outline=line_of(roof),
            width=5,
        )
        fx, fy = x + dx * s, top - 150 * s
        draw.line([(fx, fy), (fx, fy - 60 * s)], fill=outline, width=4)
        draw.polygon([(fx, fy - 60 * s), (fx + 44 * s, fy - 48 * s), (fx, fy - 36 * s)], fill=(250, 214, 120))
        draw.rounded_rectangle(
            (x + (dx - 16) * s, top + 50 * s, x + (dx + 16) * s, top + 100 * s), radius=14 * s, fill=WARM_LIGHT
        )
    draw.chord((x - 40 * s, base - 110 * s, x + 40 * s, base + 10 * s), 180, 360, fill=(90, 70, 100))
    draw.rectangle((x - 40 * s, base - 50 * s, x + 40 * s, base + 30), fill=(90, 70, 100))


def treeline(draw: ImageDraw.ImageDraw, rng: random.Random, ridge: list[Point], snow: bool) -> None:
    """Rows of small pines along the hill, so a forest fills the middle distance."""
    for row, colour in enumerate(((60, 96, 120), (46, 84, 104))):
        x = rng.uniform(-40, 0)
        while x < CANVAS + 40:
            h = rng.uniform(0.1, 0.16) * CANVAS * (1 + row * 0.2)
            pine(draw, x, ridge_height(ridge, x) + 30 + row * 40, h, colour, snow)
            x += rng.uniform(50, 110)


def pine(draw: ImageDraw.ImageDraw, x: float, base: float, height: float, colour: RGB, snow: bool) -> None:
    """Three stacked tiers; snow caps each tier in winter scenes."""
    draw.rectangle((x - height * 0.04, base - height * 0.15, x + height * 0.04, base), fill=(96, 70, 70))
    for tier in range(3):
        bottom = base - height * (0.12 + tier * 0.24)
        half = height * (0.3 - tier * 0.07)
        top = bottom - height * 0.42
        draw.polygon(
            [(x - half, bottom), (x, top), (x + half, bottom)], fill=colour, outline=shade(colour, 0.7), width=3
        )
        if snow:
            draw.polygon(
                [(x - half * 0.45, top + height * 0.19), (x, top), (x + half * 0.45, top + height * 0.19)],
                fill=(236, 240, 252),
            )


def _round_tree(draw: ImageDraw.ImageDraw, x: float, base: float, height: float, colour: RGB, snow: bool) -> None:
    trunk: RGB = (120, 86, 80)
    draw.rectangle(
        (x - height * 0.05, base - height * 0.5, x + height * 0.05, base), fill=trunk, outline=line_of(trunk), width=4
    )
    r = height * 0.28
    for dx, dy in ((-0.5, 0.1), (0.5, 0.1), (0, -0.35)):
        cx, cy = x + dx * r, base - height * 0.62 + dy * r
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour, outline=line_of(colour), width=4)
        if snow:
            draw.chord((cx - r * 0.8, cy - r, cx + r * 0.8, cy - r * 0.1), 180, 360, fill=(236, 240, 252))


def round_trees(
    draw: ImageDraw.ImageDraw, rng: random.Random, ridge: list[Point], snow: bool, river: list[Point]
) -> None:
    """A few leafy trees along the hill, kept off the river."""
    for _ in range(rng.randint(3, 5)):
        x = rng.uniform(0.04, 0.96) * CANVAS
        if not on_river(river, x):
            _round_tree(
                draw,
                x,
                ridge_height(ridge, x) + 40,
                rng.uniform(0.1, 0.15) * CANVAS,
                rng.choice(((70, 124, 120), (84, 130, 110), (96, 118, 150))),
                snow,
            )


def village(draw: ImageDraw.ImageDraw, rng: random.Random, ridge: list[Point], snow: bool, river: list[Point]) -> None:
    """A handful of cottages with warm windows, the most comforting thing in a night scene."""
    for x in sorted(rng.uniform(0.06, 0.94) * CANVAS for _ in range(rng.randint(4, 6))):
        if not on_river(river, x):
            _house(draw, rng, x, ridge_height(ridge, x) + 50, rng.uniform(0.07, 0.1) * CANVAS, snow)


def _house(draw: ImageDraw.ImageDraw, rng: random.Random, x: float, base: float, w: float, snow: bool) -> None:
    wall = rng.choice(((236, 210, 180), (214, 190, 220), (200, 214, 236), (240, 196, 170)))
    roof = rng.choice(((190, 90, 100), (110, 100, 170), (150, 96, 90)))
    h = w * 0.8
    draw.rectangle((x + w * 0.2, base - h - w * 0.5, x + w * 0.32, base - h), fill=roof)
    draw.rectangle((x - w / 2, base - h, x + w / 2, base), fill=wall, outline=line_of(wall), width=4)
    draw.polygon(
        [(x - w * 0.62, base - h), (x, base - h - w * 0.55), (x + w * 0.62, base - h)],
        fill=(236, 240, 252) if snow else roof,
        outline=line_of(roof),
        width=4,
    )
    for wx in (x - w * 0.3, x + w * 0.1):
        draw.ellipse((wx - 16, base - h * 0.62 - 16, wx + w * 0.2 + 16, base - h * 0.3 + 16), fill=(255, 214, 120, 50))
        draw.rectangle(
            (wx, base - h * 0.62, wx + w * 0.2, base - h * 0.3), fill=WARM_LIGHT, outline=line_of(wall), width=3
        )
