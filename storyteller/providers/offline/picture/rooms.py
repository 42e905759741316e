"""Places with walls: a family's kitchen, bedroom, library, hospital room or treehouse, and the inside of a car
or a train. The night is seen through a window; the light is the room's own (a lamp, or only the moon).

Which setting a scene is comes from the writer's own reading of it (`read_place`: its head noun and kind),
so the story and the picture agree on where they are.
"""

from __future__ import annotations

import math
import random

from PIL import ImageDraw

from storyteller.providers.offline.picture.canvas import CANVAS, RGB, WARM_LIGHT, alpha, line_of, mix, shade
from storyteller.providers.offline.verses.place import INDOOR, VEHICLE, Place

ROOM, CAR, TRAIN, PIER, BOAT, OUTDOORS = "room", "car", "train", "pier", "boat", "outdoors"
FLOOR = 0.74  # where the wall meets the floor, as a share of the height: the cast stands below it
NIGHT_VIOLET: RGB = (40, 30, 70)

# Buildings are drawn from outside, in their landscape: a snowy cabin or a castle is seen, not sat in.
_BUILDINGS = frozenset(
    ["castle", "palace", "tower", "cottage", "cabin", "hut", "barn", "igloo", "church", "chapel", "fort", "house"]
)
_BOATS = frozenset(["boat", "ship", "raft", "yacht", "houseboat", "deck", "ferry"])
_PIERS = frozenset(["pier", "jetty", "dock", "quay"])
_RAILS = frozenset(["train", "tram", "coach", "carriage"])
_WALLS: dict[str, RGB] = {
    "kitchen": (236, 212, 168),
    "bakery": (236, 212, 168),
    "bedroom": (150, 160, 214),
    "nursery": (170, 196, 220),
    "playroom": (170, 196, 220),
    "library": (150, 100, 72),
    "hospital": (196, 228, 214),
    "ward": (196, 228, 214),
    "room": (214, 196, 176),
    "treehouse": (176, 122, 80),
    "den": (176, 122, 80),
    "shed": (176, 122, 80),
}


def setting_of(place: Place) -> str:
    """Which kind of picture the place asks for: a room, a car, a train, a pier, a boat, or the outdoors."""
    words = set(place.name.lower().replace("'s", "").split())
    if place.head in _BOATS:
        return BOAT
    if place.head in _PIERS:
        return PIER
    if place.kind == VEHICLE:
        return TRAIN if words & _RAILS or place.head in _RAILS | {"bus", "plane", "aeroplane"} else CAR
    if place.kind == INDOOR and place.head not in _BUILDINGS:
        return ROOM
    return OUTDOORS


