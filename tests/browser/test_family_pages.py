"""A family's private pages in Chromium: its shelf from the email's link, and managing the household."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from storyteller.dal.catalog import CatalogStore
from storyteller.dal.families import FamilyStore
from storyteller.households.family import new_family
from storyteller.models import Character
from tests.browser.stack import Stack

pytestmark = pytest.mark.browser


def test_each_family_sees_only_its_shelf_and_can_manage_its_household(stack: Stack, page: Page) -> None:
    settings = stack.runtime.settings
    smiths = new_family("smiths", ["mum@smiths.example"], "Europe/Paris", "19:30", name="The Smiths")
    okafor = new_family("okafor", ["dad@okafor.example"], "America/New_York", "18:45", name="The Okafors")
    for family in (smiths, okafor):
        FamilyStore(settings).add(family)
    CatalogStore(settings, "smiths").add_character(Character(id="ada", name="Ada", description="a brave girl"))
    stack.stand_in_media()
    ours = stack.add_story(title="Ada and the Treehouse Owl", family=smiths)
    theirs = stack.add_story(title="Chidi and the Harbour Lights", family=okafor)
    for story in (ours, theirs):
        assert stack.finish(story).status == "COMPLETE"

    page.goto(f"{stack.base_url}{smiths.shelf_path}")
    expect(page.locator("h1")).to_have_text("Stories for The Smiths")
    expect(page.locator(".shelf .title")).to_have_text(["Ada and the Treehouse Owl"])
    page.goto(f"{stack.base_url}/")
    expect(page.locator("main")).not_to_contain_text("Ada and the Treehouse Owl")
    expect(page.locator("main")).not_to_contain_text("Chidi")
    wrong = page.goto(f"{stack.base_url}/shelf/smiths/{okafor.shelfToken}")
    assert wrong is not None
    assert wrong.status == 404

    page.goto(f"{stack.base_url}{smiths.shelf_path}")
    page.get_by_role("link", name="Manage your family").click()
    expect(page.get_by_role("heading", name="Cast")).to_be_visible()
    page.get_by_label("Name").fill("Grandpa Joe")
    page.get_by_label("Who they are").fill("a tall man who tells jokes about the moon")
    page.get_by_role("button", name="Add to the cast").click()
    expect(page.get_by_role("status")).to_have_text("Added to the cast.")
    expect(page.locator(".entries strong")).to_have_text(["Ada", "Grandpa Joe"])

    page.get_by_label("Email addresses, one per line").fill("mum@smiths.example\nnot an address")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("'not an address' is not an email address")
    assert FamilyStore(settings).require("smiths").recipients == ["mum@smiths.example"]  # nothing changed

    page.get_by_label("Email addresses, one per line").fill("mum@smiths.example\ngran@smiths.example")
    page.get_by_label("Bedtime").fill("20:05")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved: the recipients, bedtime and age.")
    saved = FamilyStore(settings).require("smiths")
    assert (saved.recipients, saved.at) == (["mum@smiths.example", "gran@smiths.example"], "20:05")
    page.get_by_role("button", name="Remove Grandpa Joe").click()
    expect(page.locator(".entries strong")).to_have_text(["Ada"])
    assert [c.name for c in CatalogStore(settings, "okafor").characters()] == []  # the other family untouched
