"""The web app's own settings (console login, sessions, which state machine), beside the shared Settings."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from storyteller.environment import EnvironmentSettings

# Long enough that guessing it online is hopeless even before the scrypt cost and the throttle.
PASSWORD_MIN = 8
SESSION_SECRET_MIN = 32


class FrontendSettings(EnvironmentSettings):
    """Read once at start from `STORYTELLER_*` variables or `.env`, like the shared Settings."""

    console_password: SecretStr | None = Field(
        default=None, description="The operators' console password; wins over the Secrets Manager secret."
    )
    console_password_secret_name: str | None = Field(
        default=None,
        description='Secrets Manager secret (name or ARN) holding the password, plain or JSON {"password": ...}.',
    )
    session_secret: SecretStr | None = Field(
        default=None,
        description="Key that signs console session cookies; random per process when unset (logins end on restart).",
    )
    session_secret_name: str | None = Field(
        default=None,
        description="Secrets Manager secret (name or ARN) with the cookie-signing key, when session_secret is unset.",
    )
    origin_secret_name: str | None = Field(
        default=None,
        description="Secrets Manager secret with the header value CloudFront sends (AWS only: frontend/front_door.py).",
    )
    state_machine_arn: str | None = Field(
        default=None, description="The story-media state machine; looked up by its name when unset."
    )
    client_address_header: str | None = Field(
        default=None,
        description="Header holding the client's address, set by the front door over whatever the client sent "
        "(AWS); unset, the socket's peer counts. The console's login throttle counts per address.",
    )
    console_session_hours: float = Field(default=12.0, gt=0, le=24 * 7)
    public_shelf: bool = Field(
        default=False,
        description="List the default family's stories on the home page, for a one-family install that wants "
        "that. Off by default: every family's stories are on its own private shelf (the link in its emails).",
    )

    @field_validator("console_password")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < PASSWORD_MIN:
            raise ValueError(f"STORYTELLER_CONSOLE_PASSWORD needs at least {PASSWORD_MIN} characters")
        return value

    @field_validator("session_secret")
    @classmethod
    def _random_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < SESSION_SECRET_MIN:
            raise ValueError(
                f"STORYTELLER_SESSION_SECRET needs at least {SESSION_SECRET_MIN} characters,"
                ' e.g. python -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
        return value
