"""The page itself: its size, colour arithmetic, seeds and the finishing vignette."""

from __future__ import annotations

import hashlib

import numpy as np
from PIL import Image

SIZE = 1024
# Drawn at twice the size and shrunk with LANCZOS: Pillow's shapes are not anti-aliased.
SUPERSAMPLE = 2
CANVAS = SIZE * SUPERSAMPLE

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]
Point = tuple[float, float]

INK: RGB = (46, 36, 64)
WARM_LIGHT: RGB = (255, 214, 120)


def seed(*parts: str) -> int:
    """A stable 64-bit seed from text, so the same story always draws the same page."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).digest()
    return int.from_bytes(digest[:8], "big")


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """The colour a fraction t of the way from a to b."""
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def shade(c: RGB, f: float) -> RGB:
    """Darker towards a night violet rather than black, which keeps shadows soft."""
    return mix(c, (40, 30, 70), 1 - f)


def alpha(c: RGB, a: int) -> RGBA:
    """The colour with an alpha channel, for drawing on the RGBA overlay."""
    return (c[0], c[1], c[2], a)


def line_of(c: RGB) -> RGB:
    """The outline colour for a fill: darker and inkier, like a drawn edge."""
    return mix(shade(c, 0.45), INK, 0.4)


def vignette(image: Image.Image) -> Image.Image:
    """Darken the corners a little, which draws the eye to the middle like a printed page."""
    array = np.asarray(image, dtype=np.float32)
    axis = np.linspace(-1.0, 1.0, SIZE, dtype=np.float32)
    radius = axis[None, :] ** 2 + axis[:, None] ** 2
    factor = 1.0 - 0.22 * np.clip(radius - 0.35, 0.0, None)
    return Image.fromarray((array * factor[:, :, None]).clip(0, 255).astype(np.uint8), "RGB")
