"""The pen every figure is drawn with, and the features they share: eyes, cheeks, smile, feet, arms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PIL import ImageDraw

from storyteller.providers.offline.picture.canvas import INK, RGB, RGBA, Point, line_of, shade
from storyteller.providers.offline.picture.shapes import ellipse_points, resample, smooth

CHEEK: RGBA = (255, 130, 150, 110)


@dataclass
class Pen:
    """Draws a figure in its own units (100 = its height, y up is negative), mirrored on demand."""

    draw: ImageDraw.ImageDraw
    x: float
    y: float
    u: float
    flip: bool

    @property
    def width(self) -> int:
        return max(3, round(self.u * 1.3))

    def point(self, dx: float, dy: float) -> Point:
        return (self.x + (-dx if self.flip else dx) * self.u, self.y + dy * self.u)

    def box(self, cx: float, cy: float, rx: float, ry: float) -> tuple[float, float, float, float]:
        (x0, y0), (x1, y1) = self.point(cx - rx, cy - ry), self.point(cx + rx, cy + ry)
        return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))

    def blob(self, cx: float, cy: float, rx: float, ry: float, fill: RGB) -> None:
        """A shaded, outlined ellipse: moonlight from the upper left leaves a soft crescent."""
        x0, y0, x1, y1 = self.box(cx, cy, rx, ry)
        inset = (x1 - x0) * 0.12, (y1 - y0) * 0.12
        self.draw.ellipse((x0, y0, x1, y1), fill=shade(fill, 0.84))
        self.draw.ellipse((x0, y0, x1 - inset[0], y1 - inset[1]), fill=fill)
        hx, hy = x0 + (x1 - x0) * 0.3, y0 + (y1 - y0) * 0.24
        hr = min(x1 - x0, y1 - y0) * 0.1
        self.draw.ellipse((hx - hr, hy - hr, hx + hr, hy + hr), fill=(255, 255, 255, 60))
        self.draw.ellipse((x0, y0, x1, y1), outline=line_of(fill), width=self.width)

    def oval(self, cx: float, cy: float, rx: float, ry: float, fill: RGB | RGBA) -> None:
        self.draw.ellipse(self.box(cx, cy, rx, ry), fill=fill)

    def shape(self, points: Sequence[Point], fill: RGB, outline: bool = True) -> None:
        mapped = [self.point(px, py) for px, py in points]
        self.draw.polygon(mapped, fill=fill, outline=line_of(fill) if outline else None, width=self.width)

    def outline(self, points: Sequence[Point], colour: RGB) -> None:
        """Only the outline, for shapes filled in several colours."""
        mapped = [self.point(px, py) for px, py in points]
        self.draw.polygon(mapped, outline=line_of(colour), width=self.width)

    def stroke(self, points: Sequence[Point], fill: RGB, width: float) -> None:
        """A thick outlined curve painted as overlapping dots: wide Pillow lines crack at joints."""
        path = resample([self.point(px, py) for px, py in smooth(points)], width * self.u / 4)
        for colour, r in ((line_of(fill), width * self.u / 2 + self.width), (fill, width * self.u / 2)):
            for x, y in path:
                self.draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)

    def line(self, points: Sequence[Point], fill: RGB, width: float = 0.9) -> None:
        self.draw.line(
            [self.point(px, py) for px, py in points], fill=fill, width=max(2, round(width * self.u)), joint="curve"
        )

    def arc(
        self, cx: float, cy: float, rx: float, ry: float, start: float, end: float, fill: RGB, width: float = 1.0
    ) -> None:
        if self.flip:
            start, end = 180 - end, 180 - start
        self.draw.arc(self.box(cx, cy, rx, ry), start, end, fill=fill, width=max(2, round(width * self.u)))


def eyes(pen: Pen, y: float, spread: float, r: float = 3.6) -> None:
    """Two dark eyes, each with a white glint."""
    for side in (-1, 1):
        pen.oval(side * spread, y, r, r * 1.2, INK)
        pen.oval(side * spread - r * 0.3, y - r * 0.45, r * 0.38, r * 0.38, (255, 255, 255))


def cheeks(pen: Pen, y: float, spread: float, r: float = 5.0) -> None:
    """Two soft pink blush marks."""
    for side in (-1, 1):
        pen.oval(side * spread, y, r, r * 0.6, CHEEK)


def smile(pen: Pen, y: float, w: float = 4.0) -> None:
    """A small 'w'-shaped smile made of two arcs."""
    pen.arc(-w / 2, y - w / 2, w / 2, w / 2, 20, 160, INK, 0.9)
    pen.arc(w / 2, y - w / 2, w / 2, w / 2, 20, 160, INK, 0.9)


def feet(pen: Pen, colour: RGB, spread: float = 11, r: float = 9) -> None:
    """Two shaded feet at the base of the figure."""
    for side in (-1, 1):
        pen.blob(side * spread, -4, r, r * 0.6, colour)


def arms(pen: Pen, colour: RGB, y: float = -32, spread: float = 20) -> None:
    """Two short arms angled out from the body."""
    for side in (-1, 1):
        pen.shape(ellipse_points(side * spread, y, 6, 11, side * -20), colour)
