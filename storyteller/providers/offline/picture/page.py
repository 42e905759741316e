"""The whole page in drawing order: sky, landscape, cast, particles, then the vignette."""

from __future__ import annotations

import random
from collections.abc import Sequence

from PIL import Image, ImageDraw

from storyteller.models import Character, Scene
from storyteller.providers.offline.picture.canvas import SIZE, seed, vignette
from storyteller.providers.offline.picture.cast import MAX_CAST, draw_cast
from storyteller.providers.offline.picture.foreground import draw_particles
from storyteller.providers.offline.picture.kinds import scene_kinds
from storyteller.providers.offline.picture.landscape import draw_landscape
from storyteller.providers.offline.picture.sky import draw_moon, draw_stars, moon_place, paint_sky


def render(title: str, characters: Sequence[Character], scene: Scene, labels: bool = True) -> Image.Image:
    """The illustration as an RGB image; separate from PNG encoding so tests can inspect pixels."""
    # Sorted ids: the same cast in another order keeps its landscape and only trades places.
    rng = random.Random(seed(title, scene.id, *sorted(c.id for c in characters)))
    kinds = scene_kinds(scene.description)
    moon = moon_place(rng)
    image = paint_sky(rng, kinds, moon)
    draw = ImageDraw.Draw(image, "RGBA")
    draw_stars(draw, rng, kinds)
    draw_moon(image, draw, rng, kinds, moon)
    draw_landscape(draw, rng, kinds, moon)
    draw_cast(draw, characters[:MAX_CAST], title, scene.id, labels)
    draw_particles(draw, rng, kinds)
    small = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    return vignette(small)
