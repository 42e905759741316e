"""The whole page in drawing order: sky, landscape, cast, particles, then the vignette."""

from __future__ import annotations

import random
from collections.abc import Sequence

from PIL import Image, ImageDraw

from storyteller.models import Character, Scene
from storyteller.providers.offline.picture.canvas import CANVAS, SIZE, seed, vignette
from storyteller.providers.offline.picture.cast import MAX_CAST, draw_cast
from storyteller.providers.offline.picture.foreground import draw_particles
from storyteller.providers.offline.picture.kinds import scene_kinds
from storyteller.providers.offline.picture.landscape import draw_landscape
from storyteller.providers.offline.picture.moment import draw_key, key_of
from storyteller.providers.offline.picture.rooms import (
    BOAT,
    OUTDOORS,
    PIER,
    ROOM,
    draw_boat,
    draw_camp,
    draw_pier,
    draw_room,
    draw_vehicle,
    setting_of,
)
from storyteller.providers.offline.picture.sky import draw_moon, draw_stars, moon_place, paint_sky
from storyteller.providers.offline.verses.place import read_place

# Where the cast stands (share of the width) and where the night's key object is (share of width, height).
COMPOSITIONS: dict[str, tuple[tuple[float, float] | None, tuple[float, float]]] = {
    "sky": (None, (0.5, 0.36)),
    "left": ((0.08, 0.6), (0.79, 0.66)),
    "right": ((0.4, 0.92), (0.21, 0.66)),
    "around": ((0.04, 0.96), (0.5, 0.62)),
}
KEY_RADIUS = 0.075


def render(
    title: str, characters: Sequence[Character], scene: Scene, labels: bool = True, moment: str = ""
) -> Image.Image:
    """The illustration as an RGB image; separate from PNG encoding so tests can inspect pixels.

    The title and moment seed the page, so each night of the same cast and scene has its own hour
    (the sky's palette), landscape and composition around the night's key object.
    """
    # Sorted ids: the same cast in another order keeps its landscape and only trades places.
    rng = random.Random(seed(title, moment, scene.id, *sorted(c.id for c in characters)))
    # Where the story is, as the writer reads it: a room, a car or train, a pier or boat, or the outdoors.
    place = read_place(scene.description)
    setting = setting_of(place)
    kinds = scene_kinds(scene.description)
    if setting in (PIER, BOAT) and "river" not in kinds:
        kinds = (kinds - {"meadow"}) | {"sea"}  # a houseboat on the canal keeps its canal
    moon = moon_place(rng)
    image = paint_sky(rng, kinds, moon)
    draw = ImageDraw.Draw(image, "RGBA")
    if setting in (OUTDOORS, PIER, BOAT):
        draw_stars(draw, rng, kinds)
        draw_moon(image, draw, rng, kinds, moon)
        draw_landscape(draw, rng, kinds, moon)
        if setting == OUTDOORS:
            draw_camp(draw, rng, place)
        if setting == PIER:
            draw_pier(draw, rng)
        elif setting == BOAT:
            draw_boat(draw, rng, place)
    elif setting == ROOM:
        draw_room(draw, rng, place)
    else:
        draw_vehicle(draw, rng, setting, place)
    key = key_of(moment, title)
    span: tuple[float, float] | None = None
    facing = 0.5
    if key:
        span, (kx, ky) = COMPOSITIONS[rng.choice(sorted(COMPOSITIONS))]
        facing = kx
        draw_key(draw, key, kx * CANVAS, ky * CANVAS, KEY_RADIUS * CANVAS)
    draw_cast(draw, characters[:MAX_CAST], title, scene.id, labels, span, facing)
    if setting == OUTDOORS:
        draw_particles(draw, rng, kinds)
    small = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    return vignette(small)
