"""What a character's description says they wear, carry or do, drawn on their figure: Luna's spectacles,
Ada's lantern, Mo's thimble hat, Theo's notebook, Sprocket's glowing chest, Pip's stars, Ember's sparkles,
and a family's worn things in their own colours: a red scarf, a flat cap, a cast on an arm, green boots.

Positions are in the figure's own units (see `Pen`), per kind where heads sit higher or lower.
"""

from __future__ import annotations

from PIL import ImageDraw

from storyteller.models import Character
from storyteller.providers.offline.picture.canvas import INK, RGB, alpha, line_of, shade
from storyteller.providers.offline.picture.figures import Figure
from storyteller.providers.offline.picture.kinds import words_in
from storyteller.providers.offline.picture.pen import Pen
from storyteller.providers.offline.picture.shapes import ellipse_points

# Where the eyes are (y, half the distance between them, radius) and the top of the head.
EYES: dict[str, tuple[float, float, float]] = {
    "fox": (-68, 11, 3.6), "owl": (-62, 13, 5.5), "mouse": (-62, 10, 3.4), "girl": (-62, 9, 3.2),
    "boy": (-62, 9, 3.2), "child": (-62, 9, 3.2), "bear": (-64, 11, 3.6), "rabbit": (-60, 10, 3.6),
    "parent": (-85, 4.6, 1.8), "grandparent": (-85, 4.6, 1.8), "dog": (-67, 11, 3.6), "hamster": (-56, 10, 3.4),
}  # fmt: skip
HEAD_TOP: dict[str, float] = {
    "fox": -86, "owl": -88, "mouse": -80, "girl": -92, "boy": -92, "child": -92, "parent": -98, "grandparent": -98,
    "dog": -86, "hamster": -78,
}  # fmt: skip
HAND = (30.0, -28.0)
GROWN_UPS = frozenset({"parent", "grandparent"})

DETAILS: dict[str, frozenset[str]] = {
    "spectacles": frozenset({"spectacles", "glasses", "goggles"}),
    "lantern": frozenset({"lantern", "lamp", "torch"}),
    "thimble": frozenset({"thimble"}),
    "notebook": frozenset({"notebook", "diary", "journal", "book", "sketchbook"}),
    "glow": frozenset({"glows", "glowing", "glow"}),
    "stars": frozenset({"stars", "star"}),
    "sparkles": frozenset({"sparkles", "sparks"}),
    "song": frozenset({"hums", "humming", "sings", "singing", "whistles"}),
    "crown": frozenset({"crown", "tiara"}),
}


def details_of(character: Character) -> list[str]:
    """The details its description names, in a fixed order."""
    words = set(words_in(character.description))
    return [detail for detail, names in DETAILS.items() if names & words]


def draw_details(draw: ImageDraw.ImageDraw, pen: Pen, figure: Figure, character: Character) -> None:
    """Each named detail and worn thing on the figure the pen has just drawn."""
    kind = figure.kind
    for thing, colour in figure.worn.items():
        if not (thing == "hat" and "thimble" in details_of(character)):  # Mo's thimble is the hat
            _WORN[thing](pen, kind, colour)
    for detail in details_of(character):
        _DRAW[detail](draw, pen, kind)


def _hand(kind: str) -> tuple[float, float]:
    return (21.0, -44.0) if kind in GROWN_UPS else HAND


def _spectacles(draw: ImageDraw.ImageDraw, pen: Pen, kind: str) -> None:
    y, spread, r = EYES.get(kind, (-62, 10, 3.6))
    rim: RGB = (120, 90, 50)
    ring = r * 2.1
    for side in (-1, 1):
        pen.arc(side * spread, y, ring, ring, 0, 360, rim, 1.4)
    pen.line([(-spread + ring, y), (spread - ring, y)], rim, 1.2)


