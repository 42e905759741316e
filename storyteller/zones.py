"""IANA time zones, checked the same way wherever a zone is typed (settings, a family's bedtime)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def known_zone(value: str) -> str:
    """The zone's name, or ValueError saying it is not one (with an example of one that is)."""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown IANA time zone {value!r}, e.g. Europe/London") from error
    return value
