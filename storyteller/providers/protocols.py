"""The three things a story needs made, each behind a protocol so the logic never names a vendor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from storyteller.models import Character, PastStory, Scene, StoryDraft, Usage


class StoryWriter(Protocol):
    """Writes a titled, rhyming story about the cast in the scene."""

    model: str

    def write(self, characters: list[Character], scene: Scene, feedback: str | None = None) -> StoryDraft:
        """A draft; `feedback` names what was wrong with the previous one, if any."""
        ...

    def usage(self) -> Usage:
        """What the writes so far consumed."""
        ...


@runtime_checkable
class RememberingWriter(Protocol):
    """A writer that can be told the recent stories of the cast, and tells something else."""

    def write_remembering(
        self, characters: list[Character], scene: Scene, recent: Sequence[PastStory], feedback: str | None = None
    ) -> StoryDraft:
        """As `write`, avoiding the titles and plots of `recent`."""
        ...


class Illustrator(Protocol):
    """Draws one picture-book illustration as PNG bytes."""

    model: str

    def illustrate(self, title: str, characters: list[Character], scene: Scene, moment: str = "") -> bytes:
        """PNG bytes, at least 768x768; `moment` is the story's key moment, when the writer named one."""
        ...


class Narrator(Protocol):
    """Reads text aloud as MP3 bytes."""

    model: str

    def narrate(self, text: str) -> bytes:
        """MP3 bytes of the whole text."""
        ...
