"""Pydantic models for everything that crosses an edge: table items, events, provider output."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from storyteller import names
from storyteller.zones import known_zone

# Long enough for a real name or scene, short enough that a 10 kB "name" is refused at the edge.
NAME_MAX = 60
DESCRIPTION_MAX = 400
# A family's id is part of its links and its schedule's name: lowercase letters, digits and inner hyphens.
FAMILY_ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$"
BEDTIME_PATTERN = r"^(?:[01]\d|2[0-3]):[0-5]\d$"
RECIPIENTS_MAX = 10
# Characters that rewrite what a terminal or an editor shows (bidirectional overrides and isolates).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Languages the writers and voices can tell a story in; English only until a second one is tested end to end.
Language = Literal["en"]


def _plain_text(value: str) -> str:
    """A name or description as one line of visible text: a control character (an escape sequence that
    would drive the operator's terminal in `family show`, a newline that forges a log line) is refused."""
    for character in value:
        if unicodedata.category(character) == "Cc" or character in _BIDI_CONTROLS:
            raise ValueError(f"control character {character!r} is not allowed")
    return value


PlainText = Annotated[str, AfterValidator(_plain_text)]


def email_address(address: str) -> str:
    """The address as email-validator normalises it (lowercase), or ValueError saying what is wrong.

    ASCII only: a non-ASCII local part needs SMTPUTF8, which the plain-text email's `To:` does not
    speak. Deliverability is not checked here; SNS's confirmation email is the real check.
    """
    try:
        checked = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise ValueError(f"{address!r} is not an email address: {error}") from None
    return checked.normalized.lower()


# defer_build: a model's validator is built at its first use, not at import, so a handler pays only for
# the models its invocation touches (bench/cold_start.py).
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True, defer_build=True)


class Character(_Strict):
    """Someone a story can be about."""

    id: PlainText = Field(min_length=1, max_length=64)
    name: PlainText = Field(min_length=1, max_length=NAME_MAX)
    description: PlainText = Field(min_length=1, max_length=DESCRIPTION_MAX)


class Scene(_Strict):
    """Where a story happens."""

    id: PlainText = Field(min_length=1, max_length=64)
    description: PlainText = Field(min_length=1, max_length=DESCRIPTION_MAX)


class StoryDraft(_Strict):
    """What a story writer returns: a title and the verse, lines separated by newlines."""

    title: str = Field(min_length=1, max_length=120)
    text: str = Field(min_length=1, max_length=20_000)
    plot: str | None = Field(default=None, max_length=64)  # which plot shape, so later nights can avoid it
    moment: str | None = Field(default=None, max_length=200)  # the key moment, for the picture
    synopsis: str | None = Field(default=None, max_length=300)  # the plot in one line, so later nights can avoid it


class PastStory(_Strict):
    """What a writer remembers of an earlier night of the same cast, so it tells something new."""

    title: str
    plot: str | None = None
    synopsis: str | None = None


class Family(_Strict):
    """A household: who gets the email, when its night is, and for whom the stories are told."""

    id: str = Field(pattern=FAMILY_ID_PATTERN)
    name: PlainText = Field(min_length=1, max_length=NAME_MAX)
    recipients: list[str] = Field(min_length=1, max_length=RECIPIENTS_MAX)
    timeZone: str
    at: str = Field(description="Bedtime, HH:MM in the family's time zone.")
    language: Language = "en"
    age: int = Field(default=5, ge=2, le=12, description="The listeners' age: length and words follow it.")
    # The capability in the shelf's link; replacing it revokes every link sent before.
    shelfToken: str = Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    createdAt: datetime | None = None

    @field_validator("recipients")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        cleaned = [email_address(address.strip()) for address in value]
        if len(set(cleaned)) != len(cleaned):
            raise ValueError("an address is listed twice")
        return cleaned

    @field_validator("at")
    @classmethod
    def _bedtime(cls, value: str) -> str:
        if not re.match(BEDTIME_PATTERN, value):
            raise ValueError(f"{value!r} is not a time of day: HH:MM, 00:00 to 23:59")
        return value

    @field_validator("timeZone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return known_zone(value)

    @property
    def shelf_path(self) -> str:
        """The family's private shelf, relative to the story pages' address."""
        return f"/shelf/{self.id}/{self.shelfToken}"

    def ref(self) -> FamilyRef:
        """What a story's event carries of its family: its id, never the shelf's token."""
        return FamilyRef(id=self.id)


class FamilyRef(_Strict):
    """The family a story is for, as its event carries it: an id to read the family by."""

    id: str = Field(pattern=FAMILY_ID_PATTERN)


class LegacyFamilyRef(_Strict):
    """A version 2 event's family: the id and the shelf path (which holds the family's secret token)."""

    id: str = Field(pattern=FAMILY_ID_PATTERN)
    shelf: str = Field(min_length=1, max_length=200)


# What a version 1 event (from before households) is taken to mean: the default family's; the state
# machine's UpgradeV1 state adds the same (statemachine/story_media.asl.json).
LEGACY_FAMILY = FamilyRef(id=names.DEFAULT_FAMILY)


class StoryCreated(_Strict):
    """The event the pipe puts on the bus (version 3): references, not content.

    Step Functions keeps a run's input and every state's input and output for 90 days, longer than a
    story may live; so the event names the story and its family and the media functions read the rest
    from the Stories table.
    """

    version: Literal["3"] = "3"
    id: str = Field(min_length=1, max_length=64)
    family: FamilyRef = LEGACY_FAMILY


class LegacyStoryCreated(_Strict):
    """Versions 1 and 2, which carried the whole story; accepted while such events can still be in flight."""

    version: Literal["1", "2"] = "2"
    family: LegacyFamilyRef = LegacyFamilyRef(id=names.DEFAULT_FAMILY, shelf="/")
    id: str = Field(min_length=1, max_length=64)
    title: str
    text: str
    scene: Scene
    characters: list[Character] = Field(min_length=1)
    createdAt: datetime
    moment: str | None = None

    @field_validator("createdAt")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("createdAt must carry a time zone")
        return value.astimezone(UTC)

    def reference(self) -> StoryCreated:
        """The same story as a version 3 event: what the state machine's Upgrade states make of it."""
        return StoryCreated(id=self.id, family=FamilyRef(id=self.family.id))


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
    familyId: str = names.DEFAULT_FAMILY  # rows from before households are the default family's
    shelf: str = "/"  # the family's shelf path when the story was written, for its email
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
    synopsis: str | None = None  # the plot in one line (OpenAI writer), remembered for the nights after
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
        return StoryCreated(id=self.id, family=FamilyRef(id=self.familyId))


class NightFailure(BaseModel):
    """A family's night that failed before any run (storyteller.dal.night_failures): why, and when."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    familyId: str
    firing: str | None = None  # the schedule's time for the night; None for a `tonight` made by hand
    at: datetime
    error: str  # the exception's name, as a failed state's Error
    reason: str


def input_problems(error: ValidationError) -> str:
    """What is wrong with what a person typed, as one line: `at: '25:00' is not a time of day …`."""
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or 'value'}: {problem['msg'].removeprefix('Value error, ')}"
        for problem in error.errors()
    )