def _lantern(draw: ImageDraw.ImageDraw, pen: Pen, kind: str) -> None:
    hx, hy = _hand(kind)
    x, y = pen.point(hx + 6, hy + 4)
    glow = 30 * pen.u
    for step in range(5, 0, -1):
        g = glow * step / 5 * 1.6
        draw.ellipse((x - g, y - g, x + g, y + g), fill=alpha((255, 214, 120), 22))
    pen.arc(hx + 6, hy - 6, 5, 5, 180, 360, (80, 70, 60), 1.0)
    pen.blob(hx + 6, hy + 4, 7, 9, (255, 224, 140))
    pen.line([(hx, hy - 6), (hx + 12, hy - 6)], (80, 70, 60), 1.6)
    pen.line([(hx, hy + 13), (hx + 12, hy + 13)], (80, 70, 60), 1.6)


def _thimble(draw: ImageDraw.ImageDraw, pen: Pen, kind: str) -> None:
    top = HEAD_TOP.get(kind, -84)
    metal: RGB = (196, 200, 212)
    pen.shape([(-13, top + 8), (13, top + 8), (10, top - 14), (-10, top - 14)], metal)
    for row in range(3):
        for col in (-6, 0, 6):
            pen.oval(col, top + 3 - row * 6, 1.3, 1.3, line_of(metal))


def _notebook(draw: ImageDraw.ImageDraw, pen: Pen, kind: str) -> None:
    hx, hy = _hand(kind)
    cover: RGB = (190, 80, 80)
    pen.shape([(hx - 4, hy - 12), (hx + 14, hy - 14), (hx + 14, hy + 10), (hx - 4, hy + 12)], cover)
    pen.shape([(hx - 1, hy - 9), (hx + 11, hy - 11), (hx + 11, hy + 7), (hx - 1, hy + 9)], (252, 246, 230), False)
    pen.line([(hx + 1, hy - 4), (hx + 9, hy - 5)], INK, 0.6)


def _glow(draw: ImageDraw.ImageDraw, pen: Pen, kind: str) -> None:
    x, y = pen.point(0, -34)
    for step in range(5, 0, -1):
        g = 14 * pen.u * step / 5 * 1.8
        draw.ellipse((x - g, y - g, x + g, y + g), fill=alpha((120, 180, 255), 28))
    pen.oval(0, -34, 7, 7, (190, 225, 255))


def _stars(draw: ImageDraw.ImageDraw, pen: Pen, kind: str) -> None:
    top = HEAD_TOP.get(kind, -84)
    for dx, dy, s in ((-22, -14, 4.5), (2, -24, 6), (24, -12, 4)):
        cx, cy = pen.point(dx, top + dy)
        r = s * pen.u
        draw.polygon(
            [(cx, cy - r), (cx + r * 0.3, cy - r * 0.3), (cx + r, cy), (cx + r * 0.3, cy + r * 0.3), (cx, cy + r),
             (cx - r * 0.3, cy + r * 0.3), (cx - r, cy), (cx - r * 0.3, cy - r * 0.3)],
            fill=(255, 236, 140),
        )  # fmt: skip


def _sparkles(draw: ImageDraw.ImageDraw, pen: Pen, kind: str) -> None:
    for dx, dy in ((-34, -60), (-42, -70), (-30, -78), (-46, -56), (-38, -86)):
        x, y = pen.point(dx, dy)
        r = 2.6 * pen.u
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 200, 110))


def _song(draw: ImageDraw.ImageDraw, pen: Pen, kind: str) -> None:
    top = HEAD_TOP.get(kind, -84)
    for dx, dy in ((-26, -4), (-36, -18)):
        pen.oval(dx, top + dy, 4, 3, (255, 246, 220))
        pen.line([(dx + 3.5, top + dy), (dx + 3.5, top + dy - 12)], (255, 246, 220), 1.2)


