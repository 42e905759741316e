"""Names shared by the CDK app and the local runtime: one source of truth."""

from typing import Final

CHARACTERS_TABLE: Final = "Characters"
SCENES_TABLE: Final = "Scenes"
STORIES_TABLE: Final = "Stories"
TTL_ATTRIBUTE: Final = "ttl"
# Which firing of the nightly schedule made which story (Powertools idempotency records, pk `id`).
FIRINGS_TABLE: Final = "ScheduleFirings"
FIRINGS_TTL_ATTRIBUTE: Final = "expiration"
# Households (issue 14): one row per family; Characters and Scenes are keyed (familyId, id); the Stories
# table's index lists one family's stories, newest first, for its shelf.
FAMILIES_TABLE: Final = "Families"
FAMILY_KEY: Final = "familyId"
STORIES_BY_FAMILY_INDEX: Final = "byFamily"
# An install from before households: its cast, scenes and stories become this family's.
DEFAULT_FAMILY: Final = "default"
# Kept on a family's row beside the family (storyteller.dal.families drops it when reading a Family):
# which subscription serves which address, so a removed address can be unsubscribed without listing
# every subscription of the topic (storyteller.households.family_sync).
SUBSCRIPTIONS_ATTRIBUTE: Final = "subscriptionArns"
# Also beside a family: the addresses that get no more email (unsubscribed, hard bounce, complaint), each
# with why and when, so the manage page can say who left and the family keeps its list.
MAIL_STOPS_ATTRIBUTE: Final = "mailStops"
# One row per (story, recipient): the mailer's claim before it sends, then what the mail server said
# (storyteller.mailer). pk `storyId`, sk `recipient`; it expires with its story.
DELIVERIES_TABLE: Final = "Deliveries"

EVENT_BUS: Final = "storyteller"
EVENT_SOURCE: Final = "storyteller.stories"
STORY_CREATED: Final = "StoryCreated"

STATE_MACHINE: Final = "storyteller-story-media"
NOTIFY_TOPIC: Final = "storyteller-story-ready"
MEDIA_BUCKET: Final = "storyteller-media"

CREATE_STORY_FUNCTION: Final = "storyteller-create-story"
GENERATE_IMAGE_FUNCTION: Final = "storyteller-generate-image"
GENERATE_AUDIO_FUNCTION: Final = "storyteller-generate-audio"
STORY_CREATED_FUNCTION: Final = "storyteller-story-created"
RUN_STATUS_FUNCTION: Final = "storyteller-run-status"
FAMILY_SYNC_FUNCTION: Final = "storyteller-family-sync"
HOUSEHOLDS_SETUP_FUNCTION: Final = "storyteller-households-setup"
WEB_FUNCTION: Final = "storyteller-web"
MAILER_FUNCTION: Final = "storyteller-mailer"
MAIL_EVENTS_FUNCTION: Final = "storyteller-mail-events"
MAILER_QUEUE: Final = "storyteller-mailer"

METRICS_NAMESPACE: Final = "Storyteller"
SERVICE: Final = "storyteller"

STORY_LIFETIME_SECONDS: Final = 2 * 24 * 60 * 60
# What a family was told (title, plot, synopsis, cast ids; never the text), pk familyId, sk toldAt: read by
# both writers so a week's nights do not repeat, kept four weeks by its own TTL, long after the story expired.
MEMORY_TABLE: Final = "StoryMemory"
MEMORY_LIFETIME_SECONDS: Final = 28 * 24 * 60 * 60


def image_key(story_id: str) -> str:
    """S3 key of a story's illustration."""
    return f"stories/{story_id}/image.png"


def audio_key(story_id: str) -> str:
    """S3 key of a story's narration."""
    return f"stories/{story_id}/audio.mp3"
