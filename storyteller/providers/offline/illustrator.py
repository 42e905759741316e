"""Offline picture-book illustrator: a night scene and its cast, drawn with Pillow, no model."""

from __future__ import annotations

import functools
import hashlib
import io
import itertools
import math
import random
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from storyteller.models import Character, Scene

SIZE = 1024
# Drawn at twice the size and shrunk with LANCZOS: Pillow's shapes are not anti-aliased.
SUPERSAMPLE = 2
CANVAS = SIZE * SUPERSAMPLE
# The foreground has room for this many figures before they overlap into a crowd.
MAX_CAST = 4
LABEL_CHARS = 18

RGB = tuple[int, int, int]
RGBA = tuple[int, int, int, int]
Point = tuple[float, float]

MOON_RADIUS = 0.075
INK: RGB = (46, 36, 64)
CHEEK: RGBA = (255, 130, 150, 110)
WARM_LIGHT: RGB = (255, 214, 120)

SCENE_WORDS: dict[str, tuple[str, ...]] = {
    "forest": ("forest", "wood", "woods", "woodland", "jungle", "trees", "grove", "clearing"),
    "sea": (
        "sea",
        "ocean",
        "beach",
        "shore",
        "seaside",
        "coast",
        "bay",
        "harbour",
        "harbor",
        "lake",
        "waves",
        "pier",
        "lighthouse",
    ),
    "island": ("island", "islands", "isle"),
    "river": ("river", "stream", "brook", "creek", "pond", "canal"),
    "castle": ("castle", "palace", "tower", "kingdom", "fortress"),
    "garden": ("garden", "gardens", "park", "flowers", "orchard", "roses"),
    "mountain": ("mountain", "mountains", "peak", "peaks", "cliff", "valley", "alps"),
    "snow": ("snow", "snowy", "winter", "ice", "icy", "frozen", "arctic", "polar", "frost"),
    "city": ("city", "town", "street", "streets", "rooftop", "rooftops", "skyline"),
    "village": ("village", "cottage", "house", "houses", "home", "farm", "hamlet", "cabin"),
    "space": (
        "space",
        "planet",
        "planets",
        "galaxy",
        "rocket",
        "spaceship",
        "cosmos",
        "asteroid",
        "orbit",
        "mars",
        "outer",
    ),
    "meadow": ("meadow", "field", "fields", "prairie", "hills", "countryside", "grass"),
}

CAST_WORDS: dict[str, tuple[str, ...]] = {
    "fox": ("fox", "foxes", "vixen"),
    "rabbit": ("rabbit", "bunny", "hare", "rabbits", "bunnies"),
    "owl": ("owl", "owlet", "owls"),
    "panda": ("panda",),
    "bear": ("bear", "teddy", "cub", "bears"),
    "cat": ("cat", "kitten", "kitty", "tiger", "cats"),
    "dog": ("dog", "puppy", "pup", "hound", "doggy", "dogs"),
    "mouse": ("mouse", "mice", "rat", "hamster"),
    "dragon": ("dragon", "dino", "dinosaur", "dragons"),
    "robot": ("robot", "android", "bot", "robots"),
    "girl": ("girl", "princess", "daughter", "sister", "queen"),
    "boy": ("boy", "prince", "son", "brother", "knight", "king"),
    "child": ("child", "kid", "baby", "toddler", "children"),
    "crab": ("crab", "lobster"),
    "frog": ("frog", "toad"),
    "penguin": ("penguin",),
}

FUR: dict[str, RGB] = {
    "fox": (236, 132, 66),
    "rabbit": (232, 222, 214),
    "owl": (170, 124, 92),
    "panda": (246, 244, 240),
    "bear": (170, 116, 78),
    "cat": (150, 150, 170),
    "dog": (222, 178, 120),
    "mouse": (180, 176, 190),
    "dragon": (128, 196, 132),
    "robot": (176, 196, 214),
    "crab": (236, 104, 84),
    "frog": (134, 200, 112),
    "penguin": (70, 78, 110),
    "creature": (196, 170, 226),
}

COLOUR_WORDS: dict[str, RGB] = {
    "red": (220, 96, 88),
    "blue": (112, 150, 220),
    "green": (124, 194, 124),
    "purple": (170, 128, 210),
    "violet": (170, 128, 210),
    "pink": (240, 158, 186),
    "gold": (236, 196, 96),
    "golden": (236, 196, 96),
    "yellow": (240, 210, 104),
    "orange": (238, 146, 70),
    "white": (240, 238, 236),
    "black": (84, 80, 96),
    "grey": (160, 160, 172),
    "gray": (160, 160, 172),
    "silver": (190, 200, 214),
    "brown": (160, 112, 80),
    "ginger": (230, 140, 70),
    "teal": (90, 180, 180),
}

# "A red fox" or "a black-and-white panda" describe the animal, not a colour to paint it.
NATURAL: dict[str, tuple[str, ...]] = {
    "fox": ("red", "orange", "ginger", "white", "black"),
    "panda": tuple(COLOUR_WORDS),
    "penguin": tuple(COLOUR_WORDS),
    "bear": ("brown",),
    "owl": ("brown", "white"),
    "dragon": ("green",),
    "frog": ("green",),
    "crab": ("red", "orange"),
}

PAJAMAS: tuple[RGB, ...] = ((132, 170, 230), (236, 150, 170), (170, 140, 220), (120, 196, 170), (244, 190, 110))
SKIN: tuple[RGB, ...] = ((252, 218, 190), (236, 190, 150), (200, 150, 110), (150, 104, 74), (110, 74, 54))
HAIR: tuple[RGB, ...] = ((90, 60, 44), (40, 32, 36), (220, 170, 90), (180, 90, 50), (130, 86, 60))


class PictureBookIllustrator:
    """Draws a night-time picture-book page from keywords, so stories get art with no model."""

    model = "offline-picture-book-1"

    def __init__(self, labels: bool = True) -> None:
        self.labels = labels

    def illustrate(self, title: str, characters: list[Character], scene: Scene) -> bytes:
        """PNG bytes, 1024x1024: the scene's landscape with the cast standing in front."""
        image = render(title, characters, scene, labels=self.labels)
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=6)
        return out.getvalue()


def render(title: str, characters: Sequence[Character], scene: Scene, labels: bool = True) -> Image.Image:
    """The illustration as an RGB image; separate from PNG encoding so tests can inspect pixels."""
    # Sorted ids: the same cast in another order keeps its landscape and only trades places.
    rng = random.Random(_seed(title, scene.id, *sorted(c.id for c in characters)))
    kinds = scene_kinds(scene.description)
    moon = _moon_place(rng)
    image = _sky(rng, kinds, moon)
    draw = ImageDraw.Draw(image, "RGBA")
    _stars(draw, rng, kinds)
    _moon(image, draw, rng, kinds, moon)
    _landscape(draw, rng, kinds, moon)
    _cast(draw, characters[:MAX_CAST], title, scene.id, labels)
    _particles(draw, rng, kinds)
    small = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    return _vignette(small)


