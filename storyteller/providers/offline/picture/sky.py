"""The night sky: a gradient with the moon's halo, stars, the moon, and clouds or a planet."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw

from storyteller.providers.offline.picture.canvas import CANVAS, RGB, Point, alpha, line_of, shade

MOON_RADIUS = 0.075


def moon_place(rng: random.Random) -> Point:
    """Upper left or right, never centred, so the moon does not sit on a character's head."""
    return rng.choice((0.2, 0.28, 0.72, 0.8)) * CANVAS, rng.uniform(0.13, 0.19) * CANVAS


def paint_sky(rng: random.Random, kinds: set[str], moon: Point) -> Image.Image:
    """A night gradient with the moon's halo, computed small in numpy and enlarged: it is smooth,
    and concentric drawn circles would band."""
    palettes: list[tuple[RGB, RGB]] = [
        ((26, 34, 92), (128, 122, 190)),
        ((34, 26, 84), (168, 120, 176)),
        ((18, 40, 84), (96, 144, 178)),
        ((44, 46, 112), (232, 150, 126)),  # dusk: the last of the sunset low on the horizon
        ((60, 52, 120), (246, 178, 128)),
        ((8, 12, 40), (40, 52, 108)),  # deep midnight
    ]
    top, bottom = rng.choice(palettes)
    if "space" in kinds:
        top, bottom = (10, 10, 38), (58, 40, 104)
    small = CANVAS // 8
    t = (np.linspace(0.0, 1.0, small, dtype=np.float32) ** 1.3)[:, None, None]
    sky = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
    sky = np.broadcast_to(sky, (small, small, 3))
    ys, xs = np.mgrid[0:small, 0:small].astype(np.float32) * (CANVAS / small)
    distance = np.hypot(xs - moon[0], ys - moon[1]) / (CANVAS * MOON_RADIUS)
    halo = 0.45 * np.exp(-((distance / 2.2) ** 2)) + 0.18 * np.exp(-((distance / 6) ** 2))
    halo = halo[:, :, None]
    sky = sky * (1 - halo) + np.array((255, 240, 200), np.float32) * halo
    image = Image.fromarray(sky.clip(0, 255).astype(np.uint8), "RGB")
    return image.resize((CANVAS, CANVAS), Image.Resampling.BICUBIC)


def draw_stars(draw: ImageDraw.ImageDraw, rng: random.Random, kinds: set[str]) -> None:
    """Dots of several sizes plus a few twinkles; denser in space."""
    for _ in range(260 if "space" in kinds else 150):
        x, y = rng.uniform(0, CANVAS), rng.uniform(0, CANVAS * 0.62)
        r = rng.choice((1.6, 2.2, 2.8, 3.6, 4.4))
        colour = rng.choice(((255, 255, 240), (255, 240, 200), (220, 230, 255)))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=alpha(colour, rng.randint(150, 255)))
    for _ in range(9):
        _sparkle(draw, rng.uniform(60, CANVAS - 60), rng.uniform(60, CANVAS * 0.5), rng.uniform(12, 22))


def draw_moon(image: Image.Image, draw: ImageDraw.ImageDraw, rng: random.Random, kinds: set[str], moon: Point) -> None:
    """A full moon with soft craters or a crescent cut by a mask, so the halo shows through."""
    mx, my = moon
    radius = CANVAS * MOON_RADIUS
    colour: RGB = (255, 244, 200)
    if rng.random() < 0.5:
        draw.ellipse((mx - radius, my - radius, mx + radius, my + radius), fill=colour)
        for dx, dy, r in ((-0.3, -0.2, 0.2), (0.25, 0.3, 0.14), (0.1, -0.45, 0.1)):
            cx, cy, cr = mx + dx * radius, my + dy * radius, r * radius
            draw.ellipse((cx - cr, cy - cr, cx + cr, cy + cr), fill=(238, 224, 180))
    else:
        size = round(radius * 2)
        mask = Image.new("L", (size, size), 0)
        cut = ImageDraw.Draw(mask)
        cut.ellipse((0, 0, size - 1, size - 1), fill=255)
        side = -1 if mx > CANVAS / 2 else 1
        shift = side * radius * 0.55
        cut.ellipse((shift, -radius * 0.1, size - 1 + shift, size + radius * 0.1), fill=0)
        image.paste(colour, (round(mx - radius), round(my - radius)), mask)
    if "space" in kinds:
        _planet(draw, rng, CANVAS - mx, my + CANVAS * 0.12)
    else:
        _clouds(image, rng)


def _sparkle(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    """A four-point twinkle, the star shape children draw."""
    w = r * 0.22
    points = [
        (x, y - r),
        (x + w, y - w),
        (x + r, y),
        (x + w, y + w),
        (x, y + r),
        (x - w, y + w),
        (x - r, y),
        (x - w, y - w),
    ]
    draw.polygon(points, fill=(255, 248, 214, 235))


def _clouds(image: Image.Image, rng: random.Random) -> None:
    """Flat-bottomed cartoon clouds, each drawn as one mask so overlapping puffs do not darken."""
    for slot in rng.sample((0.15, 0.45, 0.75), rng.randint(1, 3)):
        width = rng.uniform(0.18, 0.28) * CANVAS
        height = width * 0.36
        mask = Image.new("L", (round(width), round(height)), 0)
        puff = ImageDraw.Draw(mask)
        for i in range(4):
            cx = width * (0.18 + 0.21 * i)
            r = height * rng.uniform(0.3, 0.5) * (1.2 if i in (1, 2) else 0.9)
            puff.ellipse((cx - r, height * 0.72 - r * 1.2, cx + r, height * 0.72 + r * 0.6), fill=58)
        puff.rounded_rectangle((width * 0.06, height * 0.5, width * 0.94, height * 0.86), radius=height * 0.18, fill=58)
        x = (slot + rng.uniform(-0.08, 0.08)) * CANVAS - width / 2
        y = rng.uniform(0.2, 0.38) * CANVAS
        image.paste((232, 226, 250), (round(x), round(y)), mask)


def _planet(draw: ImageDraw.ImageDraw, rng: random.Random, x: float, y: float) -> None:
    """A ringed planet, so a space scene reads as space and not as an empty night."""
    r = CANVAS * 0.06
    body = rng.choice(((236, 170, 120), (150, 200, 230), (210, 160, 220)))
    draw.ellipse((x - r * 2.1, y - r * 0.5, x + r * 2.1, y + r * 0.5), outline=(240, 226, 200), width=10)
    draw.ellipse((x - r, y - r, x + r, y + r), fill=body, outline=line_of(body), width=6)
    draw.chord((x - r * 0.95, y - r * 0.95, x + r * 0.95, y + r * 0.95), 20, 160, fill=shade(body, 0.85))
    draw.arc((x - r * 2.1, y - r * 0.5, x + r * 2.1, y + r * 0.5), 0, 180, fill=(240, 226, 200), width=10)
    sx, sy, sr = CANVAS * rng.uniform(0.4, 0.6), CANVAS * 0.32, r * 0.35
    draw.ellipse((sx - sr, sy - sr, sx + sr, sy + sr), fill=(170, 220, 190))
