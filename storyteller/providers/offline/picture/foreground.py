"""The ground the cast stands on with its close-up details, and the snow or fireflies in front."""

from __future__ import annotations

import math
import random

from PIL import ImageDraw

from storyteller.providers.offline.picture.canvas import CANVAS, INK, RGB, WARM_LIGHT, Point, line_of, shade
from storyteller.providers.offline.picture.hillside import pine
from storyteller.providers.offline.picture.shapes import ridge, ridge_height
from storyteller.providers.offline.picture.water import draw_river


def draw_ground(draw: ImageDraw.ImageDraw, rng: random.Random, kinds: set[str], river: list[Point]) -> None:
    """The foreground the cast stands on, and its small decorations."""
    if "snow" in kinds:
        colour: RGB = (214, 224, 248)
    elif "sea" in kinds:
        colour = (226, 200, 160)
    else:
        colour = (88, 140, 120)
    front = ridge(rng, CANVAS * 0.78, CANVAS * 0.025, 0.7)
    draw.polygon(front, fill=colour, outline=line_of(colour), width=5)
    lower = [(x, y + CANVAS * 0.1) for x, y in front[:-2]] + front[-2:]
    draw.polygon(lower, fill=shade(colour, 0.93))
    if river:
        draw_river(draw, river)
    if "sea" in kinds and "snow" not in kinds:
        _shore(draw, rng, front)
    if "forest" in kinds:
        _forest_frame(draw, rng, "snow" in kinds)
    if kinds & {"garden", "meadow", "castle"} and "snow" not in kinds:
        _flowers(draw, rng, front, many="garden" in kinds)
    if "garden" in kinds:
        _lanterns(draw, rng)
    if "snow" in kinds:
        _snowman(draw, rng)


def _shore(draw: ImageDraw.ImageDraw, rng: random.Random, front: list[Point]) -> None:
    """Foam along the sand's edge, then shells and a starfish to say 'beach' up close."""
    foam = [(x, y - 6) for x, y in front[:-2]]
    draw.line(foam, fill=(240, 246, 255), width=10, joint="curve")
    for _ in range(6):
        x, y = rng.uniform(0.05, 0.95) * CANVAS, rng.uniform(0.84, 0.97) * CANVAS
        if rng.random() < 0.4:
            _starfish(draw, x, y, rng.uniform(26, 38))
        else:
            r = rng.uniform(14, 22)
            shell: RGB = (250, 226, 220)
            draw.pieslice((x - r, y - r, x + r, y + r), 180, 360, fill=shell, outline=line_of(shell), width=3)