def scene_kinds(description: str) -> set[str]:
    """Which landscape features the description asks for; a gentle meadow when none match."""
    words = set(_words(description))
    kinds = {kind for kind, keys in SCENE_WORDS.items() if words & set(keys)}
    if "island" in kinds:
        kinds.add("sea")
    return kinds or {"meadow"}


def character_kind(character: Character) -> str:
    """The figure to draw: the earliest animal or person word in the name, then the description."""
    for text in (character.name, character.description):
        words = _words(text)
        found = [(words.index(key), kind) for kind, keys in CAST_WORDS.items() for key in keys if key in words]
        if found:
            return min(found)[1]
    return "creature"


def _words(text: str) -> list[str]:
    # Descriptions are capped at the edge, but the illustrator may be handed anything.
    return re.findall(r"[a-z]+", text[:2000].lower())


def _seed(*parts: str) -> int:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "replace")).digest()
    return int.from_bytes(digest[:8], "big")


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def _shade(c: RGB, f: float) -> RGB:
    """Darker towards a night violet rather than black, which keeps shadows soft."""
    return _mix(c, (40, 30, 70), 1 - f)


def _alpha(c: RGB, a: int) -> RGBA:
    return (c[0], c[1], c[2], a)


def _line_of(c: RGB) -> RGB:
    return _mix(_shade(c, 0.45), INK, 0.4)


def _ridge(rng: random.Random, base: float, amplitude: float, waves: float = 1.0) -> list[Point]:
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


def _ridge_height(points: list[Point], x: float) -> float:
    """The skyline's height at x; _ridge samples every 24 px from -40, so this is an index."""
    index = min(max(round((x + 40) / 24), 0), len(points) - 3)
    return points[index][1]


def _moon_place(rng: random.Random) -> Point:
    """Upper left or right, never centred, so the moon does not sit on a character's head."""
    return rng.choice((0.2, 0.28, 0.72, 0.8)) * CANVAS, rng.uniform(0.13, 0.19) * CANVAS


def _sky(rng: random.Random, kinds: set[str], moon: Point) -> Image.Image:
    """A night gradient with the moon's halo, computed small in numpy and enlarged: it is smooth,
    and concentric drawn circles would band."""
    palettes: list[tuple[RGB, RGB]] = [
        ((26, 34, 92), (128, 122, 190)),
        ((34, 26, 84), (168, 120, 176)),
        ((18, 40, 84), (96, 144, 178)),
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


def _stars(draw: ImageDraw.ImageDraw, rng: random.Random, kinds: set[str]) -> None:
    """Dots of several sizes plus a few twinkles; denser in space."""
    for _ in range(260 if "space" in kinds else 150):
        x, y = rng.uniform(0, CANVAS), rng.uniform(0, CANVAS * 0.62)
        r = rng.choice((1.6, 2.2, 2.8, 3.6, 4.4))
        colour = rng.choice(((255, 255, 240), (255, 240, 200), (220, 230, 255)))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=_alpha(colour, rng.randint(150, 255)))
    for _ in range(9):
        _sparkle(draw, rng.uniform(60, CANVAS - 60), rng.uniform(60, CANVAS * 0.5), rng.uniform(12, 22))


def _moon(image: Image.Image, draw: ImageDraw.ImageDraw, rng: random.Random, kinds: set[str], moon: Point) -> None:
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
    draw.ellipse((x - r, y - r, x + r, y + r), fill=body, outline=_line_of(body), width=6)
    draw.chord((x - r * 0.95, y - r * 0.95, x + r * 0.95, y + r * 0.95), 20, 160, fill=_shade(body, 0.85))
    draw.arc((x - r * 2.1, y - r * 0.5, x + r * 2.1, y + r * 0.5), 0, 180, fill=(240, 226, 200), width=10)
    sx, sy, sr = CANVAS * rng.uniform(0.4, 0.6), CANVAS * 0.32, r * 0.35
    draw.ellipse((sx - sr, sy - sr, sx + sr, sy + sr), fill=(170, 220, 190))


def _landscape(draw: ImageDraw.ImageDraw, rng: random.Random, kinds: set[str], moon: Point) -> None:
    """Back to front: far features, water, middle ground, then the ground the cast stands on."""
    if "space" in kinds:
        _space_ground(draw, rng)
        return
    snow = "snow" in kinds
    river: list[Point] = []
    if "mountain" in kinds or (snow and "sea" not in kinds):
        _mountains(draw, rng, snow)
    if "city" in kinds:
        _skyline(draw, rng)
    if "sea" in kinds:
        _sea(draw, rng, moon, "island" in kinds)
    else:
        far = _ridge(rng, CANVAS * 0.6, CANVAS * 0.05, 1.2)
        draw.polygon(far, fill=_snowy((98, 104, 168), snow))
        if "castle" in kinds:
            castle_x = rng.uniform(0.3, 0.7) * CANVAS
            _castle(draw, rng, castle_x, _ridge_height(far, castle_x) + 20)
        middle = _ridge(rng, CANVAS * 0.68, CANVAS * 0.04, 0.8)
        draw.polygon(middle, fill=_snowy((60, 100, 112), snow), outline=_snowy((50, 84, 100), snow))
        if "river" in kinds:
            river = _river_banks(rng, middle)
        if "forest" in kinds:
            _treeline(draw, rng, middle, snow)
        if "village" in kinds:
            _village(draw, rng, middle, snow, river)
        elif kinds & {"garden", "meadow", "river"}:
            _round_trees(draw, rng, middle, snow, river)
    _ground(draw, rng, kinds, river)


def _snowy(c: RGB, snow: bool) -> RGB:
    return _mix(c, (196, 210, 240), 0.55) if snow else c


def _mountains(draw: ImageDraw.ImageDraw, rng: random.Random, snow: bool) -> None:
    """Two ranges of peaks with snow caps; the nearer one darker for depth."""
    for layer, (colour, base) in enumerate((((126, 130, 196), 0.58), ((96, 104, 170), 0.62))):
        x = -rng.uniform(0, 200)
        while x < CANVAS:
            width = rng.uniform(0.22, 0.36) * CANVAS
            height = rng.uniform(0.16, 0.26) * CANVAS * (1 - layer * 0.25)
            peak = (x + width / 2 + rng.uniform(-40, 40), base * CANVAS - height)
            left, right = (x, base * CANVAS + 40), (x + width, base * CANVAS + 40)
            draw.polygon([left, peak, right], fill=colour, outline=_shade(colour, 0.8))
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
        draw.rectangle((x, base - h, x + w, base), fill=colour, outline=_shade(colour, 0.75), width=4)
        if rng.random() < 0.4:
            draw.polygon([(x, base - h), (x + w / 2, base - h - w * 0.4), (x + w, base - h)], fill=_shade(colour, 0.85))
        for wy in np.arange(base - h + 30, base - 30, 46):
            for wx in np.arange(x + 22, x + w - 30, 40):
                if rng.random() < 0.3:
                    draw.rectangle((wx, wy, wx + 18, wy + 24), fill=WARM_LIGHT)
        x += w + rng.uniform(4, 20)


