"""The story email in Chromium, remote images blocked: the picture shows, the button goes to the story."""

from __future__ import annotations

from playwright.sync_api import Page, Route

from tests.browser.email_view import BASE, open_like_a_mail_client, story_email


def test_the_picture_shows_with_remote_images_blocked_and_the_button_opens_the_story(page: Page) -> None:
    story, email = story_email()
    blocked: list[str] = []
    page.set_viewport_size({"width": 640, "height": 1100})

    open_like_a_mail_client(page, email, blocked)

    picture = page.get_by_alt_text(f"The picture for \u201c{story.title}\u201d", exact=False)
    assert picture.evaluate("image => image.complete && image.naturalWidth") > 200
    assert picture.bounding_box()["width"] > 300  # type: ignore[index]
    assert blocked == []  # nothing the email shows came from the network
    button = page.get_by_role("link", name="Read and listen")
    assert button.is_visible()
    assert button.get_attribute("href") == f"{BASE}/stories/{story.id}"

    page.unroute("http*://**")
    opened: list[str] = []

    def story_page(route: Route) -> None:
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<h1>the story page</h1>")

    page.context.route(f"{BASE}/**", story_page)
    with page.context.expect_page() as opening:  # MJML's buttons open a new tab, as mail clients do anyway
        button.click()
    story_tab = opening.value
    story_tab.wait_for_load_state()
    assert story_tab.url == f"{BASE}/stories/{story.id}"
    assert story_tab.get_by_role("heading").inner_text() == "the story page"
    assert opened == [f"{BASE}/stories/{story.id}"]
