"""The landscape back to front; the scene's kinds choose each layer."""

from __future__ import annotations

import random

import numpy as np
from PIL import ImageDraw

from storyteller.providers.offline.picture.canvas import CANVAS, RGB, WARM_LIGHT, Point, mix, shade
from storyteller.providers.offline.picture.foreground import draw_ground, space_ground
from storyteller.providers.offline.picture.hillside import castle, round_trees, treeline, village
from storyteller.providers.offline.picture.shapes import ridge, ridge_height
from storyteller.providers.offline.picture.water import draw_sea, river_banks


def draw_landscape(draw: ImageDraw.ImageDraw, rng: random.Random, kinds: set[str], moon: Point) -> None:
    """Back to front: far features, water, middle ground, then the ground the cast stands on."""
    if "space" in kinds:
        space_ground(draw, rng)
        return
    snow = "snow" in kinds
    river: list[Point] = []
    if "mountain" in kinds or (snow and "sea" not in kinds):
        _mountains(draw, rng, snow)
    if "city" in kinds:
        _skyline(draw, rng)
    if "sea" in kinds:
        draw_sea(draw, rng, moon, "island" in kinds)
    else:
        far = ridge(rng, CANVAS * 0.6, CANVAS * 0.05, 1.2)
        draw.polygon(far, fill=_snowy((98, 104, 168), snow))
        if "castle" in kinds:
            castle_x = rng.uniform(0.3, 0.7) * CANVAS
            castle(draw, rng, castle_x, ridge_height(far, castle_x) + 20)
        middle = ridge(rng, CANVAS * 0.68, CANVAS * 0.04, 0.8)
        draw.polygon(middle, fill=_snowy((60, 100, 112), snow), outline=_snowy((50, 84, 100), snow))
        if "river" in kinds:
            river = river_banks(rng, middle)
        if "forest" in kinds:
            treeline(draw, rng, middle, snow)
        if "village" in kinds:
            village(draw, rng, middle, snow, river)
        elif kinds & {"garden", "meadow", "river"}:
            round_trees(draw, rng, middle, snow, river)
    draw_ground(draw, rng, kinds, river)


def _snowy(c: RGB, snow: bool) -> RGB:
    return mix(c, (196, 210, 240), 0.55) if snow else c


def _mountains(draw: ImageDraw.ImageDraw, rng: random.Random, snow: bool) -> None:
    """Two ranges of peaks with snow caps; the nearer one darker for depth."""
    for layer, (colour, base) in enumerate((((126, 130, 196), 0.58), ((96, 104, 170), 0.62))):
        x = -rng.uniform(0, 200)
        while x < CANVAS:
            width = rng.uniform(0.22, 0.36) * CANVAS
            height = rng.uniform(0.16, 0.26) * CANVAS * (1 - layer * 0.25)
            peak = (x + width / 2 + rng.uniform(-40, 40), base * CANVAS - height)
            left, right = (x, base * CANVAS + 40), (x + width, base * CANVAS + 40)
            draw.polygon([left, peak, right], fill=colour, outline=shade(colour, 0.8))
            cap = 0.3
            cl = (peak[0] + (left[0] - peak[0]) * cap, peak[1] + (left[1] - peak[1]) * cap)
            cr = (peak[0] + (right[0] - peak[0]) * cap, peak[1] + (right[1] - peak[1]) * cap)
            notch = [
                (cl[0] + (cr[0] - cl[0]) * f, cl[1] + (12 if i % 2 else -8)) for i, f in enumerate((0.25, 0.5, 0.75))
            ]
            draw.polygon([peak, cr, *reversed(notch), cl], fill=(236, 238, 252))
            x += width * rng.uniform(0.55, 0.8)


def _skyline(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """Rooftops with a few lit windows: a city asleep, not empty."""
    x = -20.0
    base = CANVAS * 0.66
    while x < CANVAS:
        w = rng.uniform(0.07, 0.13) * CANVAS
        h = rng.uniform(0.08, 0.22) * CANVAS
        colour = rng.choice(((88, 84, 150), (76, 80, 136), (100, 92, 160)))
        draw.rectangle((x, base - h, x + w, base), fill=colour, outline=shade(colour, 0.75), width=4)
        if rng.random() < 0.4:
            draw.polygon([(x, base - h), (x + w / 2, base - h - w * 0.4), (x + w, base - h)], fill=shade(colour, 0.85))
        for wy in np.arange(base - h + 30, base - 30, 46):
            for wx in np.arange(x + 22, x + w - 30, 40):
                if rng.random() < 0.3:
                    draw.rectangle((wx, wy, wx + 18, wy + 24), fill=WARM_LIGHT)
        x += w + rng.uniform(4, 20)
