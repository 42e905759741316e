"""What a deployment is told through CDK context (cdk.json, or `cdk deploy -c key=value`), checked first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from constructs import Node

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NUMERIC_WEEKDAY = re.compile(r"\d")
_US_EAST_1_CERTIFICATE = re.compile(r"^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate/[0-9a-f-]+$")
# storyteller/settings.py's Profile (infra does not import the runtime's settings); a test keeps them equal.
PROFILES = ("standard", "thrifty")


class DeployConfigError(ValueError):
    """A context value that would deploy something broken, named with how to fix it."""


@dataclass(frozen=True)
class DeployConfig:
    """The context keys of cdk.json, validated."""

    notify_email: str
    schedule_expression: str
    schedule_time_zone: str
    openai_secret_name: str
    text_model: str
    image_model: str
    voice: str
    public_shelf: bool = False
    detailed_tracing: bool = False
    profile: str = "standard"
    # The pages at your own domain: its name, and an ACM certificate for it in us-east-1 (CloudFront's region).
    web_domain: str | None = None
    web_certificate_arn: str | None = None

    @classmethod
    def from_context(cls, node: Node) -> DeployConfig:
        """Read every key from the app's context; a missing or bad one stops synth with its name."""

        def value(key: str) -> str:
            found: Any = node.try_get_context(key)
            if not isinstance(found, str) or not found.strip():
                raise DeployConfigError(f"context '{key}' is missing: set it in cdk.json or pass -c {key}=...")
            return found.strip()

        config = cls(
            notify_email=value("notifyEmail"),
            schedule_expression=value("scheduleExpression"),
            schedule_time_zone=value("scheduleTimeZone"),
            openai_secret_name=value("openaiSecretName"),
            text_model=value("textModel"),
            image_model=value("imageModel"),
            voice=value("voice"),
            public_shelf=_flag(node.try_get_context("publicShelf")),
            detailed_tracing=_flag(node.try_get_context("detailedTracing")),
            profile=str(node.try_get_context("profile") or "standard").strip(),
            web_domain=str(node.try_get_context("webDomain") or "").strip().lower() or None,
            web_certificate_arn=str(node.try_get_context("webCertificateArn") or "").strip() or None,
        )
        config.validate()
        return config

    def validate(self) -> None:
        """Refuse what AWS would refuse at deploy time, or accept and then get wrong."""
        if not _EMAIL.match(self.notify_email):
            raise DeployConfigError(f"notifyEmail {self.notify_email!r} is not an email address")
        try:
            ZoneInfo(self.schedule_time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise DeployConfigError(
                f"scheduleTimeZone {self.schedule_time_zone!r} is not an IANA time zone, e.g. Europe/London"
            ) from error
        scheduler_cron(self.schedule_expression)
        if bool(self.web_domain) != bool(self.web_certificate_arn):
            raise DeployConfigError(
                "webDomain and webCertificateArn go together: a custom domain needs its ACM certificate "
                "(in us-east-1, where CloudFront reads certificates)"
            )
        if self.web_certificate_arn and not _US_EAST_1_CERTIFICATE.match(self.web_certificate_arn):
            raise DeployConfigError(
                f"webCertificateArn {self.web_certificate_arn!r} is not an ACM certificate in us-east-1; "
                "CloudFront only uses certificates from that region"
            )
        if self.profile not in PROFILES:
            raise DeployConfigError(f"profile {self.profile!r} is not one of {', '.join(PROFILES)}")

    @property
    def is_example_email(self) -> bool:
        """The placeholder address from cdk.json: deployable, but nobody would get the email."""
        return self.notify_email.lower().endswith(("@example.com", "@example.org"))


def _flag(found: Any) -> bool:
    """A yes/no context value: `-c publicShelf=true` arrives as a string, cdk.json may hold a boolean."""
    if found is None or isinstance(found, bool):
        return bool(found)
    if str(found).lower() in ("true", "false"):
        return str(found).lower() == "true"
    raise DeployConfigError(f"context value {found!r} must be true or false")


def scheduler_cron(expression: str) -> str:
    """EventBridge Scheduler's six-field `cron(...)` for the five-field line the local scheduler reads.

    Scheduler wants `?` in one of day-of-month and day-of-week and a year field. Weekdays must be names
    (MON-FRI): a number means a different day to crontab (0 = Sunday), APScheduler (0 = Monday, which the
    local runtime uses) and Scheduler (1 = Sunday), so a number would make the two modes disagree.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise DeployConfigError(f"scheduleExpression {expression!r} needs five fields: minute hour day month weekday")
    minute, hour, day, month, weekday = fields
    if _NUMERIC_WEEKDAY.search(weekday):
        raise DeployConfigError(f"scheduleExpression weekday {weekday!r}: use names such as MON-FRI, not numbers")
    if weekday in ("*", "?"):
        weekday = "?"
    elif day in ("*", "?"):
        day, weekday = "?", weekday.upper()
    else:
        raise DeployConfigError(
            f"scheduleExpression {expression!r} restricts both day of month and weekday; Scheduler allows one"
        )
    return f"cron({minute} {hour} {day} {month.upper()} {weekday} *)"
