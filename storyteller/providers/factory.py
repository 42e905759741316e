"""Which provider serves each job, by settings: offline unless OpenAI/Polly are configured."""

from __future__ import annotations

from storyteller.providers.protocols import Illustrator, Narrator, StoryWriter
from storyteller.settings import Settings


def story_writer(settings: Settings) -> StoryWriter:
    """The writer for tonight's story."""
    from storyteller.providers.offline.writer import RhymingStoryWriter

    return RhymingStoryWriter(seed=settings.story_seed)


def illustrator(settings: Settings) -> Illustrator:
    """The illustrator for the story's picture."""
    from storyteller.providers.offline.illustrator import PictureBookIllustrator

    return PictureBookIllustrator()


def narrator(settings: Settings) -> Narrator:
    """The voice that reads the story."""
    from storyteller.providers.offline.narrator import HibariNarrator

    return HibariNarrator()