def _sea(draw: ImageDraw.ImageDraw, rng: random.Random, moon: Point, island: bool) -> None:
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
        (x - width / 2, horizon - 60, x + width / 2, horizon + 60), 180, 360, fill=sand, outline=_line_of(sand), width=5
    )
    _palm(draw, x - width * 0.1, horizon - 40, CANVAS * 0.16, lean=1)
    _palm(draw, x + width * 0.18, horizon - 30, CANVAS * 0.11, lean=-1)


def _palm(draw: ImageDraw.ImageDraw, x: float, base: float, height: float, lean: int) -> None:
    """A curved trunk and drooping fronds made of long thin ellipses."""
    trunk: RGB = (150, 110, 90)
    points = [(x + lean * height * 0.25 * (t / 8) ** 2, base - height * t / 8) for t in range(9)]
    draw.line(points, fill=_line_of(trunk), width=26, joint="curve")
    draw.line(points, fill=trunk, width=18, joint="curve")
    top = points[-1]
    leaf: RGB = (76, 156, 112)
    length = height * 0.34
    for angle in (-200, -160, -125, -90, -55, -20, 20):
        a = math.radians(angle)
        centre = (top[0] + math.cos(a) * length * 0.5, top[1] + math.sin(a) * length * 0.5 + length * 0.12)
        draw.polygon(
            _ellipse_points(*centre, length * 0.55, length * 0.13, angle + 8 * lean),
            fill=leaf,
            outline=_line_of(leaf),
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
            [(x - 70, y), (x + 70, y), (x + 50, y + 34), (x - 50, y + 34)], fill=hull, outline=_line_of(hull), width=5
        )
        draw.line([(x, y), (x, y - 140)], fill=(110, 90, 90), width=8)
        draw.polygon(
            [(x + 6, y - 134), (x + 6, y - 14), (x + 80, y - 14)],
            fill=(244, 236, 220),
            outline=_line_of((244, 236, 220)),
        )
        return
    rock: RGB = (84, 84, 120)
    draw.chord((x - 120, horizon - 40, x + 120, horizon + 50), 180, 360, fill=rock)
    body: RGB = (240, 236, 230)
    draw.polygon(
        [(x - 40, horizon - 10), (x + 40, horizon - 10), (x + 24, horizon - 260), (x - 24, horizon - 260)],
        fill=body,
        outline=_line_of(body),
        width=5,
    )
    for band in (0.25, 0.6):
        y = horizon - 10 - 250 * band
        draw.rectangle((x - 38 + 16 * band, y - 24, x + 38 - 16 * band, y), fill=(214, 90, 90))
    draw.polygon(
        [(x - 34, horizon - 290), (x, horizon - 330), (x + 34, horizon - 290)],
        fill=(214, 90, 90),
        outline=_line_of((214, 90, 90)),
    )
    draw.rectangle((x - 22, horizon - 290, x + 22, horizon - 260), fill=WARM_LIGHT)
    draw.polygon([(x, horizon - 275), (x - 420, horizon - 350), (x - 420, horizon - 200)], fill=(255, 236, 170, 40))


def _castle(draw: ImageDraw.ImageDraw, rng: random.Random, x: float, base: float) -> None:
    """A fairy-tale castle on the far hill: towers, pointed roofs, lit windows, flags."""
    wall: RGB = (176, 164, 214)
    roof = rng.choice(((214, 110, 140), (110, 130, 210), (150, 110, 200)))
    outline = _line_of(wall)
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
            outline=_line_of(roof),
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


def _treeline(draw: ImageDraw.ImageDraw, rng: random.Random, ridge: list[Point], snow: bool) -> None:
    """Rows of small pines along the hill, so a forest fills the middle distance."""
    for row, colour in enumerate(((60, 96, 120), (46, 84, 104))):
        x = rng.uniform(-40, 0)
        while x < CANVAS + 40:
            h = rng.uniform(0.1, 0.16) * CANVAS * (1 + row * 0.2)
            _pine(draw, x, _ridge_height(ridge, x) + 30 + row * 40, h, colour, snow)
            x += rng.uniform(50, 110)


def _pine(draw: ImageDraw.ImageDraw, x: float, base: float, height: float, colour: RGB, snow: bool) -> None:
    """Three stacked tiers; snow caps each tier in winter scenes."""
    draw.rectangle((x - height * 0.04, base - height * 0.15, x + height * 0.04, base), fill=(96, 70, 70))
    for tier in range(3):
        bottom = base - height * (0.12 + tier * 0.24)
        half = height * (0.3 - tier * 0.07)
        top = bottom - height * 0.42
        draw.polygon(
            [(x - half, bottom), (x, top), (x + half, bottom)], fill=colour, outline=_shade(colour, 0.7), width=3
        )
        if snow:
            draw.polygon(
                [(x - half * 0.45, top + height * 0.19), (x, top), (x + half * 0.45, top + height * 0.19)],
                fill=(236, 240, 252),
            )


def _round_tree(draw: ImageDraw.ImageDraw, x: float, base: float, height: float, colour: RGB, snow: bool) -> None:
    trunk: RGB = (120, 86, 80)
    draw.rectangle(
        (x - height * 0.05, base - height * 0.5, x + height * 0.05, base), fill=trunk, outline=_line_of(trunk), width=4
    )
    r = height * 0.28
    for dx, dy in ((-0.5, 0.1), (0.5, 0.1), (0, -0.35)):
        cx, cy = x + dx * r, base - height * 0.62 + dy * r
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour, outline=_line_of(colour), width=4)
        if snow:
            draw.chord((cx - r * 0.8, cy - r, cx + r * 0.8, cy - r * 0.1), 180, 360, fill=(236, 240, 252))


def _round_trees(
    draw: ImageDraw.ImageDraw, rng: random.Random, ridge: list[Point], snow: bool, river: list[Point]
) -> None:
    for _ in range(rng.randint(3, 5)):
        x = rng.uniform(0.04, 0.96) * CANVAS
        if not _on_river(river, x):
            _round_tree(
                draw,
                x,
                _ridge_height(ridge, x) + 40,
                rng.uniform(0.1, 0.15) * CANVAS,
                rng.choice(((70, 124, 120), (84, 130, 110), (96, 118, 150))),
                snow,
            )


