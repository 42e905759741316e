"""The family's pages in a real browser: picture, playable narration, gentle gaps, friendly 404s."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from storyteller.households.seed import CHARACTERS
from storyteller.models import Character
from tests.browser.stack import Stack, wait_until

pytestmark = pytest.mark.browser

AUDIO_DURATION = """() => new Promise((resolve, reject) => {
  const audio = document.querySelector("audio");
  if (audio.readyState >= 1) { resolve(audio.duration); return; }
  audio.addEventListener("loadedmetadata", () => resolve(audio.duration), { once: true });
  audio.addEventListener("error", () => reject(new Error("audio error " + audio.error.code)), { once: true });
})"""


def test_a_story_shows_its_picture_and_its_narration_plays(stack: Stack, page: Page) -> None:
    stack.real_media()  # the offline illustrator's PNG and the offline narrator's MP3
    story = stack.add_story()
    assert stack.finish(story).status == "COMPLETE"

    response = page.goto(f"{stack.base_url}/stories/{story.id}")

    assert response is not None
    assert response.status == 200
    expect(page.locator("h1")).to_have_text(story.title)
    picture = page.locator("figure.picture img")
    expect(picture).to_be_visible()
    wait_until(page, "document.querySelector('figure.picture img').complete")
    assert picture.evaluate("img => img.naturalWidth") == 1024
    assert picture.get_attribute("alt") == f"Illustration: Pip and Luna in {story.scene.description}"
    duration = page.evaluate(AUDIO_DURATION)
    assert duration > 5, f"narration of {story.words} words lasts {duration} s"
    page.locator("audio").evaluate("audio => { audio.muted = true; return audio.play(); }")
    wait_until(page, "document.querySelector('audio').currentTime > 0.2")
    assert page.locator(".verse p").count() == 4
    expect(page.locator(".verse")).to_contain_text("Pip counted stars above the pines,")
    expect(page.locator("#picture-note")).to_be_hidden()
    expect(page.locator("#audio-note")).to_be_hidden()
    for landmark in ("banner", "main", "contentinfo"):
        expect(page.get_by_role(landmark)).to_have_count(1)


def test_a_story_whose_media_failed_hides_the_player_with_a_note(stack: Stack, page: Page) -> None:
    stack.stand_in_media(audio_fails=True)
    story = stack.add_story(title="Ember and the Quiet Harbour")
    assert stack.finish(story).execution_status == "FAILED"

    response = page.goto(f"{stack.base_url}/stories/{story.id}")

    assert response is not None
    assert response.status == 200
    expect(page.locator("h1")).to_have_text(story.title)
    assert page.locator("audio").count() == 0
    assert page.locator("img").count() == 0
    expect(page.locator("#audio-note")).to_be_visible()
    expect(page.locator("#picture-note")).to_be_visible()
    expect(page.locator(".verse")).to_contain_text("Goodnight, goodnight")


def test_media_that_will_not_load_is_hidden_not_shown_broken(stack: Stack, page: Page) -> None:
    stack.stand_in_media()  # the run stores keys for objects that were never written
    story = stack.add_story()
    outcome = stack.finish(story)
    assert outcome.status == "COMPLETE", outcome

    page.goto(f"{stack.base_url}/stories/{story.id}")

    expect(page.locator("figure.picture")).to_be_hidden()
    expect(page.locator("section.listen")).to_be_hidden()
    expect(page.locator("#picture-note")).to_be_visible()
    expect(page.locator("#audio-note")).to_be_visible()


def test_unknown_and_expired_stories_get_a_friendly_404(stack: Stack, page: Page) -> None:
    stack.stand_in_media()
    expired = stack.add_story(ttl=1)

    for path in ("/stories/no-such-story", f"/stories/{expired.id}", "/no/such/page"):
        response = page.goto(stack.base_url + path)
        assert response is not None
        assert response.status == 404, path
        expect(page.locator("h1")).to_have_text("This story has gone to sleep")
        expect(page.get_by_role("link", name="See the recent stories")).to_be_visible()


def test_a_character_named_script_is_text_not_code(stack: Stack, page: Page) -> None:
    stack.stand_in_media()
    sneaky = Character(id="sneaky", name="<script>window.pwned=1</script>", description="a tag who wants to run")
    title = "<img src=x onerror=window.pwned=1> and friends"
    story = stack.add_story(title=title, characters=[sneaky, CHARACTERS[0]])
    stack.finish(story)

    for path in (f"/stories/{story.id}", "/"):
        page.goto(stack.base_url + path)
        assert page.evaluate("window.pwned") is None
    page.goto(f"{stack.base_url}/stories/{story.id}")
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".meta")).to_contain_text("With <script>window.pwned=1</script> and Pip")


def test_the_night_and_day_colours_switch_by_keyboard_and_are_remembered(stack: Stack, page: Page) -> None:
    stack.stand_in_media()
    story = stack.add_story()
    page.emulate_media(color_scheme="dark")
    page.goto(f"{stack.base_url}/stories/{story.id}")
    night = page.evaluate("getComputedStyle(document.body).backgroundColor")

    page.keyboard.press("Tab")
    expect(page.locator(".skip")).to_be_focused()
    page.locator("#theme-toggle").focus()
    page.keyboard.press("Enter")

    assert page.evaluate("document.documentElement.dataset.theme") == "day"
    day = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert day != night
    page.reload()
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == day
    expect(page.locator("#theme-toggle")).to_have_text("Night colours")
