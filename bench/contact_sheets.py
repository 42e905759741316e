"""Contact sheets of the offline pictures: five nights of three archetype families, as the service would draw them.

Each night's cast is picked and its story written as `bench.family_stories` tells them, and the picture is
drawn from that story's title and moment, so the sheets show what a family would see in a week.
`python -m bench.contact_sheets` writes docs/screenshots/family-<name>-five-nights.png.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bench.family_stories import tell
from storyteller.providers.offline.picture.page import render

FAMILIES = ("treehouse siblings", "back seat", "pier")
THUMB = 360
CAPTION = 64
OUT = Path("docs/screenshots")


def sheet(family: str) -> Image.Image:
    """Five nights side by side, each with its title underneath."""
    nights = [night for night in tell() if night.family.name == family]
    page = Image.new("RGB", (THUMB * len(nights), THUMB + CAPTION), (250, 246, 240))
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=15)
    for index, night in enumerate(nights):
        picture = render(night.draft.title, night.cast, night.scene, moment=night.draft.moment or "")
        page.paste(picture.resize((THUMB, THUMB), Image.Resampling.LANCZOS), (index * THUMB, 0))
        caption = textwrap.wrap(f"{index + 1}. {night.draft.title}", 42)[:2]
        for row, text in enumerate(caption):
            draw.text((index * THUMB + 8, THUMB + 8 + row * 22), text, font=font, fill=(46, 36, 64))
    return page


def main(argv: list[str]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    for family in argv or FAMILIES:
        slug = family.replace(" ", "-").replace("'", "")
        path = OUT / f"family-{slug}-five-nights.png"
        sheet(family).save(path, optimize=True)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
