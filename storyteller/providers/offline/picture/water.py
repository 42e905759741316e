"""Water: the sea with its path of moonlight, an island, lighthouse or boat, and rivers."""

from __future__ import annotations

import math
import random

from PIL import ImageDraw

from storyteller.providers.offline.picture.canvas import CANVAS, RGB, WARM_LIGHT, Point, line_of
from storyteller.providers.offline.picture.shapes import ellipse_points, ridge_height


def draw_sea(draw: ImageDraw.ImageDraw, rng: random.Random, moon: Point, island: bool) -> None:
    """Calm water to the horizon with a shimmering path of moonlight."""
    horizon = CANVAS * 0.58
    water: RGB = (58, 84, 150)
    draw.rectangle((0, horizon, CANVAS, CANVAS), fill=water)
    for i in range(10):
        y0 = horizon + i * CANVAS * 0.02
        draw.rectangle((0, y0, CANVAS, CANVAS), fill=(30, 40, 90, 14))
    for _ in range(70):
        x, y = rng.uniform(0, CANVAS), rng.uniform(horizon + 10, CANVAS * 0.8)
        w = rng.uniform(20, 70) * (0.6 + (y - horizon) / CANVAS * 3)
        draw.line([(x - w, y), (x + w, y)], fill=(150, 176, 230, 90), width=4)
    mx = moon[0]
    y = horizon + 8
    while y < CANVAS * 0.8:
        depth = (y - horizon) / (CANVAS * 0.22)
        w = CANVAS * (0.03 + 0.05 * depth) * rng.uniform(0.5, 1.0)
        x = mx + rng.uniform(-20, 20) * (1 + depth)
        draw.rounded_rectangle((x - w, y, x + w, y + 8 + 6 * depth), radius=6, fill=(255, 236, 170, 170))
        y += 16 + 20 * depth
    draw.line([(0, horizon), (CANVAS, horizon)], fill=(150, 170, 220), width=4)
    if island:
        _island(draw, rng, CANVAS - mx if abs(mx - CANVAS / 2) > 200 else CANVAS * 0.25, horizon)
    else:
        _lighthouse_or_boat(draw, rng, horizon, mx)


def _island(draw: ImageDraw.ImageDraw, rng: random.Random, x: float, horizon: float) -> None:
    width = CANVAS * 0.22
    sand: RGB = (224, 196, 150)
    draw.chord(
        (x - width / 2, horizon - 60, x + width / 2, horizon + 60), 180, 360, fill=sand, outline=line_of(sand), width=5
    )
    _palm(draw, x - width * 0.1, horizon - 40, CANVAS * 0.16, lean=1)
    _palm(draw, x + width * 0.18, horizon - 30, CANVAS * 0.11, lean=-1)


def _palm(draw: ImageDraw.ImageDraw, x: float, base: float, height: float, lean: int) -> None:
    """A curved trunk and drooping fronds made of long thin ellipses."""
    trunk: RGB = (150, 110, 90)
    points = [(x + lean * height * 0.25 * (t / 8) ** 2, base - height * t / 8) for t in range(9)]
    draw.line(points, fill=line_of(trunk), width=26, joint="curve")
    draw.line(points, fill=trunk, width=18, joint="curve")
    top = points[-1]
    leaf: RGB = (76, 156, 112)
    length = height * 0.34
    for angle in (-200, -160, -125, -90, -55, -20, 20):
        a = math.radians(angle)
        centre = (top[0] + math.cos(a) * length * 0.5, top[1] + math.sin(a) * length * 0.5 + length * 0.12)
        draw.polygon(
            ellipse_points(*centre, length * 0.55, length * 0.13, angle + 8 * lean),
            fill=leaf,
            outline=line_of(leaf),
            width=4,
        )
    draw.ellipse((top[0] - 12, top[1] - 4, top[0] + 12, top[1] + 20), fill=(120, 86, 70))


def _lighthouse_or_boat(draw: ImageDraw.ImageDraw, rng: random.Random, horizon: float, mx: float) -> None:
    """One small story prop on the water, away from the moon's path."""
    x = CANVAS * (0.18 if mx > CANVAS / 2 else 0.8)
    if rng.random() < 0.5:
        hull: RGB = (190, 110, 100)
        y = horizon + 40
        draw.polygon(
            [(x - 70, y), (x + 70, y), (x + 50, y + 34), (x - 50, y + 34)], fill=hull, outline=line_of(hull), width=5
        )
        draw.line([(x, y), (x, y - 140)], fill=(110, 90, 90), width=8)
        draw.polygon(
            [(x + 6, y - 134), (x + 6, y - 14), (x + 80, y - 14)],
            fill=(244, 236, 220),
            outline=line_of((244, 236, 220)),
        )
        return
    rock: RGB = (84, 84, 120)
    draw.chord((x - 120, horizon - 40, x + 120, horizon + 50), 180, 360, fill=rock)
    body: RGB = (240, 236, 230)
    draw.polygon(
        [(x - 40, horizon - 10), (x + 40, horizon - 10), (x + 24, horizon - 260), (x - 24, horizon - 260)],
        fill=body,
        outline=line_of(body),
        width=5,
    )
    for band in (0.25, 0.6):
        y = horizon - 10 - 250 * band
        draw.rectangle((x - 38 + 16 * band, y - 24, x + 38 - 16 * band, y), fill=(214, 90, 90))
    draw.polygon(
        [(x - 34, horizon - 290), (x, horizon - 330), (x + 34, horizon - 290)],
        fill=(214, 90, 90),
        outline=line_of((214, 90, 90)),
    )
    draw.rectangle((x - 22, horizon - 290, x + 22, horizon - 260), fill=WARM_LIGHT)
    draw.polygon([(x, horizon - 275), (x - 420, horizon - 350), (x - 420, horizon - 200)], fill=(255, 236, 170, 40))


def river_banks(rng: random.Random, ridge: list[Point]) -> list[Point]:
    """The outline of a river winding from the hills towards the viewer, widening as it nears."""
    side = -1 if rng.random() < 0.5 else 1
    wiggle = rng.uniform(2.2, 3.0)
    left: list[Point] = []
    right: list[Point] = []
    top = 0.0
    for i in range(25):
        t = i / 24
        centre = CANVAS / 2 + side * CANVAS * (0.1 + 0.3 * t) * math.sin(t * wiggle + 0.4)
        if i == 0:
            top = ridge_height(ridge, centre) + 14
        y = top + (CANVAS * 1.02 - top) * t
        half = CANVAS * (0.008 + 0.17 * t * t)
        left.append((centre - half, y))
        right.append((centre + half, y))
    return [*left, *reversed(right)]


def on_river(river: list[Point], x: float) -> bool:
    """Whether x is where the river leaves the hills, so trees and houses do not stand in it."""
    near = [px for px, py in river if py < CANVAS * 0.78]
    return bool(near) and min(near) - 90 < x < max(near) + 90


def draw_river(draw: ImageDraw.ImageDraw, river: list[Point]) -> None:
    """The river banks filled with water, with ripples across it."""
    water: RGB = (86, 124, 196)
    draw.polygon(river, fill=water, outline=(176, 196, 240), width=8)
    half = len(river) // 2
    left, right = river[:half], river[half:][::-1]
    for a, b in zip(left[3::3], right[3::3], strict=True):
        mid = (a[0] + b[0]) / 2
        span = (b[0] - a[0]) * 0.25
        draw.line([(mid - span, a[1]), (mid + span, a[1])], fill=(210, 222, 252, 150), width=5)