def _village(draw: ImageDraw.ImageDraw, rng: random.Random, ridge: list[Point], snow: bool, river: list[Point]) -> None:
    """A handful of cottages with warm windows, the most comforting thing in a night scene."""
    for x in sorted(rng.uniform(0.06, 0.94) * CANVAS for _ in range(rng.randint(4, 6))):
        if not _on_river(river, x):
            _house(draw, rng, x, _ridge_height(ridge, x) + 50, rng.uniform(0.07, 0.1) * CANVAS, snow)


def _house(draw: ImageDraw.ImageDraw, rng: random.Random, x: float, base: float, w: float, snow: bool) -> None:
    wall = rng.choice(((236, 210, 180), (214, 190, 220), (200, 214, 236), (240, 196, 170)))
    roof = rng.choice(((190, 90, 100), (110, 100, 170), (150, 96, 90)))
    h = w * 0.8
    draw.rectangle((x + w * 0.2, base - h - w * 0.5, x + w * 0.32, base - h), fill=roof)
    draw.rectangle((x - w / 2, base - h, x + w / 2, base), fill=wall, outline=_line_of(wall), width=4)
    draw.polygon(
        [(x - w * 0.62, base - h), (x, base - h - w * 0.55), (x + w * 0.62, base - h)],
        fill=(236, 240, 252) if snow else roof,
        outline=_line_of(roof),
        width=4,
    )
    for wx in (x - w * 0.3, x + w * 0.1):
        draw.ellipse((wx - 16, base - h * 0.62 - 16, wx + w * 0.2 + 16, base - h * 0.3 + 16), fill=(255, 214, 120, 50))
        draw.rectangle(
            (wx, base - h * 0.62, wx + w * 0.2, base - h * 0.3), fill=WARM_LIGHT, outline=_line_of(wall), width=3
        )


def _river_banks(rng: random.Random, ridge: list[Point]) -> list[Point]:
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
            top = _ridge_height(ridge, centre) + 14
        y = top + (CANVAS * 1.02 - top) * t
        half = CANVAS * (0.008 + 0.17 * t * t)
        left.append((centre - half, y))
        right.append((centre + half, y))
    return [*left, *reversed(right)]


def _on_river(river: list[Point], x: float) -> bool:
    """Whether x is where the river leaves the hills, so trees and houses do not stand in it."""
    near = [px for px, py in river if py < CANVAS * 0.78]
    return bool(near) and min(near) - 90 < x < max(near) + 90


def _river(draw: ImageDraw.ImageDraw, river: list[Point]) -> None:
    water: RGB = (86, 124, 196)
    draw.polygon(river, fill=water, outline=(176, 196, 240), width=8)
    half = len(river) // 2
    left, right = river[:half], river[half:][::-1]
    for a, b in zip(left[3::3], right[3::3], strict=True):
        mid = (a[0] + b[0]) / 2
        span = (b[0] - a[0]) * 0.25
        draw.line([(mid - span, a[1]), (mid + span, a[1])], fill=(210, 222, 252, 150), width=5)


def _ground(draw: ImageDraw.ImageDraw, rng: random.Random, kinds: set[str], river: list[Point]) -> None:
    """The foreground the cast stands on, and its small decorations."""
    if "snow" in kinds:
        colour: RGB = (214, 224, 248)
    elif "sea" in kinds:
        colour = (226, 200, 160)
    else:
        colour = (88, 140, 120)
    front = _ridge(rng, CANVAS * 0.78, CANVAS * 0.025, 0.7)
    draw.polygon(front, fill=colour, outline=_line_of(colour), width=5)
    lower = [(x, y + CANVAS * 0.1) for x, y in front[:-2]] + front[-2:]
    draw.polygon(lower, fill=_shade(colour, 0.93))
    if river:
        _river(draw, river)
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
            draw.pieslice((x - r, y - r, x + r, y + r), 180, 360, fill=shell, outline=_line_of(shell), width=3)