def draw_room(draw: ImageDraw.ImageDraw, rng: random.Random, place: Place) -> None:
    """Wall, window onto the night, floor and the room's own furniture and things, lit by a lamp or the moon."""
    words = _words(place)
    # "a hospital room" is a hospital's room: the most telling word of its name, not only its head noun.
    head = next((word for word in place.name.lower().split() if word in _WALLS and word != "room"), place.head)
    lamp = rng.random() < 0.6
    wall = _WALLS.get(head, _WALLS["room"])
    # The room by lamplight is warm; by moonlight alone, blue and dim; later in the night, darker: nights of
    # one room differ in light.
    wall = mix(wall, NIGHT_VIOLET, (0.22 if lamp else 0.48) + rng.uniform(0, 0.14))
    draw.rectangle((0, 0, CANVAS, CANVAS), fill=wall)
    left = rng.random() < 0.5
    if head in ("treehouse", "den", "shed"):
        _planks(draw, wall, vertical=True)
    elif head in ("kitchen", "bakery"):
        _tiles(draw, wall)
    elif head in ("bedroom", "nursery", "playroom"):
        _wallpaper(draw, rng, wall)
    wx = CANVAS * (rng.uniform(0.1, 0.22) if left else rng.uniform(0.56, 0.68))
    _window(draw, rng, wx, CANVAS * 0.12, CANVAS * 0.22, CANVAS * 0.3, rounded=head == "treehouse")
    _floor(draw, head, wall)
    if head == "library" or words & {"shelves", "books", "bookshelf", "bookshelves"}:
        _bookshelf(draw, rng, CANVAS * (0.78 if left else 0.03), CANVAS * 0.08)
    if head in ("kitchen", "bakery") or words & {"stove", "oven"}:
        _stove(draw, CANVAS * (0.78 if left else 0.06))
    if words & {"table"} or head in ("kitchen", "bakery"):
        _table(draw, CANVAS * (0.5 if left else 0.3))
    if head in ("bedroom", "nursery", "hospital", "ward") or words & {"bed", "beds", "bunk"}:
        _bed(draw, CANVAS * (0.66 if left else 0.04), hospital=head in ("hospital", "ward"))
    if "balloons" in words or "balloon" in words:
        _balloons(draw, rng, CANVAS * (0.1 if not left else 0.86))
    if "ladder" in words:
        _rope_ladder(draw, CANVAS * (0.93 if left else 0.07))
    if "lights" in words:
        _fairy_lights(draw, rng)
    if lamp:
        _lamp(draw, CANVAS * (0.9 if not left else 0.1) if "lights" not in words else CANVAS * 0.5)
    else:
        _moonbeam(draw, wx, CANVAS * 0.22)


def draw_vehicle(draw: ImageDraw.ImageDraw, rng: random.Random, setting: str, place: Place) -> None:
    """A car's back seat with the road's lights passing its window, or a train compartment by night."""
    words = _words(place)
    if setting == CAR:
        inside: RGB = (62, 64, 96)
        draw.rectangle((0, 0, CANVAS, CANVAS), fill=inside)
        _window(draw, rng, CANVAS * 0.12, CANVAS * 0.08, CANVAS * 0.76, CANVAS * 0.3, rounded=True, passing=True)
        seat = rng.choice(((120, 96, 140), (96, 110, 150), (140, 110, 96)))
        draw.rounded_rectangle(
            (CANVAS * 0.03, CANVAS * 0.46, CANVAS * 0.97, CANVAS * 1.05),
            radius=90,
            fill=seat,
            outline=line_of(seat),
            width=8,
        )
        for x in (0.2, 0.5, 0.8):
            draw.rounded_rectangle(
                (CANVAS * (x - 0.09), CANVAS * 0.36, CANVAS * (x + 0.09), CANVAS * 0.5),
                radius=40,
                fill=shade(seat, 0.92),
                outline=line_of(seat),
                width=6,
            )
        for x in (0.35, 0.65):
            draw.line([(CANVAS * x, CANVAS * 0.5), (CANVAS * x, CANVAS)], fill=shade(seat, 0.8), width=8)
        if "blanket" in words:
            _blanket(draw, rng)
        _passing_light(draw, rng)
        return
    panel: RGB = mix((150, 70, 70), NIGHT_VIOLET, 0.3)
    draw.rectangle((0, 0, CANVAS, CANVAS), fill=panel)
    draw.rectangle((0, CANVAS * 0.5, CANVAS, CANVAS * FLOOR), fill=shade(panel, 0.85))
    for index in range(3):
        x = CANVAS * (0.05 + index * 0.32)
        _window(draw, rng, x, CANVAS * 0.12, CANVAS * 0.26, CANVAS * 0.28, rounded=True, passing=index == 1)
    draw.line([(0, CANVAS * 0.08), (CANVAS, CANVAS * 0.08)], fill=(200, 180, 120), width=14)  # the luggage rack
    _floor(draw, "train", panel)
    if words & {"bunk", "bunks", "beds", "bed"}:
        for y in (0.42, 0.62):
            _bed(draw, CANVAS * 0.72, top=CANVAS * y, width=CANVAS * 0.28)
    _lamp(draw, CANVAS * 0.5, small=True)


