"""Pydantic models for everything that crosses an edge: table items, events, provider output."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Long enough for a real name or scene, short enough that a 10 kB "name" is refused at the edge.
NAME_MAX = 60
DESCRIPTION_MAX = 400


# defer_build: a model's validator is built at its first use, not at import, so a handler pays only for
# the models its invocation touches (bench/cold_start.py).
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True, defer_build=True)


class Character(_Strict):
    """Someone a story can be about."""

    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=NAME_MAX)
    description: str = Field(min_length=1, max_length=DESCRIPTION_MAX)


class Scene(_Strict):
    """Where a story happens."""

    id: str = Field(min_length=1, max_length=64)
    description: str = Field(min_length=1, max_length=DESCRIPTION_MAX)


class StoryDraft(_Strict):
    """What a story writer returns: a title and the verse, lines separated by newlines."""

    title: str = Field(min_length=1, max_length=120)
    text: str = Field(min_length=1, max_length=20_000)
    plot: str | None = Field(default=None, max_length=64)  # which plot shape, so later nights can avoid it
    moment: str | None = Field(default=None, max_length=200)  # the key moment, for the picture


class PastStory(_Strict):
    """What a writer remembers of an earlier night of the same cast, so it tells something new."""

    title: str
    plot: str | None = None


class StoryCreated(_Strict):
    """Version 1 of the event the pipe puts on the bus; consumers never see DynamoDB's format."""

    version: Literal["1"] = "1"
    id: str = Field(min_length=1, max_length=64)
    title: str
    text: str
    scene: Scene
    characters: list[Character] = Field(min_length=1)
    createdAt: datetime
    moment: str | None = None  # the plot's key moment, when the writer named one: what the picture shows

    @field_validator("createdAt")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("createdAt must carry a time zone")
        return value.astimezone(UTC)


class StoryStatus(StrEnum):
    """Where a story is in its life; the state machine moves it along."""

    CREATED = "CREATED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETE = "COMPLETE"
    FAILED = "FAILED"


class Provenance(_Strict):
    """Which models made the story, for honesty and for the cost estimate."""

    text: str
    image: str | None = None
    voice: str | None = None


class Usage(_Strict):
    """What the providers consumed, and what that cost by the configured price table."""

    inputTokens: int = 0
    outputTokens: int = 0
    images: int = 0
    voiceCharacters: int = 0
    costUsd: float = 0.0


class ImageUsage(_Strict):
    """What the Illustrate branch used; SaveMedia copies it onto the story."""

    model: str
    images: int = 0
    costUsd: float = 0.0


class VoiceUsage(_Strict):
    """What the Narrate branch used; SaveMedia copies it onto the story."""

    model: str
    characters: int = 0
    costUsd: float = 0.0


class StoryItem(BaseModel):
    """A row of the Stories table."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    id: str
    title: str
    text: str
    scene: Scene
    characters: list[Character]
    createdAt: datetime
    ttl: int
    status: StoryStatus = StoryStatus.CREATED
    words: int = 0
    imageKey: str | None = None
    audioKey: str | None = None
    executionArn: str | None = None
    notifiedAt: datetime | None = None
    provenance: Provenance | None = None
    usage: Usage | None = None
    plot: str | None = None  # the writer's plot id, so the next nights of this cast tell another
    moment: str | None = None
    imageUsage: ImageUsage | None = None
    voiceUsage: VoiceUsage | None = None
    runError: str | None = None  # why the run failed (one line), set with status FAILED

    def cost_usd(self) -> float:
        """The estimated cost of the whole story: text, picture and voice, as far as they are known."""
        parts = (self.usage, self.imageUsage, self.voiceUsage)
        return round(sum(part.costUsd for part in parts if part is not None), 6)

    def expired(self, now: datetime | None = None) -> bool:
        """DynamoDB deletes expired items lazily (up to days later), so readers must check too."""
        moment = now or datetime.now(UTC)
        return self.ttl <= int(moment.timestamp())

    def to_event(self) -> StoryCreated:
        """The StoryCreated event this item announces."""
        return StoryCreated(
            id=self.id,
            title=self.title,
            text=self.text,
            scene=self.scene,
            characters=self.characters,
            createdAt=self.createdAt,
            moment=self.moment,
        )