def _starfish(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    points: list[Point] = []
    for i in range(10):
        a = math.radians(-90 + i * 36)
        rr = r if i % 2 == 0 else r * 0.45
        points.append((x + math.cos(a) * rr, y + math.sin(a) * rr))
    colour: RGB = (244, 150, 110)
    draw.polygon(points, fill=colour, outline=line_of(colour), width=3)


def _forest_frame(draw: ImageDraw.ImageDraw, rng: random.Random, snow: bool) -> None:
    """Big trees at the edges frame the page like a clearing; mushrooms sit at their feet."""
    colour: RGB = (52, 110, 100)
    pine(draw, CANVAS * rng.uniform(0.02, 0.07), CANVAS * 0.86, CANVAS * 0.5, colour, snow)
    pine(draw, CANVAS * rng.uniform(0.93, 0.98), CANVAS * 0.84, CANVAS * 0.46, colour, snow)
    for _ in range(4):
        x = rng.choice((rng.uniform(0.1, 0.2), rng.uniform(0.8, 0.9))) * CANVAS
        y = rng.uniform(0.84, 0.95) * CANVAS
        if not snow:
            _mushroom(draw, x, y, rng.uniform(24, 36))


def _mushroom(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    stem: RGB = (240, 230, 214)
    cap: RGB = (222, 90, 90)
    draw.rounded_rectangle(
        (x - r * 0.35, y - r, x + r * 0.35, y), radius=r * 0.2, fill=stem, outline=line_of(stem), width=3
    )
    draw.chord((x - r, y - r * 1.9, x + r, y - r * 0.2), 180, 360, fill=cap, outline=line_of(cap), width=3)
    for dx in (-0.45, 0.3):
        draw.ellipse((x + dx * r - 5, y - r * 1.45 - 5, x + dx * r + 5, y - r * 1.45 + 5), fill=(255, 246, 236))


def _flowers(draw: ImageDraw.ImageDraw, rng: random.Random, front: list[Point], many: bool) -> None:
    for _ in range(40 if many else 18):
        x = rng.uniform(0.02, 0.98) * CANVAS
        y = rng.uniform(ridge_height(front, x) + 30, CANVAS * 0.98)
        petal = rng.choice(((250, 190, 210), (250, 236, 170), (200, 190, 250), (255, 255, 250)))
        r = rng.uniform(6, 11) * (0.7 + (y / CANVAS - 0.75) * 2)
        draw.line([(x, y), (x, y + r * 3)], fill=(60, 110, 90), width=4)
        for i in range(5):
            a = i * math.tau / 5
            px, py = x + math.cos(a) * r, y + math.sin(a) * r
            draw.ellipse((px - r * 0.8, py - r * 0.8, px + r * 0.8, py + r * 0.8), fill=petal)
        draw.ellipse((x - r * 0.5, y - r * 0.5, x + r * 0.5, y + r * 0.5), fill=(250, 200, 90))


def _lanterns(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """Two glowing lanterns on posts: a garden at night is lit, not dark."""
    for x in (CANVAS * rng.uniform(0.06, 0.1), CANVAS * rng.uniform(0.9, 0.94)):
        top = CANVAS * 0.64
        draw.line([(x, top), (x, CANVAS * 0.9)], fill=(70, 60, 90), width=12)
        for i in range(24, 0, -1):
            r = 30 + i * 5
            draw.ellipse((x - r, top - r - 20, x + r, top + r - 20), fill=(255, 214, 120, 5))
        draw.rounded_rectangle(
            (x - 26, top - 60, x + 26, top + 4), radius=10, fill=WARM_LIGHT, outline=(70, 60, 90), width=6
        )
        draw.polygon([(x - 36, top - 60), (x, top - 86), (x + 36, top - 60)], fill=(70, 60, 90))


def _snowman(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    x, y = CANVAS * rng.choice((0.08, 0.92)), CANVAS * 0.9
    snow: RGB = (246, 248, 255)
    for r, cy in ((70, y - 60), (52, y - 170), (38, y - 250)):
        draw.ellipse((x - r, cy - r, x + r, cy + r), fill=snow, outline=line_of(snow), width=4)
    draw.polygon([(x, y - 252), (x + 40, y - 246), (x, y - 240)], fill=(240, 140, 70))
    for dx in (-12, 12):
        draw.ellipse((x + dx - 5, y - 270, x + dx + 5, y - 260), fill=INK)
    draw.rectangle((x - 44, y - 216, x + 44, y - 200), fill=(214, 90, 100))


def space_ground(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """The curve of a small cratered world, so the cast stands somewhere even in space."""
    rock: RGB = (176, 168, 206)
    draw.ellipse((-CANVAS * 0.4, CANVAS * 0.7, CANVAS * 1.4, CANVAS * 1.9), fill=rock, outline=line_of(rock), width=6)
    for _ in range(9):
        x, y = rng.uniform(0.05, 0.95) * CANVAS, rng.uniform(0.8, 0.97) * CANVAS
        r = rng.uniform(30, 70)
        draw.ellipse((x - r, y - r * 0.35, x + r, y + r * 0.35), fill=shade(rock, 0.82), outline=line_of(rock), width=3)
    x = CANVAS * rng.choice((0.12, 0.88))
    _rocket(draw, x, CANVAS * 0.86)


def _rocket(draw: ImageDraw.ImageDraw, x: float, base: float) -> None:
    body: RGB = (240, 236, 246)
    red: RGB = (222, 100, 110)
    draw.polygon([(x - 60, base), (x - 34, base - 90), (x - 34, base - 10)], fill=red, outline=line_of(red), width=4)
    draw.polygon([(x + 60, base), (x + 34, base - 90), (x + 34, base - 10)], fill=red, outline=line_of(red), width=4)
    draw.ellipse((x - 40, base - 300, x + 40, base - 4), fill=body, outline=line_of(body), width=5)
    draw.chord((x - 40, base - 300, x + 40, base - 180), 180, 360, fill=red)
    draw.ellipse((x - 20, base - 190, x + 20, base - 150), fill=(140, 200, 236), outline=line_of(body), width=5)


def draw_particles(draw: ImageDraw.ImageDraw, rng: random.Random, kinds: set[str]) -> None:
    """In front of everything: falling snow, or fireflies where it is warm and green."""
    if "snow" in kinds:
        for _ in range(160):
            x, y, r = rng.uniform(0, CANVAS), rng.uniform(0, CANVAS), rng.uniform(3, 9)
            draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255, rng.randint(120, 220)))
    elif kinds & {"forest", "meadow", "garden", "river", "village", "castle"}:
        for _ in range(26):
            x, y = rng.uniform(0, CANVAS), rng.uniform(0.45, 0.95) * CANVAS
            for r, a in ((22, 30), (12, 60), (5, 255)):
                draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 236, 140, a))
