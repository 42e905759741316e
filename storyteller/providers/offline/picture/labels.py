"""Name labels under the figures, cut down to what Pillow's bundled font can draw."""

from __future__ import annotations

import functools
import unicodedata

from PIL import ImageDraw, ImageFont

from storyteller.providers.offline.picture.canvas import CANVAS, INK

LABEL_CHARS = 18


def draw_label(draw: ImageDraw.ImageDraw, name: str, x: float, y: float) -> None:
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
