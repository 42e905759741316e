"""One Settings object per process, from the environment or a `.env` file, validated at start."""

from __future__ import annotations

import os
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from storyteller import names
from storyteller.environment import EnvironmentSettings
from storyteller.zones import known_zone


class ProviderChoice(StrEnum):
    """`auto` picks OpenAI (text, picture) and Polly (voice) when an OpenAI key is configured."""

    AUTO = "auto"
    OFFLINE = "offline"
    CLOUD = "cloud"


class WriterChoice(StrEnum):
    """Who writes the story; `auto` follows `providers` (OpenAI when a key is configured)."""

    AUTO = "auto"
    OFFLINE = "offline"
    OPENAI = "openai"


class IllustratorChoice(StrEnum):
    """Who draws the picture; `auto` follows `providers`."""

    AUTO = "auto"
    OFFLINE = "offline"
    OPENAI = "openai"


class NarratorChoice(StrEnum):
    """Who reads the story aloud; `auto` is Polly with the cloud providers, unless AWS is a local endpoint."""

    AUTO = "auto"
    OFFLINE = "offline"
    POLLY = "polly"


ImageQuality = Literal["low", "medium", "high", "xhigh", "max", "auto"]
VoiceEngine = Literal["standard", "neural", "generative"]


class Profile(StrEnum):
    """What a story is made with, and so what it costs (docs/providers.md § Profiles)."""

    STANDARD = "standard"
    THRIFTY = "thrifty"


# A profile names defaults; STORYTELLER_IMAGE_QUALITY or STORYTELLER_VOICE_ENGINE, when set, win.
PROFILE_IMAGE_QUALITY: dict[Profile, ImageQuality] = {Profile.STANDARD: "medium", Profile.THRIFTY: "low"}
PROFILE_VOICE_ENGINE: dict[Profile, VoiceEngine] = {Profile.STANDARD: "neural", Profile.THRIFTY: "standard"}


