"""Families: making a new one, the default family an older install becomes, and when a family's night is."""

from __future__ import annotations

import logging
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from storyteller import names
from storyteller.dal.families import FamilyStore
from storyteller.errors import LastOfItsKindError
from storyteller.models import Character, Family, Language, Scene
from storyteller.settings import Settings

log = logging.getLogger(__name__)
DEFAULT_BEDTIME = "19:15"


def shelf_token() -> str:
    """The capability in a shelf link: 192 random bits, URL-safe."""
    return secrets.token_urlsafe(24)


def new_family(
    family_id: str,
    recipients: list[str],
    time_zone: str,
    at: str,
    *,
    name: str | None = None,
    language: Language = "en",
    age: int = 5,
    now: datetime | None = None,
) -> Family:
    """A family as `family add` makes it: validated (ValidationError says what is wrong), with a new shelf link."""
    return Family(
        id=family_id,
        name=name or family_id.replace("-", " ").title(),
        recipients=recipients,
        timeZone=time_zone,
        at=at,
        language=language,
        age=age,
        shelfToken=shelf_token(),
        createdAt=(now or datetime.now(UTC)).replace(microsecond=0),
    )


def bedtime_of_cron(cron: str) -> str:
    """The HH:MM a daily `M H * * *` expression names; another shape keeps its time if it has one."""
    minute, hour, *days = cron.split()
    if not (minute.isdigit() and hour.isdigit()):
        log.warning("schedule %r names no single time: the default family's bedtime is %s", cron, DEFAULT_BEDTIME)
        return DEFAULT_BEDTIME
    if days != ["*", "*", "*"]:
        log.warning("schedule %r runs on some days only: the default family's night is every day", cron)
    return f"{int(hour):02d}:{int(minute):02d}"


def ensure_default_family(settings: Settings) -> Family:
    """The family an install from before households becomes (its cast, scenes and stories are this family's).

    Made once from the old single-family settings: the notify address, the schedule's time and zone.
    """
    families = FamilyStore(settings)
    if (found := families.get(names.DEFAULT_FAMILY)) is not None:
        return found
    family = new_family(
        names.DEFAULT_FAMILY,
        [settings.notify_email],
        settings.schedule_time_zone,
        bedtime_of_cron(settings.schedule_cron),
        name="Default family",
    )
    families.add(family)
    return family


def next_night(family: Family, now: datetime | None = None) -> datetime:
    """The next time the family's story is written, in its own zone (summer time included).

    A bedtime that does not exist on a spring-forward night (02:30) happens at the same wall time after
    the jump, as EventBridge Scheduler does.
    """
    zone = ZoneInfo(family.timeZone)
    moment = (now or datetime.now(UTC)).astimezone(zone)
    hour, minute = (int(part) for part in family.at.split(":"))
    for days in range(3):
        day = (moment + timedelta(days=days)).date()
        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        # Round-trip through UTC: a wall time in the spring-forward gap comes back moved past the jump.
        candidate = candidate.astimezone(UTC).astimezone(zone)
        if candidate > moment:
            return candidate
    raise AssertionError("a daily bedtime always comes within two days")


def slug(name: str) -> str:
    """An id from a name: `Grandma Rose` → `grandma-rose` (accents dropped, other characters hyphens)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = "".join(character if character.isalnum() else " " for character in plain).split()
    return "-".join(words)[:64]


def character_named(name: str, description: str) -> Character:
    """A character as a person types one: its id from its name (ValidationError says what is wrong)."""
    return Character(id=slug(name) or "character", name=name, description=description)


class Catalog(Protocol):
    """A family's cast and scenes (storyteller.dal.catalog.CatalogStore)."""

    def characters(self) -> list[Character]: ...

    def scenes(self) -> list[Scene]: ...

    def remove_character(self, character_id: str) -> None: ...

    def remove_scene(self, scene_id: str) -> None: ...


def remove_from_cast(catalog: Catalog, character_id: str) -> None:
    """Remove a character, unless it is the last: a family with no cast would fail every night (issue 30)."""
    if [character.id for character in catalog.characters()] == [character_id]:
        raise LastOfItsKindError(
            f"{character_id!r} is the only character left: every story needs one, so add another before removing it"
        )
    catalog.remove_character(character_id)


def remove_scene(catalog: Catalog, scene_id: str) -> None:
    """Remove a scene, unless it is the last: a family with no scene would fail every night."""
    if [scene.id for scene in catalog.scenes()] == [scene_id]:
        raise LastOfItsKindError(
            f"{scene_id!r} is the only scene left: every story needs one, so add another before removing it"
        )
    catalog.remove_scene(scene_id)
