"""Geometry shared by scenery and figures: hill skylines, rotated ellipses, smooth curves."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence

from storyteller.providers.offline.picture.canvas import CANVAS, Point


def ridge(rng: random.Random, base: float, amplitude: float, waves: float = 1.0) -> list[Point]:
    """A closed polygon under a smooth, random skyline: three sines make hills look drawn by hand."""
    phases = [rng.uniform(0, math.tau) for _ in range(3)]
    freqs = [waves * f for f in (1.0, 2.3, 4.1)]
    weights = (1.0, 0.45, 0.18)
    points: list[Point] = []
    for x in range(-40, CANVAS + 80, 24):
        t = x / CANVAS * math.tau
        y = sum(w * math.sin(f * t + p) for w, f, p in zip(weights, freqs, phases, strict=True))
        points.append((x, base - amplitude * y / 1.63))
    return [*points, (CANVAS + 80, CANVAS + 80), (-40, CANVAS + 80)]


def ridge_height(points: list[Point], x: float) -> float:
    """The skyline's height at x; ridge samples every 24 px from -40, so this is an index."""
    index = min(max(round((x + 40) / 24), 0), len(points) - 3)
    return points[index][1]


def ellipse_points(cx: float, cy: float, rx: float, ry: float, angle: float, n: int = 36) -> list[Point]:
    """A rotated ellipse as a polygon; Pillow only draws axis-aligned ones."""
    a = math.radians(angle)
    points: list[Point] = []
    for i in range(n):
        t = i * math.tau / n
        x, y = rx * math.cos(t), ry * math.sin(t)
        points.append((cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a)))
    return points


def smooth(points: Sequence[Point], rounds: int = 3) -> list[Point]:
    """Chaikin corner cutting: a few control points become a curve, for tails and stalks."""
    curve = list(points)
    for _ in range(rounds):
        if len(curve) < 3:
            break
        cut = [curve[0]]
        for (ax, ay), (bx, by) in itertools.pairwise(curve):
            cut += [(0.75 * ax + 0.25 * bx, 0.75 * ay + 0.25 * by), (0.25 * ax + 0.75 * bx, 0.25 * ay + 0.75 * by)]
        curve = [*cut, curve[-1]]
    return curve


def resample(points: Sequence[Point], spacing: float) -> list[Point]:
    """Points every `spacing` pixels along a polyline, so dots painted on it join up."""
    out = [points[0]]
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        steps = max(1, math.ceil(math.hypot(bx - ax, by - ay) / max(spacing, 1.0)))
        out += [(ax + (bx - ax) * i / steps, ay + (by - ay) * i / steps) for i in range(1, steps + 1)]
    return out
