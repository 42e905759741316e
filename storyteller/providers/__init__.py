"""Providers behind small protocols: offline ones by default, OpenAI and Polly when configured."""

from storyteller.providers.protocols import Illustrator, Narrator, StoryWriter

__all__ = ["Illustrator", "Narrator", "StoryWriter"]
