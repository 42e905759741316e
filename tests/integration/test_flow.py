"""The real ASL on the local endpoint, with quick stand-in media functions: orchestration only."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.stories import StoryStore
from storyteller.flow import events
from storyteller.households.seed import CHARACTERS, SCENES
from storyteller.local.outbox import email_html, email_text, emails_for, read_email
from storyteller.local.runtime import LocalRuntime
from storyteller.models import StoryItem, StoryStatus
from tests.idle import wait_until_idle
from tests.parsed_html import ParsedHtml


def _story(title: str = "The Lantern and the Lullaby") -> StoryItem:
    created = datetime.now(UTC).replace(microsecond=0)
    return StoryItem(
        id=str(uuid.uuid4()),
        title=title,
        text="Once upon a time.\nThe end.",
        scene=SCENES[0],
        characters=list(CHARACTERS[:2]),
        createdAt=created,
        ttl=int(created.timestamp()) + names.STORY_LIFETIME_SECONDS,
        words=6,
    )


def _image_made(story_id: str) -> dict[str, Any]:
    """What the Illustrate function returns: the key and what the picture used."""
    return {"imageKey": names.image_key(story_id), "imageUsage": {"model": "stand-in", "images": 1, "costUsd": 0.04}}


def _audio_made(story_id: str) -> dict[str, Any]:
    """What the Narrate function returns: the key and what the narration used."""
    return {
        "audioKey": names.audio_key(story_id),
        "voiceUsage": {"model": "stand-in", "characters": 9, "costUsd": 0.01},
    }


def _quick_media(runtime: LocalRuntime) -> None:
    runtime.lambdas.override(names.GENERATE_IMAGE_FUNCTION, lambda event, _: _image_made(event["id"]))
    runtime.lambdas.override(names.GENERATE_AUDIO_FUNCTION, lambda event, _: _audio_made(event["id"]))


def _executions(runtime: LocalRuntime) -> list[dict[str, Any]]:
    assert runtime.resources is not None
    sfn = client("stepfunctions", runtime.settings.aws_region)
    return list(sfn.list_executions(stateMachineArn=runtime.resources.state_machine_arn)["executions"])


def _wait_all_done(runtime: LocalRuntime, count: int, timeout: float = 30) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = _executions(runtime)
        if len(found) >= count and all(execution["status"] != "RUNNING" for execution in found):
            return found
        time.sleep(0.05)
    raise AssertionError(f"executions not done in {timeout} s: {_executions(runtime)}")


def test_a_new_story_flows_from_the_table_to_one_email(runtime: LocalRuntime) -> None:
    _quick_media(runtime)
    story = _story()
    StoryStore(runtime.settings).put_new(story)

    outcome = runtime.wait_for_story(story.id, timeout=30)

    assert outcome.execution_status == "SUCCEEDED"
    stored = StoryStore(runtime.settings).get(story.id)
    assert stored is not None
    assert stored.status is StoryStatus.COMPLETE
    assert (stored.imageKey, stored.audioKey) == (names.image_key(story.id), names.audio_key(story.id))
    assert stored.notifiedAt is not None
    [email] = emails_for(runtime.outbox_dir, story.id)
    message = read_email(email)
    assert message["To"] == runtime.settings.notify_email
    body = email_text(message)
    assert story.title in body
    assert f"{runtime.settings.story_base_url}/stories/{story.id}" in body


def test_the_same_event_three_times_sends_one_email(runtime: LocalRuntime) -> None:
    _quick_media(runtime)
    story = _story()
    StoryStore(runtime.settings).put_new(story)  # the stream's own delivery: the first event
    for _ in range(2):  # EventBridge's at-least-once: two duplicates of it
        runtime.bus.put(events.bus_entry(story.to_event().model_dump(mode="json")))

    done = _wait_all_done(runtime, count=3)
    wait_until_idle(runtime)  # any (wrong) extra email is in the outbox by now

    assert [execution["status"] for execution in done] == ["SUCCEEDED"] * 3
    assert len(emails_for(runtime.outbox_dir, story.id)) == 1
    sfn = client("stepfunctions", runtime.settings.aws_region)
    ends = []
    for execution in done:
        history = sfn.get_execution_history(executionArn=execution["executionArn"])["events"]
        ends.append([e["stateEnteredEventDetails"]["name"] for e in history if "stateEnteredEventDetails" in e][-1])
    assert sorted(ends) == ["AlreadyClaimed", "AlreadyClaimed", "MarkNotified"]


def test_a_failed_narration_fails_the_run_and_sends_nothing(runtime: LocalRuntime) -> None:
    _quick_media(runtime)

    def broken_narrator(event: dict[str, Any], context: object) -> dict[str, str]:
        raise ValueError("the narrator lost its voice")

    runtime.lambdas.override(names.GENERATE_AUDIO_FUNCTION, broken_narrator)
    story = _story()
    StoryStore(runtime.settings).put_new(story)

    outcome = runtime.wait_for_story(story.id, timeout=30)

    assert outcome.execution_status == "FAILED"
    assert outcome.error is not None
    assert "lost its voice" in outcome.error
    stored = StoryStore(runtime.settings).get(story.id)
    assert stored is not None
    assert stored.status is not StoryStatus.COMPLETE
    assert stored.imageKey is None
    assert stored.audioKey is None
    wait_until_idle(runtime)
    assert emails_for(runtime.outbox_dir, story.id) == []


def test_updates_and_deletes_on_the_table_start_no_run(runtime: LocalRuntime) -> None:
    _quick_media(runtime)
    story = _story()
    StoryStore(runtime.settings).put_new(story)
    runtime.wait_for_story(story.id, timeout=30)
    dynamodb = client("dynamodb", runtime.settings.aws_region)
    key = {"id": {"S": story.id}}
    dynamodb.update_item(
        TableName=runtime.settings.stories_table,
        Key=key,
        UpdateExpression="SET title = :t",
        ExpressionAttributeValues={":t": {"S": "A New Title"}},
    )
    dynamodb.delete_item(TableName=runtime.settings.stories_table, Key=key)
    # The stream is read in order: once a story stored after them has its run, the pipe has read both.
    marker = _story("The Last One In")
    StoryStore(runtime.settings).put_new(marker)
    assert runtime.wait_for_story(marker.id, timeout=30).execution_status == "SUCCEEDED"

    assert len(_executions(runtime)) == 2


def test_a_story_id_that_does_not_exist_ends_at_claim(runtime: LocalRuntime) -> None:
    assert runtime.resources is not None
    ghost = _story().to_event().model_dump(mode="json")
    sfn = client("stepfunctions", runtime.settings.aws_region)
    arn = sfn.start_execution(stateMachineArn=runtime.resources.state_machine_arn, input=json.dumps(ghost))[
        "executionArn"
    ]
    [done] = _wait_all_done(runtime, count=1)

    assert done["executionArn"] == arn
    assert done["status"] == "SUCCEEDED"
    assert runtime.states_entered(arn) == ["CheckEvent", "Claim", "AlreadyClaimed"]


@pytest.mark.parametrize("title", ["<script>alert(1)</script>", 'Moon\'s "boat" {x} ☾'])
def test_odd_titles_never_reach_the_state_machine(runtime: LocalRuntime, title: str) -> None:
    _quick_media(runtime)
    story = _story(title)
    StoryStore(runtime.settings).put_new(story)

    outcome = runtime.wait_for_story(story.id, timeout=30)

    assert outcome.execution_status == "SUCCEEDED"
    [email] = emails_for(runtime.outbox_dir, story.id)
    message = read_email(email)
    assert title in email_text(message)
    page = ParsedHtml(email_html(message))
    assert title in page.text  # shown as text, whatever entities the serializer chose
    assert "script" not in page.tags