def draw_pier(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """Wooden boards running out over the water, with posts, a rope rail and a lamp."""
    wood: RGB = (150, 108, 78)
    top, bottom = CANVAS * 0.76, CANVAS
    draw.polygon(
        [(CANVAS * 0.12, top), (CANVAS * 0.88, top), (CANVAS * 1.1, bottom), (-CANVAS * 0.1, bottom)],
        fill=wood,
        outline=line_of(wood),
    )
    for i in range(1, 9):
        y = top + (bottom - top) * (i / 9) ** 1.3
        draw.line([(0, y), (CANVAS, y)], fill=shade(wood, 0.8), width=5)
    posts = []
    for side in (-1, 1):
        for depth in (0.0, 0.5, 1.0):
            x = CANVAS * (0.5 + side * (0.38 + 0.22 * depth))
            y = top + (bottom - top) * depth * 0.9
            height = CANVAS * (0.08 + 0.06 * depth)
            draw.rectangle((x - 14 - 8 * depth, y - height, x + 14 + 8 * depth, y), fill=shade(wood, 0.75))
            posts.append((x, y - height))
    for side in (0, 3):
        draw.line(posts[side : side + 3], fill=(220, 200, 160), width=7)
    x = CANVAS * rng.choice((0.16, 0.84))
    draw.line([(x, CANVAS * 0.5), (x, top + 20)], fill=(60, 56, 80), width=14)
    for i in range(18, 0, -1):
        r = 20 + i * 6
        draw.ellipse((x - r, CANVAS * 0.5 - r, x + r, CANVAS * 0.5 + r), fill=alpha(WARM_LIGHT, 6))
    draw.ellipse((x - 24, CANVAS * 0.5 - 24, x + 24, CANVAS * 0.5 + 24), fill=WARM_LIGHT, outline=(60, 56, 80), width=5)


def draw_boat(draw: ImageDraw.ImageDraw, rng: random.Random, place: Place) -> None:
    """The boat's deck the cast stands on, its bow and a cabin with round, lit windows."""
    hull = rng.choice(((70, 110, 150), (150, 70, 70), (60, 120, 100)))
    deck: RGB = (190, 150, 110)
    draw.polygon(
        [
            (-40, CANVAS * 0.8),
            (CANVAS * 0.92, CANVAS * 0.8),
            (CANVAS * 1.05, CANVAS * 0.74),
            (CANVAS * 1.05, CANVAS * 1.05),
            (-40, CANVAS * 1.05),
        ],
        fill=hull,
        outline=line_of(hull),
        width=8,
    )
    draw.rectangle((0, CANVAS * 0.8, CANVAS * 0.94, CANVAS * 0.95), fill=deck)
    for i in range(1, 5):
        y = CANVAS * (0.8 + i * 0.03)
        draw.line([(0, y), (CANVAS * 0.94, y)], fill=shade(deck, 0.82), width=4)
    draw.rectangle((0, CANVAS * 0.95, CANVAS, CANVAS * 0.97), fill=(250, 246, 236))
    cabin = mix(hull, (250, 240, 220), 0.6)
    x0 = CANVAS * (0.02 if "houseboat" in place.name.lower() or rng.random() < 0.5 else 0.7)
    draw.rounded_rectangle(
        (x0, CANVAS * 0.56, x0 + CANVAS * 0.26, CANVAS * 0.8), radius=24, fill=cabin, outline=line_of(cabin), width=6
    )
    draw.rectangle((x0 - 20, CANVAS * 0.53, x0 + CANVAS * 0.28, CANVAS * 0.57), fill=shade(hull, 0.8))
    for i in range(2):
        cx, cy, r = x0 + CANVAS * (0.07 + 0.12 * i), CANVAS * 0.66, CANVAS * 0.035
        draw.ellipse((cx - r * 2, cy - r * 2, cx + r * 2, cy + r * 2), fill=alpha(WARM_LIGHT, 40))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=WARM_LIGHT, outline=(90, 80, 90), width=8)


