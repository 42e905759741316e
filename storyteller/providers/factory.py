"""Which provider serves each job, by settings: offline unless OpenAI/Polly are configured."""

from __future__ import annotations

import os

from storyteller.providers.protocols import Illustrator, Narrator, StoryWriter
from storyteller.settings import IllustratorChoice, NarratorChoice, Settings, WriterChoice


def story_writer(settings: Settings) -> StoryWriter:
    """The writer for tonight's story."""
    if settings.writer is WriterChoice.OPENAI or (
        settings.writer is WriterChoice.AUTO and settings.use_cloud_providers()
    ):
        from storyteller.providers.openai_client import openai_client
        from storyteller.providers.openai_writer import OpenAIStoryWriter

        return OpenAIStoryWriter(
            openai_client(settings), settings.text_model, settings.moderation_model, settings.prices
        )
    from storyteller.providers.offline.writer import RhymingStoryWriter

    return RhymingStoryWriter(seed=settings.story_seed)


def illustrator(settings: Settings) -> Illustrator:
    """The illustrator for the story's picture."""
    if settings.illustrator is IllustratorChoice.OPENAI or (
        settings.illustrator is IllustratorChoice.AUTO and settings.use_cloud_providers()
    ):
        from storyteller.providers.openai_client import openai_client
        from storyteller.providers.openai_illustrator import OpenAIIllustrator

        return OpenAIIllustrator(
            openai_client(settings), settings.image_model, settings.image_size, settings.image_quality, settings.prices
        )
    from storyteller.providers.offline.illustrator import PictureBookIllustrator

    return PictureBookIllustrator()


def narrator(settings: Settings) -> Narrator:
    """The voice that reads the story."""
    if settings.narrator is NarratorChoice.POLLY or (
        settings.narrator is NarratorChoice.AUTO and settings.use_cloud_providers() and not _local_aws()
    ):
        from storyteller.dal.aws import client
        from storyteller.providers.polly_narrator import PollyNarrator

        return PollyNarrator(settings.voice, client("polly", settings.aws_region))
    from storyteller.providers.offline.narrator import HibariNarrator

    return HibariNarrator()


def _local_aws() -> bool:
    # The local runtime serves AWS from moto, whose Polly answers with a few zero bytes, not speech:
    # with an OpenAI key on a laptop, `auto` still narrates offline. `STORYTELLER_NARRATOR=polly` overrides.
    return bool(os.environ.get("AWS_ENDPOINT_URL"))
