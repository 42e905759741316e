"""The story's picture as a small JPEG for the email: inline (cid), so it shows with remote images blocked."""

from __future__ import annotations

import io

from PIL import Image

MAX_BYTES = 100_000
WIDTH = 560  # the email's content width; phones scale it down


def email_jpeg(png: bytes) -> bytes:
    """A JPEG of at most MAX_BYTES: scaled to the email's width, then quality and size lowered until it fits."""
    with Image.open(io.BytesIO(png)) as source:
        picture = source.convert("RGB")
    body = b""
    for scale in (1.0, 0.75, 0.5, 0.25):
        width = min(picture.width, round(WIDTH * scale))
        sized = picture.resize((width, max(1, round(picture.height * width / picture.width))), Image.Resampling.LANCZOS)
        for quality in (85, 70, 55, 40):
            out = io.BytesIO()
            sized.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
            body = out.getvalue()
            if len(body) <= MAX_BYTES:
                return body
    return body