def draw_camp(draw: ImageDraw.ImageDraw, rng: random.Random, place: Place) -> None:
    """A tent and a campfire where the family's place has them, behind the cast: a campsite, not only a lake."""
    words = _words(place)
    left = rng.random() < 0.5
    if words & {"tent", "tents", "campsite"}:
        x, base, w, h = CANVAS * (0.02 if left else 0.72), CANVAS * 0.74, CANVAS * 0.26, CANVAS * 0.22
        cloth = rng.choice(((230, 140, 90), (110, 170, 130), (240, 200, 100)))
        draw.polygon([(x, base), (x + w / 2, base - h), (x + w, base)], fill=cloth, outline=line_of(cloth), width=6)
        draw.polygon([(x + w * 0.38, base), (x + w / 2, base - h * 0.6), (x + w * 0.62, base)], fill=WARM_LIGHT)
    if words & {"campfire", "fire", "bonfire"}:
        x, y = CANVAS * (0.9 if left else 0.1), CANVAS * 0.75
        for i in range(16, 0, -1):
            r = 20 + i * 14
            draw.ellipse((x - r, y - r, x + r, y + r), fill=alpha((255, 170, 80), 7))
        for dx in (-60, 60):
            draw.line([(x + dx, y + 24), (x - dx * 0.6, y + 4)], fill=(110, 70, 50), width=22)
        for colour, h, w in (((240, 110, 60), 130, 50), ((255, 190, 80), 86, 32), ((255, 240, 170), 44, 15)):
            draw.polygon([(x - w, y + 10), (x, y - h), (x + w, y + 10)], fill=colour)


def _words(place: Place) -> set[str]:
    return set(" ".join([place.name, *place.objects]).lower().replace(",", " ").split())


def _window(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    x: float,
    y: float,
    w: float,
    h: float,
    rounded: bool = False,
    passing: bool = False,
) -> None:
    """The night outside: a deepening sky, stars, the moon, hills; streaks of passing lights from a moving car."""
    top = rng.choice(((20, 26, 74), (34, 26, 84), (10, 14, 44), (44, 46, 112)))
    bottom = mix(top, (150, 130, 200), 0.55)
    box = (x, y, x + w, y + h)
    steps = 24
    for i in range(steps):
        band = (x, y + h * i / steps, x + w, y + h * (i + 1) / steps + 1)
        draw.rectangle(band, fill=mix(top, bottom, i / steps))
    for _ in range(int(w * h / 9000)):
        sx, sy = rng.uniform(x + 10, x + w - 10), rng.uniform(y + 10, y + h * 0.6)
        draw.ellipse((sx - 3, sy - 3, sx + 3, sy + 3), fill=(255, 250, 220))
    mx, my, mr = x + w * rng.uniform(0.25, 0.75), y + h * 0.3, min(w, h) * 0.13
    draw.ellipse((mx - mr, my - mr, mx + mr, my + mr), fill=(255, 244, 200))
    hills = [(x + w * i / 8, y + h * (0.78 + 0.08 * math.sin(i * 1.7 + rng.uniform(0, 1)))) for i in range(9)]
    draw.polygon([*hills, (x + w, y + h), (x, y + h)], fill=(40, 50, 90))
    if passing:
        for _ in range(5):
            ly = rng.uniform(y + h * 0.55, y + h * 0.85)
            lx = rng.uniform(x, x + w * 0.7)
            draw.line([(lx, ly), (lx + w * 0.25, ly)], fill=(255, 220, 140), width=6)
    frame: RGB = (236, 226, 210)
    draw.rounded_rectangle(box, radius=40 if rounded else 6, outline=frame, width=18)
    if not rounded:
        draw.line([(x + w / 2, y), (x + w / 2, y + h)], fill=frame, width=12)
        draw.line([(x, y + h / 2), (x + w, y + h / 2)], fill=frame, width=12)
        curtain = (200, 120, 130)
        for side in (x - 40, x + w - 10):
            draw.rounded_rectangle((side, y - 30, side + 50, y + h + 60), radius=20, fill=curtain)
        draw.rectangle((x - 60, y - 40, x + w + 60, y - 24), fill=(120, 90, 70))


