"""The night's key object, drawn large and glowing where the composition puts it: what the story was about.

The writer names a moment ("Ada and the lantern: the littlest star rising home"); the plot's key is found
in it (or in the title) by word, so an OpenAI story whose moment says "kite" gets a kite too.
"""

from __future__ import annotations

import math
import re

from PIL import ImageDraw

from storyteller.providers.offline.picture.canvas import INK, RGB, alpha, line_of, shade
from storyteller.providers.offline.verses.plots import PLOTS

# Words that name a key, besides the key itself.
_ALIASES = {"lullaby": "music", "song": "music", "notes": "music", "hiccup": "bubble", "hiccups": "bubble",
            "giant": "pillow", "story": "book", "rainbow": "raindrop", "birthday": "present", "gift": "present",
            "lost": "", "dark": "heart", "scared": "heart", "frightened": "heart"}  # fmt: skip
KEYS = frozenset(plot.key for plot in PLOTS)


def key_of(moment: str, title: str) -> str | None:
    """The plot's key: by the writer's own moment if it is one of ours, else the first key word said."""
    for plot in PLOTS:
        if moment.endswith(plot.moment):
            return plot.key
    for word in re.findall(r"[a-z]+", f"{moment} {title}".lower()):
        found = word if word in KEYS else _ALIASES.get(word) or (word[:-1] if word[:-1] in KEYS else None)
        if found:
            return found
    return None


def draw_key(draw: ImageDraw.ImageDraw, key: str, x: float, y: float, r: float) -> None:
    """The key object centred on (x, y), about `r` in radius, in a warm halo so the eye goes to it."""
    for step in range(6, 0, -1):
        halo = r * (1 + step * 0.28)
        draw.ellipse((x - halo, y - halo, x + halo, y + halo), fill=alpha((255, 236, 170), 10 + 4 * (6 - step)))
    _DRAWINGS.get(key, _star)(draw, x, y, r)


