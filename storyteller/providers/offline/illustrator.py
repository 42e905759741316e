"""Offline picture-book illustrator: a night scene and its cast, drawn with Pillow, no model.

The drawing lives in the `picture` package, one module per part of the page; this module is the
provider and keeps the public names other code and the tests import from here.
"""

from __future__ import annotations

import io

from storyteller.models import Character, Scene
from storyteller.providers.offline.picture.kinds import CAST_WORDS, SCENE_WORDS, character_kind, scene_kinds
from storyteller.providers.offline.picture.labels import LABEL_CHARS, label_text
from storyteller.providers.offline.picture.page import render

__all__ = [
    "CAST_WORDS",
    "LABEL_CHARS",
    "SCENE_WORDS",
    "PictureBookIllustrator",
    "character_kind",
    "label_text",
    "render",
    "scene_kinds",
]


class PictureBookIllustrator:
    """Draws a night-time picture-book page from keywords, so stories get art with no model."""

    model = "offline-picture-book-1"

    def __init__(self, labels: bool = True) -> None:
        self.labels = labels

    def illustrate(self, title: str, characters: list[Character], scene: Scene, moment: str = "") -> bytes:
        """PNG bytes, 1024x1024: the scene's landscape, the night's key object, and the cast with their details."""
        image = render(title, characters, scene, labels=self.labels, moment=moment)
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=6)
        return out.getvalue()
