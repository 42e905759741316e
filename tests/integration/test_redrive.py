"""Retry = redrive: the failed run resumes under its own ARN, redoes only what failed, emails once."""

from __future__ import annotations

import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.stories import StoryStore
from storyteller.local.outbox import emails_for
from storyteller.local.runtime import LocalRuntime
from storyteller.models import StoryStatus
from tests.idle import wait_until_idle
from tests.integration.test_flow import _audio_made, _image_made, _story


class CountingMedia:
    """Stand-in media functions that count their calls and can be told to fail."""

    def __init__(self, runtime: LocalRuntime) -> None:
        self.calls = {"image": 0, "audio": 0}
        self.audio_fails = True
        self._runtime = runtime

    def image(self, event: dict[str, Any], context: object) -> dict[str, Any]:
        self.calls["image"] += 1
        return _image_made(event["id"])

    def audio(self, event: dict[str, Any], context: object) -> dict[str, Any]:
        self.calls["audio"] += 1
        if self.audio_fails:
            # A failed branch stops the Parallel's other one: fail only once the picture's branch has finished,
            # so that what a redrive keeps is known (else it depends on which thread was quicker).
            self._wait_until_illustrated(event["id"])
            raise RuntimeError("speech engine crashed")
        return _audio_made(event["id"])

    def _wait_until_illustrated(self, story_id: str) -> None:
        sfn = client("stepfunctions", self._runtime.settings.aws_region)
        stories = StoryStore(self._runtime.settings)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            story = stories.get(story_id)
            arn = story.executionArn if story is not None else None
            events = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"] if arn else []
            if any(event.get("stateExitedEventDetails", {}).get("name") == "Illustrate" for event in events):
                return
            time.sleep(0.05)
        raise AssertionError(f"the picture of {story_id} was never finished")


def _wait(runtime: LocalRuntime, arn: str) -> dict[str, Any]:
    sfn = client("stepfunctions", runtime.settings.aws_region)
    for _ in range(600):
        described: dict[str, Any] = sfn.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError("execution still running")


@pytest.fixture
def failed_run(runtime: LocalRuntime) -> tuple[str, str, CountingMedia]:
    media = CountingMedia(runtime)
    runtime.lambdas.override(names.GENERATE_IMAGE_FUNCTION, media.image)
    runtime.lambdas.override(names.GENERATE_AUDIO_FUNCTION, media.audio)
    story = _story()
    StoryStore(runtime.settings).put_new(story)
    outcome = runtime.wait_for_story(story.id, timeout=30)
    assert outcome.execution_status == "FAILED"
    assert outcome.execution_arn is not None
    assert media.calls == {"image": 1, "audio": 1}  # a RuntimeError is not one the ASL retries
    return story.id, outcome.execution_arn, media


def test_a_redriven_run_completes_under_the_same_arn_with_one_email(
    runtime: LocalRuntime, failed_run: tuple[str, str, CountingMedia]
) -> None:
    story_id, arn, media = failed_run
    media.audio_fails = False
    sfn = client("stepfunctions", runtime.settings.aws_region)

    sfn.redrive_execution(executionArn=arn)
    described = _wait(runtime, arn)
    outcome = runtime.wait_for_story(story_id, timeout=30)

    assert described["status"] == "SUCCEEDED"
    assert described["redriveCount"] == 1
    assert outcome.status == StoryStatus.COMPLETE
    assert len(emails_for(runtime.outbox_dir, story_id)) == 1
    history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    types = [event["type"] for event in history]
    assert types.count("ExecutionFailed") == 1
    assert types.count("ExecutionRedriven") == 1
    assert types[-1] == "ExecutionSucceeded"
    assert [event["id"] for event in history] == list(range(1, len(history) + 1))
    after_redrive = types[types.index("ExecutionRedriven") :]
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in history[types.index("ExecutionRedriven") :]
        if "stateEnteredEventDetails" in e
    ]
    assert "Claim" not in entered  # the claim from the first run stands
    assert entered[0] == "MakeMedia"
    assert "ExecutionStarted" not in after_redrive
    # As in AWS, only the failed branch ran again; the finished one gave its output as before, without a trace.
    assert media.calls == {"image": 1, "audio": 2}
    assert "Illustrate" not in entered
    assert "Narrate" in entered
    assert not any("Storyteller.KeptBranch" in str(event) for event in history)
    stored = StoryStore(runtime.settings).get(story_id)
    assert stored is not None
    assert stored.imageKey == names.image_key(story_id)  # the kept branch's output reached SaveMedia


def test_redriving_a_run_that_is_not_failed_is_refused_and_changes_nothing(
    runtime: LocalRuntime, failed_run: tuple[str, str, CountingMedia]
) -> None:
    story_id, arn, media = failed_run
    media.audio_fails = False
    sfn = client("stepfunctions", runtime.settings.aws_region)
    sfn.redrive_execution(executionArn=arn)
    _wait(runtime, arn)
    runtime.wait_for_story(story_id, timeout=30)
    events_before = len(sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"])

    with pytest.raises(ClientError) as refused:
        sfn.redrive_execution(executionArn=arn)

    assert refused.value.response["Error"]["Code"] == "ExecutionNotRedrivable"
    assert "is SUCCEEDED" in refused.value.response["Error"]["Message"]
    assert len(sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]) == events_before
    assert sfn.describe_execution(executionArn=arn)["redriveCount"] == 1
    wait_until_idle(runtime)
    assert len(emails_for(runtime.outbox_dir, story_id)) == 1
    assert media.calls["audio"] == 2  # the refused redrive ran nothing


def test_a_run_that_fails_again_can_be_redriven_again(
    runtime: LocalRuntime, failed_run: tuple[str, str, CountingMedia]
) -> None:
    story_id, arn, media = failed_run
    sfn = client("stepfunctions", runtime.settings.aws_region)

    sfn.redrive_execution(executionArn=arn)
    assert _wait(runtime, arn)["status"] == "FAILED"
    media.audio_fails = False
    sfn.redrive_execution(executionArn=arn)
    described = _wait(runtime, arn)

    assert described["status"] == "SUCCEEDED"
    assert described["redriveCount"] == 2
    runtime.wait_for_story(story_id, timeout=30)
    wait_until_idle(runtime)
    assert len(emails_for(runtime.outbox_dir, story_id)) == 1
    assert media.calls == {"image": 1, "audio": 3}  # the picture once; the narration in the run and each redrive