def _star(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    points = [
        (x + math.cos(math.radians(-90 + i * 36)) * (r if i % 2 == 0 else r * 0.45),
         y + math.sin(math.radians(-90 + i * 36)) * (r if i % 2 == 0 else r * 0.45))
        for i in range(10)
    ]  # fmt: skip
    draw.polygon(points, fill=(255, 226, 110), outline=(200, 150, 50), width=6)
    _face(draw, x, y + r * 0.05, r * 0.3)


def _face(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    for side in (-1, 1):
        draw.arc(
            (x + side * r * 0.6 - r * 0.3, y - r * 0.4, x + side * r * 0.6 + r * 0.3, y), 200, 340, fill=INK, width=5
        )
    draw.arc((x - r * 0.5, y, x + r * 0.5, y + r * 0.7), 20, 160, fill=INK, width=5)


def _moon(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 240, 190), outline=(210, 180, 110), width=6)
    _face(draw, x, y, r * 0.5)
    for i in range(3):  # z z z: the moon asleep
        zx, zy, zr = x + r * (0.9 + i * 0.35), y - r * (0.9 + i * 0.4), r * (0.16 + i * 0.05)
        draw.line([(zx, zy), (zx + zr, zy), (zx, zy + zr), (zx + zr, zy + zr)], fill=(255, 250, 230), width=6)


def _kite(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    red: RGB = (226, 84, 80)
    draw.polygon(
        [(x, y - r), (x + r * 0.7, y - r * 0.1), (x, y + r), (x - r * 0.7, y - r * 0.1)],
        fill=red,
        outline=line_of(red),
        width=6,
    )
    draw.line([(x, y - r), (x, y + r)], fill=shade(red, 0.6), width=5)
    draw.line([(x - r * 0.7, y - r * 0.1), (x + r * 0.7, y - r * 0.1)], fill=shade(red, 0.6), width=5)
    tail = [(x + math.sin(i * 0.9) * r * 0.25, y + r + i * r * 0.25) for i in range(8)]
    draw.line(tail, fill=(250, 240, 220), width=5)
    for tx, ty in tail[2::2]:
        draw.polygon(
            [(tx - 14, ty - 10), (tx + 14, ty + 10), (tx + 14, ty - 10), (tx - 14, ty + 10)], fill=(250, 200, 90)
        )


def _key(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    gold: RGB = (240, 196, 80)
    draw.ellipse((x - r * 0.9, y - r * 0.45, x - r * 0.1, y + r * 0.35), fill=gold, outline=line_of(gold), width=6)
    draw.ellipse((x - r * 0.65, y - r * 0.2, x - r * 0.35, y + r * 0.1), fill=(60, 50, 90))
    draw.rectangle((x - r * 0.1, y - r * 0.1, x + r, y + r * 0.05), fill=gold, outline=line_of(gold), width=6)
    for tooth in (0.6, 0.85):
        draw.rectangle((x + r * tooth - r * 0.08, y, x + r * tooth + r * 0.06, y + r * 0.3), fill=gold)


def _shadow(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    dark = (30, 24, 60, 170)
    draw.ellipse((x - r * 0.45, y - r, x + r * 0.45, y - r * 0.15), fill=dark)
    draw.polygon(
        [(x - r * 0.55, y + r), (x - r * 0.35, y - r * 0.2), (x + r * 0.35, y - r * 0.2), (x + r * 0.7, y + r)],
        fill=dark,
    )
    for side in (-1, 1):
        draw.ellipse(
            (x + side * r * 0.2 - 8, y - r * 0.65 - 8, x + side * r * 0.2 + 8, y - r * 0.65 + 8), fill=(255, 255, 255)
        )


def _bubble(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    for dx, dy, s in ((0, 0, 1.0), (r * 0.9, -r * 0.8, 0.45), (-r * 0.8, -r * 1.0, 0.3)):
        rr = r * s
        draw.ellipse(
            (x + dx - rr, y + dy - rr, x + dx + rr, y + dy + rr),
            fill=(200, 230, 255, 70),
            outline=(230, 245, 255),
            width=6,
        )
        draw.arc(
            (x + dx - rr * 0.7, y + dy - rr * 0.7, x + dx + rr * 0.7, y + dy + rr * 0.7),
            200,
            260,
            fill=(255, 255, 255),
            width=6,
        )


def _heart(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    pink: RGB = (240, 120, 150)
    for side in (-1, 1):
        draw.ellipse(
            (x + side * r * 0.45 - r * 0.5, y - r * 0.7, x + side * r * 0.45 + r * 0.5, y + r * 0.2), fill=pink
        )
    draw.polygon([(x - r * 0.93, y - r * 0.15), (x + r * 0.93, y - r * 0.15), (x, y + r)], fill=pink)


def _balloon(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    blue: RGB = (100, 150, 230)
    draw.line([(x, y + r), (x + r * 0.2, y + r * 1.5), (x - r * 0.1, y + r * 2.1)], fill=(240, 240, 240), width=4)
    draw.ellipse((x - r * 0.75, y - r, x + r * 0.75, y + r), fill=blue, outline=line_of(blue), width=6)
    draw.ellipse((x - r * 0.45, y - r * 0.7, x - r * 0.15, y - r * 0.3), fill=(200, 220, 255))
    draw.polygon([(x - 12, y + r + 14), (x + 12, y + r + 14), (x, y + r - 4)], fill=blue)


def _mitten(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    wool: RGB = (220, 90, 90)
    draw.rounded_rectangle(
        (x - r * 0.55, y - r * 0.8, x + r * 0.45, y + r * 0.5),
        radius=r * 0.45,
        fill=wool,
        outline=line_of(wool),
        width=6,
    )
    draw.ellipse((x + r * 0.2, y - r * 0.35, x + r * 0.75, y + r * 0.15), fill=wool, outline=line_of(wool), width=6)
    draw.rectangle(
        (x - r * 0.6, y + r * 0.4, x + r * 0.5, y + r * 0.8),
        fill=(250, 244, 236),
        outline=line_of((250, 244, 236)),
        width=6,
    )


def _shell(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    pearl: RGB = (250, 214, 220)
    draw.pieslice((x - r, y - r, x + r, y + r), 180, 360, fill=pearl, outline=line_of(pearl), width=6)
    for angle in range(200, 360, 25):
        draw.line(
            [(x, y), (x + math.cos(math.radians(angle)) * r, y + math.sin(math.radians(angle)) * r)],
            fill=shade(pearl, 0.75),
            width=5,
        )
    draw.rectangle((x - r * 0.25, y, x + r * 0.25, y + r * 0.25), fill=pearl)
    for i in range(6):
        sx, sy = x + math.cos(i) * r * 1.2, y - r * 0.6 + math.sin(i * 2) * r * 0.5
        draw.ellipse((sx - 7, sy - 7, sx + 7, sy + 7), fill=(255, 250, 200))


def _clock(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    wood: RGB = (176, 120, 80)
    draw.ellipse((x - r, y - r, x + r, y + r), fill=wood, outline=line_of(wood), width=6)
    draw.ellipse((x - r * 0.8, y - r * 0.8, x + r * 0.8, y + r * 0.8), fill=(252, 246, 230))
    for hour in range(12):
        a = math.radians(hour * 30)
        draw.ellipse(
            (
                x + math.cos(a) * r * 0.65 - 5,
                y + math.sin(a) * r * 0.65 - 5,
                x + math.cos(a) * r * 0.65 + 5,
                y + math.sin(a) * r * 0.65 + 5,
            ),
            fill=INK,
        )
    draw.line([(x, y), (x, y - r * 0.55)], fill=INK, width=8)
    draw.line([(x, y), (x + r * 0.35, y + r * 0.1)], fill=INK, width=8)


def _hat(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    green: RGB = (90, 170, 100)
    draw.ellipse((x - r, y + r * 0.2, x + r, y + r * 0.6), fill=green, outline=line_of(green), width=6)
    draw.rounded_rectangle(
        (x - r * 0.55, y - r * 0.6, x + r * 0.55, y + r * 0.4),
        radius=r * 0.2,
        fill=green,
        outline=line_of(green),
        width=6,
    )
    draw.rectangle((x - r * 0.55, y + r * 0.1, x + r * 0.55, y + r * 0.28), fill=(240, 210, 104))


def _raindrop(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    for i, colour in enumerate(((230, 90, 90), (240, 170, 80), (240, 220, 100), (110, 190, 120), (100, 150, 230))):
        rr = r * (1.9 - i * 0.16)
        draw.arc((x - rr, y - rr * 0.8, x + rr, y + rr * 1.2), 200, 340, fill=colour, width=14)
    drop: RGB = (150, 200, 250)
    draw.ellipse((x - r * 0.5, y - r * 0.1, x + r * 0.5, y + r * 0.8), fill=drop, outline=line_of(drop), width=6)
    draw.polygon([(x - r * 0.45, y + r * 0.2), (x + r * 0.45, y + r * 0.2), (x, y - r * 0.6)], fill=drop)
    _face(draw, x, y + r * 0.35, r * 0.25)


def _pillow(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    cloth: RGB = (240, 236, 250)
    draw.rounded_rectangle(
        (x - r, y - r * 0.5, x + r, y + r * 0.5), radius=r * 0.35, fill=cloth, outline=line_of(cloth), width=6
    )
    for dx in (-0.5, 0, 0.5):
        draw.ellipse((x + dx * r - 8, y - 8, x + dx * r + 8, y + 8), fill=(170, 160, 220))


def _egg(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    shell: RGB = (240, 226, 200)
    draw.ellipse((x - r * 0.7, y - r, x + r * 0.7, y + r * 0.8), fill=shell, outline=line_of(shell), width=6)
    for dx, dy in ((-0.3, -0.4), (0.2, -0.1), (-0.1, 0.3), (0.35, 0.35), (0.0, -0.7)):
        draw.ellipse((x + dx * r - 9, y + dy * r - 7, x + dx * r + 9, y + dy * r + 7), fill=(170, 130, 100))
    draw.arc((x - r * 1.1, y + r * 0.2, x + r * 1.1, y + r * 1.2), 0, 180, fill=(150, 110, 70), width=16)  # the nest


def _book(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    page: RGB = (252, 246, 230)
    for side in (-1, 1):
        draw.polygon(
            [(x, y - r * 0.45), (x + side * r, y - r * 0.6), (x + side * r, y + r * 0.5), (x, y + r * 0.6)],
            fill=page,
            outline=line_of(page),
            width=6,
        )
        for row in range(4):
            ly = y - r * 0.3 + row * r * 0.2
            draw.line([(x + side * r * 0.15, ly), (x + side * r * 0.8, ly - r * 0.05)], fill=(170, 160, 190), width=4)
    draw.line([(x, y - r * 0.45), (x, y + r * 0.6)], fill=(140, 100, 80), width=8)


def _boat(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    paper: RGB = (250, 250, 244)
    draw.polygon(
        [(x - r, y + r * 0.1), (x + r, y + r * 0.1), (x + r * 0.7, y + r * 0.55), (x - r * 0.7, y + r * 0.55)],
        fill=paper,
        outline=line_of(paper),
        width=6,
    )
    draw.polygon(
        [(x - r * 0.5, y + r * 0.1), (x, y - r * 0.8), (x + r * 0.5, y + r * 0.1)],
        fill=shade(paper, 0.92),
        outline=line_of(paper),
        width=6,
    )
    draw.arc((x - r * 1.3, y + r * 0.4, x + r * 1.3, y + r * 0.9), 0, 180, fill=(150, 200, 240), width=8)


def _tooth(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    white: RGB = (252, 252, 246)
    draw.rounded_rectangle(
        (x - r * 0.6, y - r * 0.7, x + r * 0.6, y + r * 0.1),
        radius=r * 0.3,
        fill=white,
        outline=line_of(white),
        width=6,
    )
    for side in (-1, 1):
        draw.polygon(
            [(x + side * r * 0.55, y), (x + side * r * 0.1, y), (x + side * r * 0.3, y + r * 0.8)],
            fill=white,
            outline=line_of(white),
            width=6,
        )
    for i in range(5):  # the fairy's sparkle
        sx, sy = x + r * (0.8 + 0.2 * i), y - r * (0.9 - 0.3 * i)
        draw.ellipse((sx - 7, sy - 7, sx + 7, sy + 7), fill=(255, 240, 160))


def _sheep(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    wool: RGB = (248, 246, 240)
    for dx in (-0.7, -0.3, 0.1, 0.5, -0.2, 0.3):
        dy = -0.3 if dx in (-0.2, 0.3) else 0
        draw.ellipse(
            (x + dx * r - r * 0.35, y + dy * r - r * 0.35, x + dx * r + r * 0.35, y + dy * r + r * 0.35),
            fill=wool,
            outline=line_of(wool),
            width=6,
        )
    draw.ellipse((x + r * 0.65, y - r * 0.3, x + r * 1.1, y + r * 0.2), fill=(80, 70, 90))
    for dx in (-0.5, -0.1, 0.3, 0.6):
        draw.rectangle((x + dx * r - 6, y + r * 0.3, x + dx * r + 6, y + r * 0.65), fill=(80, 70, 90))


def _present(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    box: RGB = (120, 150, 230)
    draw.rectangle((x - r * 0.7, y - r * 0.4, x + r * 0.7, y + r * 0.7), fill=box, outline=line_of(box), width=6)
    ribbon: RGB = (240, 120, 150)
    draw.rectangle((x - r * 0.12, y - r * 0.4, x + r * 0.12, y + r * 0.7), fill=ribbon)
    draw.rectangle((x - r * 0.7, y + r * 0.05, x + r * 0.7, y + r * 0.25), fill=ribbon)
    for side in (-1, 1):
        draw.ellipse(
            (x + side * r * 0.35 - r * 0.3, y - r * 0.75, x + side * r * 0.35 + r * 0.3, y - r * 0.35),
            outline=ribbon,
            width=14,
        )


def _owl(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    brown: RGB = (150, 110, 86)
    draw.ellipse((x - r * 0.7, y - r, x + r * 0.7, y + r * 0.8), fill=brown, outline=line_of(brown), width=6)
    for side in (-1, 1):  # closed eyes: asleep at last
        draw.arc(
            (x + side * r * 0.3 - r * 0.2, y - r * 0.55, x + side * r * 0.3 + r * 0.2, y - r * 0.25),
            0,
            180,
            fill=INK,
            width=6,
        )
    draw.polygon([(x - 10, y - r * 0.2), (x + 10, y - r * 0.2), (x, y)], fill=(246, 176, 90))
    draw.arc((x - r * 1.2, y + r * 0.5, x + r * 1.2, y + r * 1.2), 180, 360, fill=(110, 80, 60), width=14)


def _firefly(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    for step in range(5, 0, -1):
        g = r * 0.25 * step
        draw.ellipse((x - g, y - g, x + g, y + g), fill=(255, 240, 120, 30))
    draw.ellipse((x - r * 0.3, y - r * 0.2, x + r * 0.3, y + r * 0.4), fill=(255, 236, 110))
    for side in (-1, 1):
        draw.ellipse(
            (x + side * r * 0.5 - r * 0.3, y - r * 0.6, x + side * r * 0.5 + r * 0.3, y - r * 0.1),
            fill=(220, 235, 255, 150),
        )
    draw.ellipse((x - r * 0.2, y - r * 0.55, x + r * 0.2, y - r * 0.2), fill=(70, 60, 90))


def _music(draw: ImageDraw.ImageDraw, x: float, y: float, r: float) -> None:
    for dx, dy in ((-0.6, 0.2), (0.1, -0.3), (0.7, 0.3)):
        nx, ny = x + dx * r, y + dy * r
        draw.ellipse((nx - r * 0.22, ny - r * 0.15, nx + r * 0.22, ny + r * 0.15), fill=(255, 246, 220))
        draw.line([(nx + r * 0.2, ny), (nx + r * 0.2, ny - r * 0.7)], fill=(255, 246, 220), width=8)
        draw.line([(nx + r * 0.2, ny - r * 0.7), (nx + r * 0.45, ny - r * 0.5)], fill=(255, 246, 220), width=8)


_DRAWINGS = {
    "star": _star, "moon": _moon, "kite": _kite, "key": _key, "shadow": _shadow, "bubble": _bubble,
    "heart": _heart, "balloon": _balloon, "mitten": _mitten, "shell": _shell, "clock": _clock, "hat": _hat,
    "raindrop": _raindrop, "pillow": _pillow, "egg": _egg, "book": _book, "boat": _boat, "tooth": _tooth,
    "sheep": _sheep, "present": _present, "owl": _owl, "firefly": _firefly, "music": _music,
}  # fmt: skip
