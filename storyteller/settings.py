"""One Settings object per process, from the environment or a `.env` file, validated at start."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from storyteller import names


class ProviderChoice(StrEnum):
    """`auto` picks OpenAI (text, picture) and Polly (voice) when an OpenAI key is configured."""

    AUTO = "auto"
    OFFLINE = "offline"
    CLOUD = "cloud"


class Settings(BaseSettings):
    """Every setting the service reads; the README lists them with their defaults."""

    model_config = SettingsConfigDict(env_prefix="STORYTELLER_", env_file=".env", extra="ignore", populate_by_name=True)

    home: Path = Field(default=Path(".storyteller"), description="Local state: tables, media, outbox.")
    aws_region: str = Field(default="eu-west-2", validation_alias="AWS_REGION")
    aws_endpoint_url: str | None = Field(default=None, validation_alias="AWS_ENDPOINT_URL")

    stories_table: str = names.STORIES_TABLE
    characters_table: str = names.CHARACTERS_TABLE
    scenes_table: str = names.SCENES_TABLE
    media_bucket: str = names.MEDIA_BUCKET

    schedule_cron: str = Field(default="15 19 * * *", description="Minute hour day month weekday.")
    schedule_time_zone: str = "Europe/London"
    port: int = Field(default=8000, ge=1, le=65535)
    base_url: str | None = Field(default=None, description="Public address of the story pages.")
    notify_email: str = "family@example.com"
    smtp_url: str | None = Field(default=None, description="smtp://host:port to send, besides the outbox.")
    stepfunctions_endpoint_url: str | None = None

    providers: ProviderChoice = ProviderChoice.AUTO
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    story_seed: int | None = Field(default=None, description="Fixes the offline writer's choices.")
    characters_per_story: tuple[int, int] = (2, 3)
    writer_attempts: int = Field(default=3, ge=1, le=10)

    @field_validator("schedule_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown IANA time zone {value!r}, e.g. Europe/London") from error
        return value

    @field_validator("schedule_cron")
    @classmethod
    def _five_fields(cls, value: str) -> str:
        if len(value.split()) != 5:
            raise ValueError(f"cron {value!r} needs five fields: minute hour day month weekday")
        return value

    @property
    def story_base_url(self) -> str:
        """Where the email's link points."""
        return (self.base_url or f"http://127.0.0.1:{self.port}").rstrip("/")

    def use_cloud_providers(self) -> bool:
        """OpenAI and Polly when asked for, or when a key is present and nothing says otherwise."""
        if self.providers is ProviderChoice.AUTO:
            return self.openai_api_key is not None
        return self.providers is ProviderChoice.CLOUD


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once (a Lambda cold start, a CLI run)."""
    return Settings()