def _floor(draw: ImageDraw.ImageDraw, head: str, wall: RGB) -> None:
    floor_y = CANVAS * FLOOR
    if head in ("kitchen", "bakery"):
        for row in range(6):
            for col in range(12):
                colour = (236, 230, 220) if (row + col) % 2 else (120, 100, 120)
                y0 = floor_y + row * CANVAS * 0.045
                draw.rectangle(
                    (col * CANVAS / 12, y0, (col + 1) * CANVAS / 12, y0 + CANVAS * 0.045),
                    fill=mix(colour, NIGHT_VIOLET, 0.25),
                )
    elif head in ("hospital", "ward"):
        draw.rectangle((0, floor_y, CANVAS, CANVAS), fill=(170, 190, 196))
    else:
        wood: RGB = (150, 104, 74)
        draw.rectangle((0, floor_y, CANVAS, CANVAS), fill=mix(wood, NIGHT_VIOLET, 0.2))
        for i in range(1, 7):
            y = floor_y + (CANVAS - floor_y) * (i / 7) ** 1.2
            draw.line([(0, y), (CANVAS, y)], fill=shade(wood, 0.7), width=4)
        rug: RGB = (196, 110, 120)
        draw.ellipse((CANVAS * 0.18, CANVAS * 0.84, CANVAS * 0.82, CANVAS * 0.98), fill=mix(rug, NIGHT_VIOLET, 0.2))
    draw.rectangle((0, floor_y - 14, CANVAS, floor_y + 6), fill=shade(wall, 0.7))  # the skirting board


def _planks(draw: ImageDraw.ImageDraw, wall: RGB, vertical: bool) -> None:
    for i in range(1, 14):
        x = CANVAS * i / 14
        draw.line([(x, 0), (x, CANVAS)], fill=shade(wall, 0.78), width=6)


def _tiles(draw: ImageDraw.ImageDraw, wall: RGB) -> None:
    y0, y1 = CANVAS * 0.5, CANVAS * FLOOR
    draw.rectangle((0, y0, CANVAS, y1), fill=mix(wall, (255, 255, 255), 0.2))
    for i in range(0, 40):
        draw.line([(i * CANVAS / 20, y0), (i * CANVAS / 20, y1)], fill=shade(wall, 0.85), width=3)
    for j in range(5):
        y = y0 + (y1 - y0) * j / 5
        draw.line([(0, y), (CANVAS, y)], fill=shade(wall, 0.85), width=3)


def _wallpaper(draw: ImageDraw.ImageDraw, rng: random.Random, wall: RGB) -> None:
    for row in range(8):
        for col in range(10):
            x, y = CANVAS * (col + 0.5 * (row % 2)) / 10, CANVAS * row / 11
            draw.ellipse((x - 6, y - 6, x + 6, y + 6), fill=mix(wall, (255, 255, 255), 0.3))


def _bookshelf(draw: ImageDraw.ImageDraw, rng: random.Random, x: float, y: float) -> None:
    wood: RGB = (110, 70, 50)
    w, bottom = CANVAS * 0.19, CANVAS * FLOOR
    draw.rectangle((x, y, x + w, bottom), fill=wood, outline=line_of(wood), width=6)
    shelf_h = (bottom - y) / 5
    for row in range(5):
        top = y + row * shelf_h
        bx = x + 14
        while bx < x + w - 30:
            bw = rng.uniform(16, 30)
            bh = shelf_h * rng.uniform(0.6, 0.85)
            colour = rng.choice(((200, 90, 90), (90, 130, 190), (230, 190, 90), (110, 170, 120), (170, 120, 190)))
            draw.rectangle(
                (bx, top + shelf_h - bh - 8, bx + bw, top + shelf_h - 8), fill=mix(colour, NIGHT_VIOLET, 0.2)
            )
            bx += bw + 3
        draw.rectangle((x, top + shelf_h - 8, x + w, top + shelf_h), fill=shade(wood, 0.8))


