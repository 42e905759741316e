"""What a story cost, estimated from the price table in settings and what the providers report."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from storyteller.models import ImageUsage, VoiceUsage
from storyteller.providers.protocols import Illustrator
from storyteller.settings import ModelPrice

PriceTable = Mapping[str, ModelPrice]
# Six decimals: a story costs cents, and DynamoDB numbers should not carry float noise.
DIGITS = 6
MILLION = 1_000_000


@runtime_checkable
class ReportsImageUsage(Protocol):
    """An illustrator that knows what its pictures used (the OpenAI one does, the offline one need not)."""

    def usage(self) -> ImageUsage:
        """Pictures drawn by this instance and their cost."""
        ...


def price_of(prices: PriceTable, model: str) -> ModelPrice | None:
    """The model's prices; `polly-neural/Amy` falls back to `polly-neural`. None for an unpriced model."""
    if model in prices:
        return prices[model]
    family = model.split("/", 1)[0]
    return prices.get(family)


def text_cost(prices: PriceTable, model: str, input_tokens: int, output_tokens: int) -> float:
    """USD for a chat exchange; reasoning tokens are billed as output and are included in `output_tokens`."""
    price = price_of(prices, model)
    if price is None:
        return 0.0
    cost = input_tokens * price.input_per_million_tokens + output_tokens * price.output_per_million_tokens
    return round(cost / MILLION, DIGITS)


def image_cost(
    prices: PriceTable,
    model: str,
    input_tokens: int | None = None,
    output_tokens: int | None = None,
    quality: str | None = None,
) -> float:
    """USD for one picture: by its tokens when the API reported them, else the table's figure for its quality."""
    price = price_of(prices, model)
    if price is None:
        return 0.0
    if input_tokens is None or output_tokens is None:
        return round(price.per_image_by_quality.get(quality or "", price.per_image), DIGITS)
    return text_cost(prices, model, input_tokens, output_tokens)


def speech_cost(prices: PriceTable, model: str, characters: int) -> float:
    """USD for narration; Polly bills the characters of the text, not the SSML tags around it."""
    price = price_of(prices, model)
    if price is None:
        return 0.0
    return round(characters * price.per_million_characters / MILLION, DIGITS)


def image_usage(illustrator: Illustrator, prices: PriceTable) -> ImageUsage:
    """The story's picture, priced. A picture reused from S3 (a retry) is priced at the table's estimate."""
    if isinstance(illustrator, ReportsImageUsage):
        reported = illustrator.usage()
        if reported.images:
            return reported
    quality = getattr(illustrator, "quality", None)
    return ImageUsage(model=illustrator.model, images=1, costUsd=image_cost(prices, illustrator.model, quality=quality))


@runtime_checkable
class ReportsBilledCharacters(Protocol):
    """A narrator that knows what its vendor billed for the last narration."""

    def billed_characters(self) -> int: ...


def narration_usage(narrator: object, model: str, text: str, prices: PriceTable) -> VoiceUsage:
    """The narration priced by the characters the vendor billed; the text's length when none were (a retry
    that found the MP3 already stored, or a narrator that does not say)."""
    billed = narrator.billed_characters() if isinstance(narrator, ReportsBilledCharacters) else 0
    return voice_usage(model, billed or len(text), prices)


def voice_usage(model: str, characters: int, prices: PriceTable) -> VoiceUsage:
    """The story's narration, priced by the characters read."""
    return VoiceUsage(model=model, characters=characters, costUsd=speech_cost(prices, model, characters))
