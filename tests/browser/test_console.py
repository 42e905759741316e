"""The operators' console in a real browser: log in, see a failed run coloured, retry it once."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from storyteller.dal.aws import client
from storyteller.local.outbox import emails_for
from tests.browser.stack import CONSOLE_PASSWORD, Stack
from tests.idle import wait_until_idle

pytestmark = pytest.mark.browser

NARRATE_FILL = """() => {
  const link = [...document.querySelectorAll("svg a")]
    .find(a => (a.getAttribute("xlink:title") || a.getAttribute("title") || "").startsWith("Narrate:"));
  return link ? link.querySelector("path, polygon").getAttribute("fill") : null;
}"""


def _log_in(page: Page, base_url: str, password: str = CONSOLE_PASSWORD) -> None:
    page.goto(f"{base_url}/console")
    expect(page).to_have_url(f"{base_url}/console/login?next=%2Fconsole")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_failed_run_is_shown_coloured_and_one_retry_completes_it_with_one_email(
    stack: Stack, context: BrowserContext, page: Page
) -> None:
    stack.stand_in_media(audio_fails=True)
    story = stack.add_story(title="Ember and the Sleepy Lighthouse")
    outcome = stack.finish(story)
    assert outcome.execution_status == "FAILED"
    assert outcome.execution_arn is not None
    run_name = outcome.execution_arn.rsplit(":", 1)[1]
    sfn = client("stepfunctions", stack.runtime.settings.aws_region)

    _log_in(page, stack.base_url, password="not-the-password")
    expect(page.get_by_role("status")).to_have_text("That password is not right.")
    page.get_by_label("Password").fill(CONSOLE_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Runs")).to_be_visible()
    [cookie] = context.cookies()
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Lax", "/console")
    assert cookie["secure"] is False  # plain http on 127.0.0.1 only; Secure everywhere else

    page.get_by_role("link", name="Failed", exact=True).click()
    row = page.locator("table.runs tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("FAILED")
    row.get_by_role("link", name=story.title).click()

    expect(page.locator("#run-status")).to_have_text("FAILED")
    assert page.evaluate(NARRATE_FILL) == "#fde0e0"  # the failed state, in the graph
    expect(page.locator('tr[data-state="Narrate"]')).to_have_attribute("data-status", "failed")
    expect(page.locator('tr[data-state="SaveMedia"]')).to_have_attribute("data-status", "not-reached")
    expect(page.locator(".failure")).to_contain_text("the narrator lost its voice")
    expect(page.locator("#run-input")).to_contain_text(f'"id": "{story.id}"')
    stale = context.new_page()  # a second tab on the same run, its Retry button still showing
    stale.goto(page.url)

    stack.stand_in_media()  # the narrator is well again
    page.get_by_role("button", name="Retry").click()

    expect(page.get_by_role("status")).to_contain_text("Retry started")
    expect(page.locator("#run-status")).to_have_text("SUCCEEDED", timeout=20_000)
    expect(page.locator("#story-status")).to_have_text("COMPLETE")
    expect(page.locator(".run-head")).to_contain_text("retried 1×")
    expect(page.locator("table.events")).to_contain_text("ExecutionRedriven")
    expect(page.locator('tr[data-state="Narrate"]')).to_have_attribute("data-status", "succeeded")
    assert page.evaluate(NARRATE_FILL) == "#dcf3e4"
    wait_until_idle(stack.runtime)
    assert len(emails_for(stack.runtime.outbox_dir, story.id)) == 1
    events_after = len(sfn.get_execution_history(executionArn=outcome.execution_arn, maxResults=1000)["events"])

    stale.get_by_role("button", name="Retry").click()  # retrying twice

    expect(stale.get_by_role("status")).to_have_text(
        "This run succeeded, so there is nothing to retry. Nothing was changed."
    )
    refused = page.request.post(f"{stack.base_url}/console/runs/{run_name}/retry", form={"csrf": "forged"})
    assert refused.status == 403
    wait_until_idle(stack.runtime)  # a (wrong) second run and its email would be done by now
    assert len(emails_for(stack.runtime.outbox_dir, story.id)) == 1
    described = sfn.describe_execution(executionArn=outcome.execution_arn)
    assert (described["status"], described["redriveCount"]) == ("SUCCEEDED", 1)
    assert len(sfn.get_execution_history(executionArn=outcome.execution_arn, maxResults=1000)["events"]) == (
        events_after
    )


def test_the_console_needs_a_login_and_logging_out_ends_it(stack: Stack, page: Page) -> None:
    response = page.goto(f"{stack.base_url}/console/runs/some-run")
    assert response is not None
    expect(page).to_have_url(f"{stack.base_url}/console/login?next=%2Fconsole%2Fruns%2Fsome-run")

    page.get_by_label("Password").fill(CONSOLE_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="No such run")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Operators' console")).to_be_visible()
    page.goto(f"{stack.base_url}/console")
    expect(page.get_by_label("Password")).to_be_visible()


def test_a_version_3_run_shows_its_story_from_the_table_and_says_expired_after(stack: Stack, page: Page) -> None:
    stack.stand_in_media()
    story = stack.add_story(title="Wren and the Lantern Moth")
    outcome = stack.finish(story)
    assert outcome.execution_status == "SUCCEEDED"
    assert outcome.execution_arn is not None
    run_name = outcome.execution_arn.rsplit(":", 1)[1]
    sfn = client("stepfunctions", stack.runtime.settings.aws_region)
    assert json.loads(sfn.describe_execution(executionArn=outcome.execution_arn)["input"]) == {
        "version": "3",
        "id": story.id,
        "family": {"id": story.familyId},
    }

    _log_in(page, stack.base_url)
    page.goto(f"{stack.base_url}/console/runs/{run_name}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wren and the Lantern Moth")
    expect(page.locator("#story-cast")).to_have_text("Cast: " + ", ".join(c.name for c in story.characters))
    expect(page.locator("#run-input")).not_to_contain_text("Wren")
    page.goto(f"{stack.base_url}/console/nights")
    expect(page.locator("table.nights")).to_contain_text("Wren and the Lantern Moth")

    client("dynamodb", stack.runtime.settings.aws_region).update_item(  # two days pass for this story
        TableName=stack.runtime.settings.stories_table,
        Key={"id": {"S": story.id}},
        UpdateExpression="SET #t = :past",
        ExpressionAttributeNames={"#t": "ttl"},
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 1)}},
    )

    page.goto(f"{stack.base_url}/console/runs/{run_name}")
    expect(page.locator("#story-expired")).to_contain_text("expired")
    expect(page.get_by_role("heading", level=1)).to_contain_text(run_name)
    expect(page.locator("body")).not_to_contain_text("Wren")
    expect(page.locator('tr[data-state="SaveMedia"]')).to_have_attribute("data-status", "succeeded")
    page.goto(f"{stack.base_url}/console/nights")
    expect(page.locator("table.nights tbody tr")).to_have_count(1)
    expect(page.locator("table.nights")).not_to_contain_text("Wren")