def _starfish(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    points: list[Point] = []
    for i in range(10):
        a = math.radians(-90 + i * 36)
        rr = r if i % 2 == 0 else r * 0.45
        points.append((x + math.cos(a) * rr, y + math.sin(a) * rr))
    colour: RGB = (244, 150, 110)
    draw.polygon(points, fill=colour, outline=_line_of(colour), width=3)


def _forest_frame(draw: ImageDraw.ImageDraw, rng: random.Random, snow: bool) -> None:
    """Big trees at the edges frame the page like a clearing; mushrooms sit at their feet."""
    colour: RGB = (52, 110, 100)
    _pine(draw, CANVAS * rng.uniform(0.02, 0.07), CANVAS * 0.86, CANVAS * 0.5, colour, snow)
    _pine(draw, CANVAS * rng.uniform(0.93, 0.98), CANVAS * 0.84, CANVAS * 0.46, colour, snow)
    for _ in range(4):
        x = rng.choice((rng.uniform(0.1, 0.2), rng.uniform(0.8, 0.9))) * CANVAS
        y = rng.uniform(0.84, 0.95) * CANVAS
        if not snow:
            _mushroom(draw, x, y, rng.uniform(24, 36))


def _mushroom(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    stem: RGB = (240, 230, 214)
    cap: RGB = (222, 90, 90)
    draw.rounded_rectangle(
        (x - r * 0.35, y - r, x + r * 0.35, y), radius=r * 0.2, fill=stem, outline=_line_of(stem), width=3
    )
    draw.chord((x - r, y - r * 1.9, x + r, y - r * 0.2), 180, 360, fill=cap, outline=_line_of(cap), width=3)
    for dx in (-0.45, 0.3):
        draw.ellipse((x + dx * r - 5, y - r * 1.45 - 5, x + dx * r + 5, y - r * 1.45 + 5), fill=(255, 246, 236))


def _flowers(draw: ImageDraw.ImageDraw, rng: random.Random, front: list[Point], many: bool) -> None:
    for _ in range(40 if many else 18):
        x = rng.uniform(0.02, 0.98) * CANVAS
        y = rng.uniform(_ridge_height(front, x) + 30, CANVAS * 0.98)
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
        draw.ellipse((x - r, cy - r, x + r, cy + r), fill=snow, outline=_line_of(snow), width=4)
    draw.polygon([(x, y - 252), (x + 40, y - 246), (x, y - 240)], fill=(240, 140, 70))
    for dx in (-12, 12):
        draw.ellipse((x + dx - 5, y - 270, x + dx + 5, y - 260), fill=INK)
    draw.rectangle((x - 44, y - 216, x + 44, y - 200), fill=(214, 90, 100))


def _space_ground(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """The curve of a small cratered world, so the cast stands somewhere even in space."""
    rock: RGB = (176, 168, 206)
    draw.ellipse((-CANVAS * 0.4, CANVAS * 0.7, CANVAS * 1.4, CANVAS * 1.9), fill=rock, outline=_line_of(rock), width=6)
    for _ in range(9):
        x, y = rng.uniform(0.05, 0.95) * CANVAS, rng.uniform(0.8, 0.97) * CANVAS
        r = rng.uniform(30, 70)
        draw.ellipse(
            (x - r, y - r * 0.35, x + r, y + r * 0.35), fill=_shade(rock, 0.82), outline=_line_of(rock), width=3
        )
    x = CANVAS * rng.choice((0.12, 0.88))
    _rocket(draw, x, CANVAS * 0.86)


def _rocket(draw: ImageDraw.ImageDraw, x: float, base: float) -> None:
    body: RGB = (240, 236, 246)
    red: RGB = (222, 100, 110)
    draw.polygon([(x - 60, base), (x - 34, base - 90), (x - 34, base - 10)], fill=red, outline=_line_of(red), width=4)
    draw.polygon([(x + 60, base), (x + 34, base - 90), (x + 34, base - 10)], fill=red, outline=_line_of(red), width=4)
    draw.ellipse((x - 40, base - 300, x + 40, base - 4), fill=body, outline=_line_of(body), width=5)
    draw.chord((x - 40, base - 300, x + 40, base - 180), 180, 360, fill=red)
    draw.ellipse((x - 20, base - 190, x + 20, base - 150), fill=(140, 200, 236), outline=_line_of(body), width=5)


@dataclass
class _Pen:
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
        self.draw.ellipse((x0, y0, x1, y1), fill=_shade(fill, 0.84))
        self.draw.ellipse((x0, y0, x1 - inset[0], y1 - inset[1]), fill=fill)
        hx, hy = x0 + (x1 - x0) * 0.3, y0 + (y1 - y0) * 0.24
        hr = min(x1 - x0, y1 - y0) * 0.1
        self.draw.ellipse((hx - hr, hy - hr, hx + hr, hy + hr), fill=(255, 255, 255, 60))
        self.draw.ellipse((x0, y0, x1, y1), outline=_line_of(fill), width=self.width)

    def oval(self, cx: float, cy: float, rx: float, ry: float, fill: RGB | RGBA) -> None:
        self.draw.ellipse(self.box(cx, cy, rx, ry), fill=fill)

    def shape(self, points: Sequence[Point], fill: RGB, outline: bool = True) -> None:
        mapped = [self.point(px, py) for px, py in points]
        self.draw.polygon(mapped, fill=fill, outline=_line_of(fill) if outline else None, width=self.width)

    def outline(self, points: Sequence[Point], colour: RGB) -> None:
        """Only the outline, for shapes filled in several colours."""
        mapped = [self.point(px, py) for px, py in points]
        self.draw.polygon(mapped, outline=_line_of(colour), width=self.width)

    def stroke(self, points: Sequence[Point], fill: RGB, width: float) -> None:
        """A thick outlined curve painted as overlapping dots: wide Pillow lines crack at joints."""
        path = _resample([self.point(px, py) for px, py in _smooth(points)], width * self.u / 4)
        for colour, r in ((_line_of(fill), width * self.u / 2 + self.width), (fill, width * self.u / 2)):
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


def _resample(points: Sequence[Point], spacing: float) -> list[Point]:
    """Points every `spacing` pixels along a polyline, so dots painted on it join up."""
    out = [points[0]]
    for (ax, ay), (bx, by) in itertools.pairwise(points):
        steps = max(1, math.ceil(math.hypot(bx - ax, by - ay) / max(spacing, 1.0)))
        out += [(ax + (bx - ax) * i / steps, ay + (by - ay) * i / steps) for i in range(1, steps + 1)]
    return out


def _smooth(points: Sequence[Point], rounds: int = 3) -> list[Point]:
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


def _ellipse_points(cx: float, cy: float, rx: float, ry: float, angle: float, n: int = 36) -> list[Point]:
    """A rotated ellipse as a polygon; Pillow only draws axis-aligned ones."""
    a = math.radians(angle)
    points: list[Point] = []
    for i in range(n):
        t = i * math.tau / n
        x, y = rx * math.cos(t), ry * math.sin(t)
        points.append((cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a)))
    return points


def _cast(draw: ImageDraw.ImageDraw, characters: Sequence[Character], title: str, scene_id: str, labels: bool) -> None:
    """Spread the cast across the foreground, each facing the middle of the page."""
    count = len(characters)
    if not count:
        return
    height = CANVAS * (0.3 if count <= 2 else 0.25 if count == 3 else 0.21)
    for index, character in enumerate(characters):
        rng = random.Random(_seed(title, scene_id, character.id, str(index)))
        slot = (index + 0.5) / count
        x = CANVAS * (0.5 + (slot - 0.5) * (0.62 if count == 2 else 0.76))
        x += rng.uniform(-0.02, 0.02) * CANVAS
        base = CANVAS * (0.9 + rng.uniform(-0.015, 0.015) + (0.02 if index % 2 else 0))
        kind = character_kind(character)
        size = height * KIND_SCALE.get(kind, 1.0)
        draw.ellipse((x - size * 0.3, base - size * 0.05, x + size * 0.3, base + size * 0.04), fill=(30, 24, 60, 70))
        pen = _Pen(draw, x, base, size / 100, flip=x > CANVAS / 2)
        look = random.Random(_seed(character.id, character.name))
        DRAWERS.get(kind, _creature)(pen, _fur(kind, character, look), look)
        if labels:
            _label(draw, character.name, x, base + size * 0.07)


KIND_SCALE: dict[str, float] = {
    "mouse": 0.8,
    "owl": 0.9,
    "crab": 0.72,
    "frog": 0.78,
    "bear": 1.08,
    "dragon": 1.1,
    "girl": 1.1,
    "boy": 1.1,
    "child": 1.1,
    "robot": 1.05,
    "rabbit": 0.95,
}


def _fur(kind: str, character: Character, look: random.Random) -> RGB:
    """A colour named in the description wins; otherwise the kind's colour, nudged per character."""
    for word in _words(character.description):
        if word in COLOUR_WORDS and word not in NATURAL.get(kind, ()):
            return COLOUR_WORDS[word]
    base = FUR.get(kind, FUR["creature"])
    if kind in ("girl", "boy", "child"):
        return look.choice(PAJAMAS)
    if kind == "creature":
        base = look.choice(((196, 170, 226), (160, 210, 220), (246, 190, 170), (200, 220, 150)))
    jitter = look.uniform(-0.08, 0.08)
    return _mix(base, (255, 255, 255) if jitter > 0 else (0, 0, 0), abs(jitter))


def _label(draw: ImageDraw.ImageDraw, name: str, x: float, y: float) -> None:
    """The name on a small pill, kept inside the page; nothing at all if no letter can be drawn."""
    text = label_text(name)
    if not text:
        return
    font = _font()
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    w, h = right - left, bottom - top
    pad = 18
    x = min(max(x, w / 2 + pad + 10), CANVAS - w / 2 - pad - 10)
    y = min(y, CANVAS - h - 2 * pad - 10)
    draw.rounded_rectangle(
        (x - w / 2 - pad, y, x + w / 2 + pad, y + h + pad * 1.2),
        radius=(h + pad) / 2,
        fill=(255, 250, 240, 200),
        outline=(120, 100, 140, 200),
        width=3,
    )
    draw.text((x - w / 2 - left, y + pad * 0.6 - top), text, font=font, fill=INK)


def label_text(name: str) -> str:
    """A name as the bundled font can draw it: accents folded ("Zoë" -> "Zoe"), other glyphs
    dropped rather than shown as boxes, cut to LABEL_CHARS. Names are user data of any length."""
    folded = unicodedata.normalize("NFKD", name[: LABEL_CHARS * 8])
    kept = "".join(" " if ch.isspace() else ch for ch in folded if ch.isspace() or _drawable(ch))
    text = " ".join(kept.split())
    if len(text) > LABEL_CHARS:
        text = text[: LABEL_CHARS - 1].rstrip() + "…"
    return text


def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled font: no file on disk to ship or download. It covers ASCII only."""
    return ImageFont.load_default(size=44)


@functools.cache
def _drawable(ch: str) -> bool:
    if not ch.isprintable():
        return False
    font = _font()
    if not isinstance(font, ImageFont.FreeTypeFont):
        return ch.isascii()
    # A character the font lacks renders as its "missing glyph" box; compare with a private-use one.
    return _glyph(font, ch) != _glyph(font, "\ue000")


def _glyph(font: ImageFont.FreeTypeFont, ch: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(ch)
    return mask.size, bytes(mask)


def _eyes(pen: _Pen, y: float, spread: float, r: float = 3.6) -> None:
    for side in (-1, 1):
        pen.oval(side * spread, y, r, r * 1.2, INK)
        pen.oval(side * spread - r * 0.3, y - r * 0.45, r * 0.38, r * 0.38, (255, 255, 255))


def _cheeks(pen: _Pen, y: float, spread: float, r: float = 5.0) -> None:
    for side in (-1, 1):
        pen.oval(side * spread, y, r, r * 0.6, CHEEK)


def _smile(pen: _Pen, y: float, w: float = 4.0) -> None:
    pen.arc(-w / 2, y - w / 2, w / 2, w / 2, 20, 160, INK, 0.9)
    pen.arc(w / 2, y - w / 2, w / 2, w / 2, 20, 160, INK, 0.9)


def _feet(pen: _Pen, colour: RGB, spread: float = 11, r: float = 9) -> None:
    for side in (-1, 1):
        pen.blob(side * spread, -4, r, r * 0.6, colour)


def _arms(pen: _Pen, colour: RGB, y: float = -32, spread: float = 20) -> None:
    for side in (-1, 1):
        pen.shape(_ellipse_points(side * spread, y, 6, 11, side * -20), colour)


def _fox(pen: _Pen, fur: RGB, look: random.Random) -> None:
    """Pointed ears, white muzzle and a bushy white-tipped tail."""
    cream: RGB = (252, 244, 232)
    dark = _shade(fur, 0.55)
    tail = _ellipse_points(30, -26, 26, 12, -40)
    pen.shape(tail, cream, False)
    pen.shape(_ellipse_points(30 - 8 * 0.766, -26 + 8 * 0.643, 18, 12.2, -40), fur, False)
    pen.outline(tail, fur)
    _feet(pen, dark)
    pen.blob(0, -28, 22, 24, fur)
    pen.oval(0, -24, 12, 15, cream)
    _arms(pen, dark)
    for side in (-1, 1):
        pen.shape([(side * 28, -70), (side * 22, -104), (side * 6, -86)], fur)
        pen.shape([(side * 23, -76), (side * 21, -96), (side * 11, -86)], (250, 200, 190), False)
    pen.blob(0, -64, 30, 25, fur)
    for side in (-1, 1):
        pen.oval(side * 11, -55, 14, 10, cream)
    _eyes(pen, -68, 11)
    pen.oval(0, -60, 4, 3, INK)
    _smile(pen, -56)
    _cheeks(pen, -58, 20)


def _rabbit(pen: _Pen, fur: RGB, look: random.Random) -> None:
    """Long ears with pink insides and a cotton tail peeking out."""
    pink: RGB = (248, 180, 190)
    pen.blob(22, -18, 9, 9, (250, 250, 250))
    _feet(pen, fur, 12, 11)
    pen.blob(0, -25, 22, 23, fur)
    pen.oval(0, -22, 13, 14, _mix(fur, (255, 255, 255), 0.5))
    _arms(pen, fur, -30, 18)
    droop = look.choice((0, 25))
    for side in (-1, 1):
        tilt = side * 10 + (droop if side == 1 else 0)
        pen.shape(_ellipse_points(side * 11, -98, 8, 24, tilt), fur)
        pen.shape(_ellipse_points(side * 11, -96, 4, 17, tilt), pink, False)
    pen.blob(0, -60, 27, 24, fur)
    _eyes(pen, -63, 10)
    pen.shape([(-3, -57), (3, -57), (0, -54)], pink, False)
    pen.shape([(-2.5, -52), (2.5, -52), (2.5, -48), (-2.5, -48)], (255, 255, 255))
    _smile(pen, -51)
    _cheeks(pen, -55, 17)


def _bear(pen: _Pen, fur: RGB, look: random.Random, panda: bool = False) -> None:
    """Round ears and a pale muzzle; a panda is the same bear with black patches."""
    patch = (70, 66, 84) if panda else _mix(fur, (255, 240, 220), 0.45)
    limbs = (70, 66, 84) if panda else fur
    _feet(pen, limbs, 12, 10)
    pen.blob(0, -27, 25, 26, fur)
    pen.oval(0, -23, 14, 15, _mix(fur, (255, 240, 220), 0.4) if not panda else fur)
    _arms(pen, limbs, -33, 22)
    for side in (-1, 1):
        pen.blob(side * 21, -84, 9, 9, limbs)
        pen.oval(side * 21, -84, 4.5, 4.5, _mix(limbs, (255, 200, 200), 0.35))
    pen.blob(0, -62, 30, 26, fur)
    if panda:
        for side in (-1, 1):
            pen.shape(_ellipse_points(side * 11, -65, 7, 9, side * 30), patch, False)
    else:
        pen.oval(0, -54, 13, 9, patch)
    _eyes(pen, -66, 11, 3.4)
    pen.oval(0, -58, 4.5, 3.2, INK)
    _smile(pen, -54)
    _cheeks(pen, -57, 20)


def _panda(pen: _Pen, fur: RGB, look: random.Random) -> None:
    _bear(pen, fur, look, panda=True)


def _cat(pen: _Pen, fur: RGB, look: random.Random) -> None:
    """Triangle ears, whiskers and a curling tail; tigers get stripes."""
    pen.stroke([(16, -12), (30, -18), (38, -34), (34, -50), (40, -58)], fur, 7)
    _feet(pen, fur, 10, 8)
    pen.blob(0, -26, 20, 23, fur)
    pen.oval(0, -22, 11, 14, _mix(fur, (255, 255, 255), 0.5))
    _arms(pen, fur, -30, 17)
    for side in (-1, 1):
        pen.shape([(side * 28, -66), (side * 24, -96), (side * 6, -82)], fur)
        pen.shape([(side * 23, -72), (side * 22, -89), (side * 12, -81)], (250, 190, 200), False)
    pen.blob(0, -62, 29, 24, fur)
    stripes = _shade(fur, 0.6)
    for dx in (-6, 0, 6):
        pen.line([(dx, -85), (dx, -77)], stripes, 2)
    _eyes(pen, -64, 11, 3.8)
    pen.shape([(-3, -58), (3, -58), (0, -55)], (240, 140, 160), False)
    _smile(pen, -54)
    for side in (-1, 1):
        for dy in (-3, 2):
            pen.line([(side * 16, -56 + dy / 2), (side * 36, -58 + dy * 2)], _line_of(fur), 0.6)


def _dog(pen: _Pen, fur: RGB, look: random.Random) -> None:
    """Floppy ears, a big nose, a patch over one eye and a little tongue."""
    ear = _shade(fur, 0.7)
    pen.stroke([(18, -20), (28, -30), (32, -44)], fur, 6)
    _feet(pen, fur, 11, 9)
    pen.blob(0, -27, 22, 24, fur)
    pen.oval(0, -23, 12, 15, _mix(fur, (255, 255, 255), 0.55))
    _arms(pen, fur, -31, 19)
    pen.blob(0, -62, 29, 25, fur)
    pen.oval(11, -68, 8, 8, ear)
    for side in (-1, 1):
        pen.shape(_ellipse_points(side * 28, -62, 8, 18, side * -18), ear)
    pen.oval(0, -54, 14, 10, _mix(fur, (255, 255, 255), 0.6))
    _eyes(pen, -67, 11)
    pen.oval(0, -59, 5, 3.8, INK)
    pen.oval(0, -50, 3, 3.5, (240, 120, 140))
    _smile(pen, -53)
    _cheeks(pen, -56, 20)


def _mouse(pen: _Pen, fur: RGB, look: random.Random) -> None:
    """Big round ears and a thin pink tail."""
    pink: RGB = (246, 176, 190)
    pen.stroke([(16, -8), (32, -6), (42, -18), (40, -32), (48, -40)], pink, 2.2)
    _feet(pen, pink, 9, 7)
    pen.blob(0, -24, 19, 21, fur)
    pen.oval(0, -21, 11, 13, _mix(fur, (255, 255, 255), 0.5))
    _arms(pen, fur, -28, 16)
    for side in (-1, 1):
        pen.blob(side * 22, -82, 15, 15, fur)
        pen.oval(side * 22, -82, 9, 9, pink)
    pen.blob(0, -60, 25, 22, fur)
    _eyes(pen, -62, 10, 3.4)
    pen.oval(0, -55, 3.4, 2.8, pink)
    _smile(pen, -51, 3.4)
    _cheeks(pen, -54, 16)
    for side in (-1, 1):
        pen.line([(side * 8, -55), (side * 24, -58)], _line_of(fur), 0.5)


def _owl(pen: _Pen, fur: RGB, look: random.Random) -> None:
    """An egg-shaped owl with huge eyes, ear tufts and folded wings."""
    orange: RGB = (246, 176, 90)
    pale = _mix(fur, (255, 244, 226), 0.6)
    for side in (-1, 1):
        pen.blob(side * 10, -3, 7, 4, orange)
        pen.shape([(side * 30, -70), (side * 28, -94), (side * 14, -80)], fur)
    pen.blob(0, -44, 34, 42, fur)
    pen.oval(0, -30, 21, 24, pale)
    for row in range(3):
        for col in (-1, 0, 1):
            if row == 2 and col:
                continue
            pen.arc(col * 9, -38 + row * 9, 4, 3, 20, 160, _shade(pale, 0.7), 0.8)
    for side in (-1, 1):
        pen.shape(_ellipse_points(side * 32, -40, 9, 22, side * 12), _shade(fur, 0.85))
        pen.oval(side * 13, -62, 13, 13, pale)
        pen.oval(side * 13, -62, 8, 8, (255, 255, 255))
    _eyes(pen, -62, 13, 5.5)
    pen.shape([(-4, -55), (4, -55), (0, -48)], orange)


def _dragon(pen: _Pen, fur: RGB, look: random.Random) -> None:
    """Little wings, a spiky tail, soft horns and a striped belly: friendly, not fierce."""
    cream: RGB = (250, 234, 190)
    wing = _shade(fur, 0.8)
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
    tail = _smooth([(14, -14), (34, -6), (50, -10), (60, -22), (64, -30)])
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
    _feet(pen, fur, 12, 10)
    pen.blob(0, -28, 24, 26, fur)
    pen.oval(0, -24, 13, 17, cream)
    for dy in (-32, -24, -16):
        pen.line([(-10, dy), (10, dy)], _shade(cream, 0.75), 0.7)
    _arms(pen, fur, -34, 21)
    for side in (-1, 1):
        pen.shape([(side * 10, -84), (side * 18, -100), (side * 20, -82)], cream)
    pen.blob(0, -64, 29, 24, fur)
    pen.oval(0, -55, 15, 9, _mix(fur, (255, 255, 255), 0.3))
    for side in (-1, 1):
        pen.oval(side * 5, -57, 1.6, 1.2, _shade(fur, 0.5))
    _eyes(pen, -68, 11, 4)
    _smile(pen, -52)
    _cheeks(pen, -58, 20)


def _robot(pen: _Pen, fur: RGB, look: random.Random) -> None:
    """Boxy but round-cornered, with a screen face and a glowing antenna."""
    glow = look.choice(((120, 230, 230), (250, 210, 110), (180, 240, 150)))
    dark = _shade(fur, 0.6)
    line = _line_of(fur)
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
    box(-14, -44, 14, -24, _shade(fur, 0.88), 3)
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


def _child(pen: _Pen, fur: RGB, look: random.Random, style: str = "child") -> None:
    """A child in pyjamas, ready for bed; hair style follows 'girl' or 'boy' when given."""
    skin = look.choice(SKIN)
    hair = look.choice([h for h in HAIR if sum(abs(a - b) for a, b in zip(h, skin, strict=True)) > 100])
    if style == "child":
        style = look.choice(("girl", "boy"))
    girl = style == "girl"
    if girl:
        for side in (-1, 1):
            pen.shape(_ellipse_points(side * 30, -76, 7, 12, side * -35), hair)
        pen.blob(0, -62, 30, 27, hair)
        pen.shape([(-30, -62), (30, -62), (27, -40), (-27, -40)], hair)
    for side in (-1, 1):
        pen.blob(side * 9, -4, 9, 5.5, _mix(fur, (255, 255, 255), 0.5))
        pen.shape([(side * 2, -20), (side * 15, -20), (side * 14, -6), (side * 3, -6)], fur)
    hem = 20 if girl else 17
    pen.shape([(-hem, -16), (-14, -50), (14, -50), (hem, -16)], fur)
    for dx, dy in ((-8, -38), (6, -30), (-4, -22), (9, -44)):
        pen.oval(dx, dy, 2.2, 2.2, (255, 255, 255, 170))
    for side in (-1, 1):
        pen.shape(_ellipse_points(side * 19, -38, 5.5, 12, side * -18), fur)
        pen.blob(side * 22, -26, 4.5, 4.5, skin)
    pen.blob(0, -68, 25, 24, skin)
    line = _line_of(hair)
    pen.draw.chord(pen.box(0, -74, 26.2, 20), 180, 360, fill=hair, outline=line, width=pen.width)
    for dx in (-18, -6, 6, 18):
        pen.oval(dx, -75, 7.5, 5, hair)
        pen.arc(dx, -75, 7.5, 5, 10, 170, line, 1.0)
    if girl:
        bow: RGB = (240, 120, 150)
        pen.shape([(14, -90), (26, -98), (26, -84)], bow)
        pen.shape([(14, -90), (2, -98), (2, -84)], bow)
        pen.blob(14, -90, 3, 3, bow)
    else:
        pen.stroke([(-2, -92), (4, -100), (10, -98)], hair, 3)
    _eyes(pen, -62, 9, 3.2)
    _smile(pen, -54, 4)
    _cheeks(pen, -56, 15, 4.5)


def _girl(pen: _Pen, fur: RGB, look: random.Random) -> None:
    _child(pen, fur, look, "girl")


def _boy(pen: _Pen, fur: RGB, look: random.Random) -> None:
    _child(pen, fur, look, "boy")


def _crab(pen: _Pen, fur: RGB, look: random.Random) -> None:
    """A wide shell, eyes on stalks and two raised claws."""
    line = _line_of(fur)
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
    _smile(pen, -18, 6)
    _cheeks(pen, -22, 18)


def _frog(pen: _Pen, fur: RGB, look: random.Random) -> None:
    """Wide head, eyes perched on top, a big grin."""
    for side in (-1, 1):
        pen.blob(side * 16, -4, 12, 5, fur)
    pen.blob(0, -24, 26, 22, fur)
    pen.oval(0, -20, 16, 14, _mix(fur, (255, 250, 220), 0.55))
    pen.blob(0, -50, 33, 20, fur)
    for side in (-1, 1):
        pen.blob(side * 16, -68, 11, 11, fur)
        pen.oval(side * 16, -68, 7, 7, (255, 255, 255))
    _eyes(pen, -68, 16, 4)
    pen.arc(0, -52, 14, 6, 20, 160, INK, 1.0)
    _cheeks(pen, -46, 22)


def _penguin(pen: _Pen, fur: RGB, look: random.Random) -> None:
    orange: RGB = (246, 170, 80)
    for side in (-1, 1):
        pen.blob(side * 10, -3, 8, 4, orange)
        pen.shape(_ellipse_points(side * 28, -40, 7, 20, side * -20), fur)
    pen.blob(0, -44, 28, 42, fur)
    pen.oval(0, -36, 19, 32, (250, 250, 252))
    for side in (-1, 1):
        pen.oval(side * 9, -64, 10, 11, (250, 250, 252))
    _eyes(pen, -64, 9)
    pen.shape([(-5, -56), (5, -56), (0, -49)], orange)
    _cheeks(pen, -56, 16)
    if look.random() < 0.5:
        # A bobble hat for bed, tipped back so it does not cover the eyes.
        pen.shape([(-22, -80), (6, -112), (24, -78)], (220, 90, 100))
        pen.shape([(-24, -84), (24, -82), (24, -74), (-24, -76)], (250, 250, 252))
        pen.blob(6, -112, 5, 5, (255, 255, 255))


def _creature(pen: _Pen, fur: RGB, look: random.Random) -> None:
    """The default: a round, soft 'puffling' with stubby antennae, friendly whatever it is."""
    for side in (-1, 1):
        pen.stroke([(side * 12, -74), (side * 18, -92)], fur, 2.5)
        pen.blob(side * 18, -94, 5, 5, _mix(fur, (255, 240, 180), 0.5))
    _feet(pen, fur, 14, 9)
    pen.blob(0, -42, 34, 38, fur)
    pen.oval(0, -32, 20, 20, _mix(fur, (255, 255, 255), 0.45))
    _arms(pen, fur, -40, 32)
    _eyes(pen, -52, 11, 4.4)
    _smile(pen, -42, 5)
    _cheeks(pen, -44, 21)


DRAWERS: dict[str, Callable[[_Pen, RGB, random.Random], None]] = {
    "fox": _fox,
    "rabbit": _rabbit,
    "owl": _owl,
    "bear": _bear,
    "panda": _panda,
    "cat": _cat,
    "dog": _dog,
    "mouse": _mouse,
    "dragon": _dragon,
    "robot": _robot,
    "girl": _girl,
    "boy": _boy,
    "child": _child,
    "crab": _crab,
    "frog": _frog,
    "penguin": _penguin,
}


def _particles(draw: ImageDraw.ImageDraw, rng: random.Random, kinds: set[str]) -> None:
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


def _vignette(image: Image.Image) -> Image.Image:
    """Darken the corners a little, which draws the eye to the middle like a printed page."""
    array = np.asarray(image, dtype=np.float32)
    axis = np.linspace(-1.0, 1.0, SIZE, dtype=np.float32)
    radius = axis[None, :] ** 2 + axis[:, None] ** 2
    factor = 1.0 - 0.22 * np.clip(radius - 0.35, 0.0, None)
    return Image.fromarray((array * factor[:, :, None]).clip(0, 255).astype(np.uint8), "RGB")
