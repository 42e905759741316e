"""Tonight's picture and narration, each one unit of work that a retry can safely repeat."""

from __future__ import annotations

from storyteller import names
from storyteller.dal.media import MediaStore
from storyteller.models import StoryCreated
from storyteller.providers.protocols import Illustrator, Narrator


def illustrate(story: StoryCreated, illustrator: Illustrator, media: MediaStore) -> str:
    """Draw the story's picture once; a retry finds it in S3 and does not pay for it again."""
    key = names.image_key(story.id)
    if not media.exists(key):
        media.put(key, illustrator.illustrate(story.title, story.characters, story.scene), "image/png")
    return key


def narration_text(story: StoryCreated) -> str:
    """What the narrator reads: an introduction, then the verse as written."""
    return f"This is a story called {story.title}.\n\n{story.text}"


def narrate(story: StoryCreated, narrator: Narrator, media: MediaStore) -> str:
    """Read the story aloud once; like `illustrate`, idempotent by key."""
    key = names.audio_key(story.id)
    if not media.exists(key):
        media.put(key, narrator.narrate(narration_text(story)), "audio/mpeg")
    return key
