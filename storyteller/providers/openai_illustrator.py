"""The story's picture from an OpenAI image model, as PNG bytes decoded from base64 (never a URL)."""

from __future__ import annotations

import base64
import binascii
import re
import threading

import openai
from openai.types.images_response import Usage as ImagesUsage

from storyteller.errors import ProviderError
from storyteller.models import Character, ImageUsage, Scene
from storyteller.providers import pricing
from storyteller.providers.budgets import Deadline
from storyteller.providers.openai_client import translated_errors, within
from storyteller.settings import ImageQuality
from storyteller.story.validation import clean_text

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# One look for every night's picture, so a week of stories reads like one book.
STYLE = (
    "A children's picture-book illustration: soft gouache and watercolour textures, gentle rounded "
    "shapes, a calm night-time palette of deep blues and purples lit by warm lamp-light and moonlight, "
    "friendly expressive faces, cosy and dreamy, nothing scary. No text, letters or words in the picture."
)
CAST_SHOWN = 4
# A clause of a description that says what someone feels, fears or likes: nothing to draw, and a fear has no
# place in a "nothing scary" picture. The rest (looks, clothes, what they carry) is drawn the same every night.
_UNSEEN = re.compile(
    r"\b(afraid|scared|frightened|fears?|worried|nervous|shy|sad|lonely|angry|loves?|likes?|adores?|enjoys?|"
    r"thinks?|thinking|dreams?|wishes|wants?|can|is good at)\b",
    re.IGNORECASE,
)
_CLAUSES = re.compile(r",|;|\s(?=who\s|that\s|and\s+(?:is|loves?|likes?|can|fears?)\b)", re.IGNORECASE)


class OpenAIIllustrator:
    """Draws one picture per story with an OpenAI image model, in the same picture-book style each night."""

    def __init__(
        self,
        client: openai.OpenAI,
        model: str,
        size: str,
        quality: ImageQuality,
        prices: pricing.PriceTable,
        deadline: Deadline | None = None,
    ) -> None:
        """`deadline`: when the request must have ended (the function's remaining time); none: no limit."""
        self.model = model
        self._deadline = deadline or Deadline.unbounded()
        self._client = client
        self._size = size
        self.quality = quality
        self._prices = prices
        self._lock = threading.Lock()
        self._usage = ImageUsage(model=model)

    def illustrate(self, title: str, characters: list[Character], scene: Scene, moment: str = "") -> bytes:
        """PNG bytes of the configured size (1024x1024 by default)."""
        with translated_errors("drawing the picture"):
            response = within(self._client, self._deadline, "drawing the picture").images.generate(
                model=self.model,
                prompt=picture_prompt(title, characters, scene, moment),
                size=self._size,
                quality=self.quality,
                output_format="png",
                n=1,
            )
        encoded = response.data[0].b64_json if response.data else None
        if not encoded:
            raise ProviderError(f"{self.model} returned no image data (only base64 PNGs are accepted, never URLs)")
        try:
            picture = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as error:
            raise ProviderError(f"{self.model} returned an image that is not valid base64: {error}") from None
        if not picture.startswith(PNG_SIGNATURE):
            raise ProviderError(f"{self.model} returned an image that is not a PNG")
        self._record(response.usage)
        return picture

    def usage(self) -> ImageUsage:
        """Pictures drawn by this instance and what they cost."""
        with self._lock:
            return self._usage

    def _record(self, usage: ImagesUsage | None) -> None:
        cost = pricing.image_cost(
            self._prices,
            self.model,
            usage.input_tokens if usage is not None else None,
            usage.output_tokens if usage is not None else None,
            quality=self.quality,
        )
        with self._lock:
            self._usage = ImageUsage(
                model=self.model,
                images=self._usage.images + 1,
                costUsd=round(self._usage.costUsd + cost, pricing.DIGITS),
            )


def picture_prompt(title: str, characters: list[Character], scene: Scene, moment: str = "") -> str:
    """The scene, the cast and the story's key moment, described for the image model, in the house style."""
    cast = "; ".join(
        f"{clean_text(character.name)}, {visual_description(character.description)}"
        for character in characters[:CAST_SHOWN]
    )
    shown = f"\nIt shows the story's key moment: {clean_text(moment)}." if clean_text(moment) else ""
    return (
        f"{STYLE}\n\n"
        f"The scene: {clean_text(scene.description)}, at bedtime.\n"
        f"In it, together and happy: {cast}. Draw each one's described details (what they wear or carry).\n"
        f'The picture illustrates the story "{clean_text(title)}".{shown}'
    )


def visual_description(description: str) -> str:
    """What of a character can be drawn, the same every night: "a girl with a red scarf", not "afraid of thunder"."""
    clauses = [clause.strip() for clause in _CLAUSES.split(clean_text(description)) if clause.strip()]
    seen = [clause for clause in clauses if not _UNSEEN.search(clause)]
    return ", ".join(seen).strip(" ,") or "as the story tells"
