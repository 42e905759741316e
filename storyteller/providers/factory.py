"""Which provider serves each job, by settings: offline unless OpenAI/Polly are configured."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

from storyteller.providers.budgets import Deadline
from storyteller.providers.protocols import Illustrator, Narrator, StoryWriter
from storyteller.settings import IllustratorChoice, NarratorChoice, Settings, WriterChoice
from storyteller.story.reading_level import YOUNG, ReadingLevel


@dataclass
class ProviderOverrides:
    """Providers handed in by whoever runs the handlers in-process (local runtime, benchmarks, fault drills).

    In Lambda nothing sets these; the settings decide.
    """

    writer: StoryWriter | None = None
    illustrator: Illustrator | None = None
    narrator: Narrator | None = None


_overrides = ProviderOverrides()


def use(overrides: ProviderOverrides | None) -> None:
    """Serve these providers in this process; None goes back to what the settings choose."""
    global _overrides
    _overrides = overrides or ProviderOverrides()


def interrupt() -> int:
    """Cut short the work in progress that can be: the offline narrator's (a stop is under way). How many.

    The others wait on the network in plain Python, which the interpreter's exit does not trip over.
    """
    offline = _loaded_offline_narrator()
    return int(offline.HibariNarrator.interrupt()) if offline is not None else 0


def _loaded_offline_narrator() -> Any:
    # Only once imported: importing it loads onnxruntime, which a run that narrated nothing does not need.
    return sys.modules.get("storyteller.providers.offline.narrator")


def story_writer(settings: Settings, level: ReadingLevel = YOUNG, deadline: Deadline | None = None) -> StoryWriter:
    """The writer for tonight's story, aiming at the listeners' reading level; its calls end by `deadline`."""
    if _overrides.writer is not None:
        return _overrides.writer
    if settings.writer is WriterChoice.OPENAI or (
        settings.writer is WriterChoice.AUTO and settings.use_cloud_providers()
    ):
        from storyteller.providers.openai_client import openai_client
        from storyteller.providers.openai_writer import OpenAIStoryWriter

        return OpenAIStoryWriter(
            openai_client(settings), settings.text_model, settings.moderation_model, settings.prices, level, deadline
        )
    from storyteller.providers.offline.writer import RhymingStoryWriter

    return RhymingStoryWriter(seed=settings.story_seed, level=level)


def illustrator(settings: Settings, deadline: Deadline | None = None) -> Illustrator:
    """The illustrator for the story's picture; its call ends by `deadline`."""
    if _overrides.illustrator is not None:
        return _overrides.illustrator
    if settings.illustrator is IllustratorChoice.OPENAI or (
        settings.illustrator is IllustratorChoice.AUTO and settings.use_cloud_providers()
    ):
        from storyteller.providers.openai_client import openai_client
        from storyteller.providers.openai_illustrator import OpenAIIllustrator

        return OpenAIIllustrator(
            openai_client(settings),
            settings.image_model,
            settings.image_size,
            settings.picture_quality,
            settings.prices,
            deadline,
        )
    from storyteller.providers.offline.illustrator import PictureBookIllustrator

    return PictureBookIllustrator()


def narrator(settings: Settings, deadline: Deadline | None = None) -> Narrator:
    """The voice that reads the story; its calls end by `deadline`."""
    if _overrides.narrator is not None:
        return _overrides.narrator
    if settings.narrator is NarratorChoice.POLLY or (
        settings.narrator is NarratorChoice.AUTO and settings.use_cloud_providers() and not _local_aws()
    ):
        from storyteller.dal.aws import client
        from storyteller.providers.polly_narrator import PollyNarrator

        return PollyNarrator(settings.voice, client("polly", settings.aws_region), settings.polly_engine, deadline)
    from storyteller.providers.offline.narrator import HibariNarrator

    return HibariNarrator()


def _local_aws() -> bool:
    # The local runtime serves AWS from moto, whose Polly answers with a few zero bytes, not speech:
    # with an OpenAI key on a laptop, `auto` still narrates offline. `STORYTELLER_NARRATOR=polly` overrides.
    return bool(os.environ.get("AWS_ENDPOINT_URL"))