class ModelPrice(BaseModel):
    """USD list prices of one model; a cost estimate, not a bill."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input_per_million_tokens: float = Field(default=0.0, ge=0)
    output_per_million_tokens: float = Field(default=0.0, ge=0)
    # Used when the API reports no token usage for a picture (or it was made by an earlier attempt).
    per_image: float = Field(default=0.0, ge=0)
    per_image_by_quality: dict[str, float] = Field(default_factory=dict)
    per_million_characters: float = Field(default=0.0, ge=0)


# OpenAI and AWS list prices checked November 2026; override with STORYTELLER_PRICES (JSON, by model).
DEFAULT_PRICES: dict[str, ModelPrice] = {
    "gpt-5.4-mini": ModelPrice(input_per_million_tokens=0.75, output_per_million_tokens=4.50),
    "gpt-5.4": ModelPrice(input_per_million_tokens=2.50, output_per_million_tokens=15.00),
    # Image output tokens: a 1024x1024 medium picture is ~1,756 of them, ~$0.053 with its prompt.
    # Low and high in gpt-image-1's published proportions (272 / 1,056 / 4,160 output tokens at 1024x1024).
    "gpt-image-2.6-flare": ModelPrice(
        input_per_million_tokens=5.0,
        output_per_million_tokens=30.0,
        per_image=0.053,
        per_image_by_quality={"low": 0.014, "medium": 0.053, "high": 0.208},
    ),
    "gpt-image-2.6-sunburst": ModelPrice(
        input_per_million_tokens=5.0,
        output_per_million_tokens=30.0,
        per_image=0.053,
        per_image_by_quality={"low": 0.014, "medium": 0.053, "high": 0.208},
    ),
    "polly-standard": ModelPrice(per_million_characters=4.0),
    "polly-neural": ModelPrice(per_million_characters=16.0),
    "polly-generative": ModelPrice(per_million_characters=30.0),
}


# Set by AWS Lambda in every function's environment (and never by the local runtime).
IN_LAMBDA = "AWS_LAMBDA_FUNCTION_NAME"


class Settings(EnvironmentSettings):
    """Every setting the service reads; the README lists them with their defaults."""

    home: Path = Field(default=Path(".storyteller"), description="Local state: tables, media, outbox.")
    aws_region: str = Field(default="eu-west-2", validation_alias="AWS_REGION")
    aws_endpoint_url: str | None = Field(default=None, validation_alias="AWS_ENDPOINT_URL")

    stories_table: str = names.STORIES_TABLE
    characters_table: str = names.CHARACTERS_TABLE
    scenes_table: str = names.SCENES_TABLE
    firings_table: str = names.FIRINGS_TABLE
    memory_table: str = names.MEMORY_TABLE
    families_table: str = names.FAMILIES_TABLE
    deliveries_table: str = names.DELIVERIES_TABLE
    aws: bool = Field(
        default=False,
        description="`family`, `cast` and `scene` commands work on the deployed stack's tables (named by the "
        "*_TABLE settings, from the stack's outputs) instead of the local state.",
    )
    media_bucket: str = names.MEDIA_BUCKET

    schedule_cron: str = Field(default="15 19 * * *", description="Minute hour day month weekday.")
    schedule_time_zone: str = "Europe/London"
    port: int = Field(default=8000, ge=1, le=65535)
    endpoint_port: int = Field(
        default=0, ge=0, le=65535, description="Port of the local AWS endpoint (0: any free one)."
    )
    base_url: str | None = Field(default=None, description="Public address of the story pages.")
    notify_email: str = "family@example.com"
    smtp_url: str | None = Field(default=None, description="smtp://host:port to send, besides the outbox.")
    mail_from: str = Field(
        default="storyteller <stories@storyteller.local>",
        description="The email's From: in AWS an address of the verified SES identity (cdk.json).",
    )
    ses_configuration_set: str | None = Field(
        default=None, description="SES configuration set whose events record each delivery (AWS)."
    )
    unsubscribe_secret: SecretStr | None = Field(
        default=None,
        description="Key that signs each recipient's unsubscribe link; locally kept in STORYTELLER_HOME when unset.",
    )
    unsubscribe_secret_name: str | None = Field(
        default=None, description="Secrets Manager secret holding the unsubscribe key (AWS)."
    )

    providers: ProviderChoice = ProviderChoice.AUTO
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    story_seed: int | None = Field(default=None, description="Fixes the offline writer's choices.")
    characters_per_story: tuple[int, int] = (2, 3)
    writer_attempts: int = Field(default=3, ge=1, le=10)

    writer: WriterChoice = WriterChoice.AUTO
    illustrator: IllustratorChoice = IllustratorChoice.AUTO
    narrator: NarratorChoice = NarratorChoice.AUTO
    text_model: str = Field(default="gpt-5.4-mini", min_length=1)
    moderation_model: str = Field(default="omni-moderation-latest", min_length=1)
    image_model: str = Field(default="gpt-image-2.6-flare", min_length=1)
    image_size: str = Field(default="1024x1024", pattern=r"^\d{3,4}x\d{3,4}$")
    profile: Profile = Profile.STANDARD
    image_quality: ImageQuality | None = Field(default=None, description="None: the profile's.")
    voice: str = Field(default="Amy", min_length=1, description="A Polly voice the engine has.")
    voice_engine: VoiceEngine | None = Field(default=None, description="None: the profile's.")
    openai_base_url: str | None = Field(
        default=None,
        description="Another OpenAI-compatible endpoint, local runs only: the tests' fake, or a local model's server.",
    )
    openai_secret_name: str | None = Field(default=None, description="Secrets Manager secret holding the key (AWS).")
    openai_timeout_seconds: float = Field(default=90.0, gt=0, le=600)
    openai_max_retries: int = Field(default=2, ge=0, le=10)
    prices: dict[str, ModelPrice] = Field(default_factory=lambda: dict(DEFAULT_PRICES))

    @field_validator("openai_api_key", mode="before")
    @classmethod
    def _blank_key_is_none(cls, value: object) -> object:
        # `OPENAI_API_KEY=` in a .env means "no key", not a key that every request would fail with.
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("openai_base_url")
    @classmethod
    def _local_endpoint_only(cls, value: str | None) -> str | None:
        # In AWS the OpenAI key (from Secrets Manager) would go to whatever host this names.
        if value and value.strip() and os.environ.get(IN_LAMBDA):
            raise ValueError(
                "STORYTELLER_OPENAI_BASE_URL is for local runs (a fake or a local model's server); in AWS it "
                "would send the OpenAI key to another host: unset it"
            )
        return value

    @field_validator("schedule_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @field_validator("schedule_cron")
    @classmethod
    def _five_fields(cls, value: str) -> str:
        fields = value.split()
        if len(fields) != 5:
            raise ValueError(f"cron {value!r} needs five fields: minute hour day month weekday")
        if any(character.isdigit() for character in fields[4]):
            # crontab, APScheduler and EventBridge Scheduler number weekdays three different ways.
            raise ValueError(f"cron {value!r}: name the weekdays (MON-FRI, SAT,SUN); numbers mean different days")
        return value

    @property
    def picture_quality(self) -> ImageQuality:
        """The image quality asked of OpenAI: the setting, or the profile's."""
        return self.image_quality or PROFILE_IMAGE_QUALITY[self.profile]

    @property
    def polly_engine(self) -> VoiceEngine:
        """The Polly engine that reads the story: the setting, or the profile's."""
        return self.voice_engine or PROFILE_VOICE_ENGINE[self.profile]

    @property
    def story_base_url(self) -> str:
        """Where the email's link points."""
        return (self.base_url or f"http://127.0.0.1:{self.port}").rstrip("/")

    def use_cloud_providers(self) -> bool:
        """OpenAI and Polly when asked for, or when a key (or its secret) is configured and nothing says otherwise."""
        if self.providers is ProviderChoice.AUTO:
            return self.openai_api_key is not None or self.openai_secret_name is not None
        return self.providers is ProviderChoice.CLOUD


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once (a Lambda cold start, a CLI run)."""
    return Settings()
