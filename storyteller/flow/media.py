"""Tonight's picture and narration, each one unit of work that a retry can safely repeat."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from storyteller import names
from storyteller.dal.media import MediaStore
from storyteller.errors import ProviderError, StoryNotFoundError
from storyteller.models import StoryCreated, StoryItem
from storyteller.providers.protocols import Illustrator, Narrator

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# An MP3 starts with an ID3v2 tag or straight with a frame: 11 set sync bits, then MPEG version and
# layer bits that say "Layer III" (01). Anything else (an HTML error page, JSON) is not audio.
_ID3 = b"ID3"


class StoryReader(Protocol):
    """Reads one story by id (storyteller.dal.stories.StoryStore)."""

    def get(self, story_id: str) -> StoryItem | None: ...


def story_of(event: StoryCreated, stories: StoryReader, now: datetime | None = None) -> StoryItem:
    """The story an event names, read from the Stories table (one GetItem): the event carries no content.

    A story that is gone (expired, or its family removed) fails the branch with an error naming only its id.
    """
    story = stories.get(event.id)
    if story is None or story.expired(now):
        raise StoryNotFoundError(f"story {event.id} is no longer in the Stories table (expired or removed)")
    return story


def illustrate(story: StoryItem, illustrator: Illustrator, media: MediaStore) -> str:
    """Draw the story's picture once; a retry finds it in S3 and does not pay for it again."""
    key = names.image_key(story.id)
    if not media.exists(key):
        picture = illustrator.illustrate(story.title, story.characters, story.scene, moment=story.moment or "")
        if not is_png(picture):
            raise ProviderError(f"{illustrator.model} returned {_describe(picture)}, not a PNG: nothing was stored")
        media.put(key, picture, "image/png")
    return key


def narration_text(story: StoryItem) -> str:
    """What the narrator reads: an introduction, then the verse as written."""
    return f"This is a story called {story.title}.\n\n{story.text}"


def narrate(story: StoryItem, narrator: Narrator, media: MediaStore) -> str:
    """Read the story aloud once; like `illustrate`, idempotent by key."""
    key = names.audio_key(story.id)
    if not media.exists(key):
        audio = narrator.narrate(narration_text(story))
        if not is_mp3(audio):
            raise ProviderError(f"{narrator.model} returned {_describe(audio)}, not an MP3: nothing was stored")
        media.put(key, audio, "audio/mpeg")
    return key


def is_png(body: bytes) -> bool:
    """Whether the bytes start like a PNG file (signature, then the IHDR chunk)."""
    return body.startswith(PNG_SIGNATURE) and body[12:16] == b"IHDR"


def is_mp3(body: bytes) -> bool:
    """Whether the bytes start like an MP3 file: an ID3 tag, or an MPEG Layer III frame header."""
    if body.startswith(_ID3):
        return len(body) > 10
    return len(body) >= 4 and body[0] == 0xFF and (body[1] & 0xE0) == 0xE0 and (body[1] & 0x06) == 0x02


def _describe(body: bytes) -> str:
    # Enough to recognise an error page or a JSON error in the execution's Cause, never the whole body.
    if not body:
        return "nothing (0 bytes)"
    head = body[:24].decode("ascii", errors="replace").replace("\n", " ")
    return f"{len(body)} bytes starting {head!r}"