def _stove(draw: ImageDraw.ImageDraw, x: float) -> None:
    iron: RGB = (80, 78, 100)
    w, top, bottom = CANVAS * 0.17, CANVAS * 0.52, CANVAS * FLOOR
    draw.rounded_rectangle((x, top, x + w, bottom), radius=16, fill=iron, outline=line_of(iron), width=6)
    draw.rounded_rectangle((x + 30, top + 70, x + w - 30, bottom - 30), radius=12, fill=(250, 170, 90))
    pot: RGB = (200, 90, 80)
    draw.rounded_rectangle(
        (x + w * 0.25, top - 90, x + w * 0.75, top), radius=20, fill=pot, outline=line_of(pot), width=6
    )
    for i in range(3):
        sx = x + w * (0.35 + 0.15 * i)
        draw.arc((sx - 20, top - 190, sx + 20, top - 100), 100, 260, fill=(240, 240, 250), width=6)


def _table(draw: ImageDraw.ImageDraw, x: float) -> None:
    wood: RGB = (170, 116, 76)
    w, top = CANVAS * 0.22, CANVAS * 0.62
    draw.rectangle((x, top, x + w, top + 26), fill=wood, outline=line_of(wood), width=5)
    for lx in (x + 20, x + w - 40):
        draw.rectangle((lx, top + 26, lx + 20, CANVAS * FLOOR + 20), fill=shade(wood, 0.8))
    draw.ellipse((x + w * 0.35, top - 60, x + w * 0.65, top + 4), fill=(220, 170, 110))  # a loaf


def _bed(draw: ImageDraw.ImageDraw, x: float, hospital: bool = False, top: float = 0.0, width: float = 0.0) -> None:
    w = width or CANVAS * 0.3
    y = top or CANVAS * 0.58
    frame: RGB = (200, 206, 216) if hospital else (140, 96, 70)
    quilt: RGB = (236, 240, 246) if hospital else (120, 150, 210)
    draw.rectangle((x, y, x + w, y + CANVAS * 0.1), fill=quilt, outline=line_of(quilt), width=5)
    draw.rounded_rectangle((x + 10, y - 40, x + w * 0.35, y + 10), radius=20, fill=(250, 248, 244))
    draw.rectangle((x - 10, y - 80, x + 10, CANVAS * FLOOR + 10), fill=frame)
    draw.rectangle((x + w - 10, y - 20, x + w + 10, CANVAS * FLOOR + 10), fill=frame)
    if hospital:
        for i in range(5):  # the side rail
            rx = x + w * (0.45 + i * 0.12)
            draw.line([(rx, y - 40), (rx, y)], fill=frame, width=6)
        draw.line([(x + w * 0.42, y - 40), (x + w, y - 40)], fill=frame, width=8)


def _balloons(draw: ImageDraw.ImageDraw, rng: random.Random, x: float) -> None:
    for i, colour in enumerate(((230, 100, 110), (110, 160, 230), (240, 200, 90))):
        bx, by, r = x + (i - 1) * 70, CANVAS * (0.22 + 0.06 * (i % 2)), 56
        draw.line([(bx, by + r), (x, CANVAS * 0.6)], fill=(240, 240, 240), width=3)
        draw.ellipse((bx - r * 0.8, by - r, bx + r * 0.8, by + r), fill=colour, outline=line_of(colour), width=5)
        draw.ellipse((bx - r * 0.4, by - r * 0.6, bx - r * 0.1, by - r * 0.2), fill=(255, 255, 255, 140))


