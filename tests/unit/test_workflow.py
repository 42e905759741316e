"""The ASL file: valid, every placeholder filled, the promises of its shape kept."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storyteller.flow.workflow import (
    DEFINITION_FILE,
    WorkflowResources,
    definition_text,
    placeholders,
    render_definition,
)

RESOURCES = WorkflowResources(
    stories_table="Stories",
    generate_image_function_arn="arn:aws:lambda:eu-west-2:123456789012:function:image",
    generate_audio_function_arn="arn:aws:lambda:eu-west-2:123456789012:function:audio",
    notify_topic_arn="arn:aws:sns:eu-west-2:123456789012:ready",
)


def _states() -> dict[str, dict[str, object]]:
    states: dict[str, dict[str, object]] = json.loads(render_definition(RESOURCES))["States"]
    return states


def test_the_definition_passes_statelint(tmp_path: Path) -> None:
    statelint = shutil.which("statelint") or str(Path(sys.executable).parent / "statelint")
    rendered = tmp_path / "rendered.asl.json"
    rendered.write_text(render_definition(RESOURCES))

    for path in (DEFINITION_FILE, rendered):
        result = subprocess.run([statelint, str(path)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_every_placeholder_has_a_substitution() -> None:
    assert placeholders(definition_text()) == set(RESOURCES.substitutions())
    assert "${" not in render_definition(RESOURCES)


def test_the_story_ready_message_carries_ids_only() -> None:
    notify = _states()["Notify"]
    assert notify["Parameters"] == {
        "TopicArn": RESOURCES.notify_topic_arn,
        "Subject": "Story ready",
        # An object: Step Functions sends it to SNS as its JSON text (the mailer reads it as StoryReady).
        "Message": {"storyId.$": "$.id", "familyId.$": "$.family.id"},
        "MessageAttributes": {
            "storyId": {"DataType": "String", "StringValue.$": "$.id"},
            "familyId": {"DataType": "String", "StringValue.$": "$.family.id"},
        },
    }


def test_a_missing_substitution_is_named() -> None:
    class Partial(WorkflowResources):
        def substitutions(self) -> dict[str, str]:
            return {key: value for key, value in super().substitutions().items() if key != "NotifyTopicArn"}

    partial = Partial(**RESOURCES.__dict__)
    with pytest.raises(KeyError, match="NotifyTopicArn"):
        render_definition(partial)


def test_both_media_branches_run_in_one_parallel_state_without_a_catch() -> None:
    media = _states()["MakeMedia"]
    assert media["Type"] == "Parallel"
    assert "Catch" not in media  # a failure must fail the run, visibly and redrivably
    branches = media["Branches"]
    assert isinstance(branches, list)
    assert [branch["StartAt"] for branch in branches] == ["Illustrate", "Narrate"]
    for branch in branches:
        task = branch["States"][branch["StartAt"]]
        assert task["Retry"][0]["BackoffRate"] > 1
        assert "ProviderUnavailableError" in task["Retry"][0]["ErrorEquals"]


def test_the_email_is_sent_only_after_both_media_are_saved() -> None:
    states = _states()
    assert states["Claim"]["Next"] == "MakeMedia"
    assert states["MakeMedia"]["Next"] == "SaveMedia"
    assert states["SaveMedia"]["Next"] == "Notify"
    assert states["Notify"]["Next"] == "MarkNotified"
    assert "attribute_not_exists(notifiedAt)" in json.dumps(states["SaveMedia"])