def _scarf(pen: Pen, kind: str, colour: RGB) -> None:
    """Wound round the neck with one end hanging: the scarf, not the outfit, is the colour."""
    if kind in GROWN_UPS:
        pen.shape([(-10, -75), (10, -75), (10, -69), (-10, -69)], colour)
        pen.shape([(3, -70), (9, -70), (10, -54), (4, -54)], colour)
        return
    pen.shape([(-20, -48), (20, -48), (18, -40), (-18, -40)], colour)
    pen.shape([(8, -42), (16, -42), (18, -24), (10, -24)], colour)


def _hat(pen: Pen, kind: str, colour: RGB, brim: bool = False) -> None:
    """A woolly hat with a bobble, or a flat cap with its peak: on the head, over the hair."""
    top = HEAD_TOP.get(kind, -84)
    half = 13.5 if kind in GROWN_UPS else 27
    depth = half * 0.7
    pen.draw.chord(
        pen.box(0, top + depth, half, depth * 1.3), 180, 360, fill=colour, outline=line_of(colour), width=pen.width
    )
    if brim:
        pen.shape(
            [
                (-half * 1.5, top + depth - 1),
                (-half * 0.2, top + depth - 3),
                (-half * 0.2, top + depth + 2),
                (-half * 1.4, top + depth + 3),
            ],
            shade(colour, 0.85),
        )
    else:
        band = [(-half, top + depth - 4), (half, top + depth - 4), (half, top + depth + 1), (-half, top + depth + 1)]
        pen.shape(band, shade(colour, 0.85))
        pen.blob(0, top - depth * 0.3, half * 0.25, half * 0.25, (250, 250, 246))


def _cap(pen: Pen, kind: str, colour: RGB) -> None:
    _hat(pen, kind, colour, brim=True)


def _cast(pen: Pen, kind: str, colour: RGB) -> None:
    """A plaster cast on the forearm in a sling, so a broken arm reads as cared for."""
    x, y, rx, ry = (16, -52, 5.2, 8) if kind in GROWN_UPS else (20, -30, 7.5, 10)
    pen.shape(ellipse_points(x, y, rx, ry, -18), colour)
    for dy in (-ry * 0.4, ry * 0.2):
        pen.line([(x - rx * 0.8, y + dy), (x + rx * 0.8, y + dy - 1)], shade(colour, 0.8), 0.5)
    sling = (110, 150, 210)
    top = -73 if kind in GROWN_UPS else -48
    pen.line([(x, y + ry * 0.6), (-x * 0.5, top)], sling, 2.2 if kind in GROWN_UPS else 3)


def _mittens(pen: Pen, kind: str, colour: RGB) -> None:
    hx, hy, r = (17.5, -44.5, 4.2) if kind in GROWN_UPS else (22, -26, 6)
    for side in (-1, 1):
        pen.blob(side * hx, hy, r, r * 1.1, colour)
        pen.blob(side * (hx + r * 0.8), hy - r * 0.5, r * 0.45, r * 0.5, colour)


def _boots(pen: Pen, kind: str, colour: RGB) -> None:
    x, w, h = (7.5, 6.5, 14) if kind in GROWN_UPS else (9, 9, 12)
    for side in (-1, 1):
        pen.shape(
            [(side * x - w * 0.7, -h), (side * x + w * 0.7, -h), (side * x + w * 0.8, -1), (side * x - w, -1)], colour
        )


def _crown(draw: ImageDraw.ImageDraw, pen: Pen, kind: str) -> None:
    top = HEAD_TOP.get(kind, -84)
    gold: RGB = (240, 200, 90)
    pen.shape([(-12, top + 6), (12, top + 6), (12, top - 6), (6, top), (0, top - 10), (-6, top), (-12, top - 6)], gold)


_DRAW = {
    "spectacles": _spectacles, "lantern": _lantern, "thimble": _thimble, "notebook": _notebook, "glow": _glow,
    "stars": _stars, "sparkles": _sparkles, "song": _song, "crown": _crown,
}  # fmt: skip
_WORN = {"scarf": _scarf, "hat": _hat, "cap": _cap, "cast": _cast, "mittens": _mittens, "boots": _boots}