def _rope_ladder(draw: ImageDraw.ImageDraw, x: float) -> None:
    rope: RGB = (214, 180, 120)
    for side in (-40, 40):
        draw.line([(x + side, CANVAS * 0.3), (x + side, CANVAS * FLOOR)], fill=rope, width=10)
    for i in range(8):
        y = CANVAS * (0.34 + i * 0.05)
        draw.line([(x - 40, y), (x + 40, y)], fill=shade(rope, 0.8), width=14)


def _fairy_lights(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    sag = CANVAS * 0.06
    points = [(CANVAS * i / 24, CANVAS * 0.07 + sag * math.sin(math.pi * (i % 8) / 8)) for i in range(25)]
    draw.line(points, fill=(60, 60, 70), width=4)
    for px, py in points[1::1]:
        colour = rng.choice(((255, 220, 120), (255, 170, 170), (170, 220, 255), (200, 255, 180)))
        draw.ellipse((px - 26, py - 16, px + 26, py + 36), fill=alpha(colour, 50))
        draw.ellipse((px - 9, py + 2, px + 9, py + 22), fill=colour)


def _lamp(draw: ImageDraw.ImageDraw, x: float, small: bool = False) -> None:
    """A warm lamp and its pool of light: the room's own light at night."""
    y = CANVAS * (0.1 if small else 0.46)
    for i in range(12, 0, -1):  # few wide rings: each is a full-page blend at this size
        r = 40 + i * (35 if small else 55)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=alpha(WARM_LIGHT, 9))
    if small:
        draw.ellipse((x - 30, y - 20, x + 30, y + 30), fill=WARM_LIGHT, outline=(90, 70, 60), width=5)
        return
    draw.line([(x, y), (x, CANVAS * FLOOR)], fill=(90, 70, 60), width=12)
    draw.polygon(
        [(x - 60, y + 30), (x + 60, y + 30), (x + 36, y - 50), (x - 36, y - 50)],
        fill=WARM_LIGHT,
        outline=(160, 110, 70),
    )


def _moonbeam(draw: ImageDraw.ImageDraw, x: float, w: float) -> None:
    """Only the moon lights the room: a pale beam from the window to the floor."""
    draw.polygon(
        [(x, CANVAS * 0.42), (x + w, CANVAS * 0.42), (x + w * 2.2, CANVAS), (x + w * 0.4, CANVAS)],
        fill=(200, 210, 255, 40),
    )


def _passing_light(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    """What lights the car tonight: a streetlamp's orange sweep, the moon's pale band, or a dark country road."""
    light = rng.choice(("streetlamp", "moon", "dark"))
    if light == "dark":
        draw.rectangle((0, 0, CANVAS, CANVAS), fill=(10, 10, 40, 70))
        return
    colour = (255, 190, 110, 46) if light == "streetlamp" else (200, 214, 255, 40)
    x = CANVAS * rng.uniform(0.1, 0.6)
    draw.polygon(
        [
            (x, CANVAS * 0.38),
            (x + CANVAS * 0.22, CANVAS * 0.38),
            (x + CANVAS * 0.5, CANVAS),
            (x + CANVAS * 0.15, CANVAS),
        ],
        fill=colour,
    )


def _blanket(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    wool = rng.choice(((220, 140, 90), (140, 190, 150), (230, 180, 200)))
    draw.polygon(
        [
            (CANVAS * 0.55, CANVAS * 0.62),
            (CANVAS * 0.95, CANVAS * 0.58),
            (CANVAS * 0.97, CANVAS * 0.8),
            (CANVAS * 0.6, CANVAS * 0.84),
        ],
        fill=wool,
        outline=line_of(wool),
    )
    for i in range(4):
        x = CANVAS * (0.62 + i * 0.08)
        draw.line([(x, CANVAS * 0.61), (x + 10, CANVAS * 0.83)], fill=shade(wool, 0.8), width=8)
