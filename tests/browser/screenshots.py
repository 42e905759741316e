"""Screenshots for the docs: `python -m tests.browser.screenshots` writes docs/screenshots/*.png.

Runs the local stack in a temporary home with a real story (the offline illustrator's picture and
narrator's MP3) and a failed run, then photographs the pages at phone and desktop widths.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.browser.stack import wait_until

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}


def main() -> None:
    os.environ["STORYTELLER_HOME"] = tempfile.mkdtemp(prefix="storyteller-shots-")
    for name in list(os.environ):
        if name.startswith(("AWS_", "OPENAI_")):
            del os.environ[name]
    sys.path.insert(0, str(ROOT))
    from storyteller import names
    from storyteller.dal.aws import client
    from storyteller.dal.catalog import CatalogStore
    from storyteller.dal.families import FamilyStore
    from storyteller.households.seed import seed
    from tests.browser.stack import CHROMIUM, CHROMIUM_ARGS, CONSOLE_PASSWORD, local_stack

    OUT.mkdir(parents=True, exist_ok=True)
    with local_stack() as stack, sync_playwright() as playwright:
        stack.real_media()
        seed(CatalogStore(stack.runtime.settings))  # the default family's starter cast, for its manage page
        story = stack.add_story()
        good = stack.finish(story)
        assert good.execution_status == "SUCCEEDED"
        assert good.execution_arn is not None
        stack.stand_in_media(audio_fails=True)
        redriven = stack.add_story(title="Bramble Hums the Moon Up")
        first = stack.finish(redriven)
        assert first.execution_arn is not None
        stack.stand_in_media()
        client("stepfunctions", stack.runtime.settings.aws_region).redrive_execution(executionArn=first.execution_arn)
        stack.finish(redriven)
        stack.stand_in_media(audio_fails=True)
        failed = stack.add_story(title="Ember and the Sleepy Lighthouse")
        outcome = stack.finish(failed)
        assert outcome.execution_status == "FAILED"
        assert outcome.execution_arn is not None
        run_name = outcome.execution_arn.rsplit(":", 1)[1]

        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        for label, viewport, scheme in (("phone", PHONE, "dark"), ("desktop", DESKTOP, "dark")):
            page = browser.new_page(
                viewport=viewport, color_scheme=scheme, device_scale_factor=2 if label == "phone" else 1
            )
            _open_story(page, f"{stack.base_url}/stories/{story.id}")
            page.screenshot(path=str(OUT / f"story-{label}.png"), full_page=label == "phone")
            page.close()
        page = browser.new_page(viewport=DESKTOP, color_scheme="light")
        _open_story(page, f"{stack.base_url}/stories/{story.id}")
        page.screenshot(path=str(OUT / "story-desktop-day.png"))
        family = FamilyStore(stack.runtime.settings).require(names.DEFAULT_FAMILY)
        page.goto(f"{stack.base_url}{family.shelf_path}")
        page.screenshot(path=str(OUT / "family-shelf.png"))
        page.goto(f"{stack.base_url}{family.shelf_path}/manage")
        page.screenshot(path=str(OUT / "family-manage.png"), full_page=True)
        page.goto(f"{stack.base_url}/console")
        page.fill("#password", CONSOLE_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("table.runs")
        page.set_viewport_size({"width": 1280, "height": 420})
        page.screenshot(path=str(OUT / "console-runs.png"))
        page.set_viewport_size(DESKTOP)
        page.goto(f"{stack.base_url}/console/runs/{run_name}")
        page.screenshot(path=str(OUT / "console-failed-run.png"), full_page=True)
        good_name = good.execution_arn.rsplit(":", 1)[1]
        page.goto(f"{stack.base_url}/console/runs/{good_name}?state=Narrate#state")
        page.locator("#timeline-heading").scroll_into_view_if_needed()
        page.set_viewport_size({"width": 1280, "height": 1100})
        page.evaluate("document.getElementById('timeline-heading').scrollIntoView()")
        page.screenshot(path=str(OUT / "console-timeline-and-state.png"))
        page.set_viewport_size(DESKTOP)
        page.goto(f"{stack.base_url}/console/nights")
        page.screenshot(path=str(OUT / "console-nights.png"), full_page=True)
        shoot_email(browser.new_page())
        browser.close()
    print(f"screenshots in {OUT}")


def shoot_email(page: Page) -> None:
    """The story email as a mail client with remote images blocked shows it."""
    from tests.browser.email_view import open_like_a_mail_client, story_email

    page.set_viewport_size({"width": 640, "height": 1000})
    _, email = story_email()
    open_like_a_mail_client(page, email, [])
    page.screenshot(path=str(OUT / "email-picture-book.png"), full_page=True)


def _open_story(page: Page, url: str) -> None:
    page.goto(url)
    wait_until(page, "document.querySelector('img').complete")
    wait_until(page, "document.querySelector('audio').readyState >= 1")


if __name__ == "__main__":
    main()
