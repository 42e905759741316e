"""Inside a run and across runs, in Chromium: select a state and read its input and output; the timeline; nights."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.stack import Stack
from tests.browser.test_console import _log_in
from tests.idle import wait_until_idle

pytestmark = pytest.mark.browser

GRAPH_LINK = """(name) => [...document.querySelectorAll(".graph svg a")]
  .findIndex(a => (a.getAttribute("xlink:title") || a.getAttribute("title") || "").startsWith(name + ":"))"""


def test_select_a_state_in_the_graph_or_its_row_and_read_what_went_in_and_out(stack: Stack, page: Page) -> None:
    stack.stand_in_media(together=True)  # each branch waits for the other, so the timeline must show them overlap
    story = stack.add_story(title="Clover and the Quiet Comet")
    outcome = stack.finish(story)
    assert outcome.execution_status == "SUCCEEDED"
    assert outcome.execution_arn is not None
    run_name = outcome.execution_arn.rsplit(":", 1)[1]

    _log_in(page, stack.base_url)
    page.goto(f"{stack.base_url}/console/runs/{run_name}")
    expect(page.locator("#state-title")).to_have_text("State details")

    index = page.evaluate(GRAPH_LINK, "Illustrate")
    assert index >= 0
    page.locator(".graph svg a").nth(index).click()
    expect(page).to_have_url(f"{stack.base_url}/console/runs/{run_name}?state=Illustrate#state")
    expect(page.locator("#state-title")).to_contain_text("Illustrate")
    expect(page.locator("#state-input")).to_contain_text(story.id)
    # StoryCreated v3: the state's input names the story; its title is only in the table (the page's heading).
    expect(page.locator("#state-input")).not_to_contain_text("Clover and the Quiet Comet")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Clover and the Quiet Comet")
    expect(page.locator("#state-output")).to_contain_text(f"stories/{story.id}/image.png")
    expect(page.locator("table.attempts tbody tr")).to_have_count(1)

    page.locator('tr[data-state="Narrate"] th a').focus()  # by keyboard, from the table
    page.keyboard.press("Enter")
    expect(page.locator("#state-title")).to_contain_text("Narrate")
    expect(page.locator("#state-output")).to_contain_text(f"stories/{story.id}/audio.mp3")
    expect(page.locator('tr[data-state="Narrate"] th a')).to_have_attribute("aria-current", "true")

    bars = {
        state: page.locator(f'svg.timeline a[data-state="{state}"]') for state in ("Illustrate", "Narrate", "SaveMedia")
    }
    spans = {
        state: (float(bar.get_attribute("data-start") or 0), float(bar.get_attribute("data-end") or 0))
        for state, bar in bars.items()
    }
    (picture_from, picture_to), (voice_from, voice_to) = spans["Illustrate"], spans["Narrate"]
    # The two media branches ran at the same time: each began before the other ended.
    assert max(picture_from, voice_from) < min(picture_to, voice_to)
    assert spans["SaveMedia"][0] >= max(picture_to, voice_to) - 0.01  # the aggregator waited for both
    critical = {state: bar.get_attribute("data-critical") for state, bar in bars.items()}
    assert critical["SaveMedia"] == "true"
    assert sorted([critical["Illustrate"], critical["Narrate"]]) == ["false", "true"]


def test_the_nights_page_shows_the_runs_their_figures_and_filters(stack: Stack, page: Page) -> None:
    stack.stand_in_media()
    titles = ["Pip and the Counting Stars", "Luna and the Silver Boat"]
    for title in titles:
        assert stack.finish(stack.add_story(title=title)).execution_status == "SUCCEEDED"
    wait_until_idle(stack.runtime)  # every email written and its Deliveries row settled

    _log_in(page, stack.base_url)
    page.get_by_role("link", name="Nights").click()

    expect(page.get_by_role("heading", name="Nights", exact=True)).to_be_visible()
    expect(page.locator("#nights-summary")).to_contain_text("2 runs over 1 night")
    expect(page.locator("#nights-summary")).to_contain_text("100% succeeded")
    expect(page.locator("table.nights tbody tr")).to_have_count(2)
    # Each run's email to the family's one address, as the mailer recorded it in the Deliveries table.
    expect(page.locator("table.nights td.emails")).to_have_text(["1 delivered", "1 delivered"])
    expect(page.locator("#nights-emails")).to_have_text("2 delivered")
    expect(page.locator('table.durations tr[data-state="Narrate"]')).to_be_visible()
    expect(page.locator("svg.chart")).to_be_visible()

    page.get_by_label("Story title or id").fill("silver boat")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("table.nights tbody tr")).to_have_count(1)
    expect(page.locator("table.nights")).to_contain_text("Luna and the Silver Boat")

    page.get_by_label("Status").select_option("FAILED")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("No runs match.")).to_be_visible()
