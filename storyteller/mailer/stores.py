"""The mailer's stores and settings from the process's Settings (Lambda and local alike)."""

from __future__ import annotations

from storyteller.dal.deliveries import DeliveryStore
from storyteller.dal.families import FamilyStore
from storyteller.dal.media import MediaStore
from storyteller.dal.stories import StoryStore
from storyteller.mailer.deliver import MailSettings, MailStores
from storyteller.mailer.unsubscribe import signing_key
from storyteller.settings import Settings


def mail_stores(settings: Settings) -> MailStores:
    return MailStores(StoryStore(settings), FamilyStore(settings), MediaStore(settings), DeliveryStore(settings))


def mail_settings(settings: Settings) -> MailSettings:
    return MailSettings(settings.story_base_url, settings.mail_from, signing_key(settings))
