"""Schedule → create_story, stream → pipe → bus, rule → state machine: wired from the shared definitions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.config import DeployConfigError, scheduler_cron
from storyteller import names
from storyteller.flow import events
from storyteller.settings import Settings
from tests.infrastructure.conftest import Synthesized

pytestmark = pytest.mark.infra


def test_cdk_json_defaults_match_the_local_settings_defaults(cdk_context: dict[str, Any]) -> None:
    """One night in both modes: the cloud's defaults are the local runtime's defaults."""
    fields = Settings.model_fields
    assert cdk_context["scheduleExpression"] == fields["schedule_cron"].default
    assert cdk_context["scheduleTimeZone"] == fields["schedule_time_zone"].default
    for context_key, setting in (
        ("textModel", "text_model"),
        ("imageModel", "image_model"),
        ("voice", "voice"),
        ("profile", "profile"),
    ):
        assert setting in fields, f"cdk.json's {context_key} has no setting {setting!r}: renamed? rename it here too"
        assert cdk_context[context_key] == fields[setting].default, context_key


@pytest.mark.parametrize(
    ("crontab", "aws"),
    [
        ("15 19 * * *", "cron(15 19 * * ? *)"),
        ("0 18 * * mon-fri", "cron(0 18 ? * MON-FRI *)"),
        ("30 7 1 * *", "cron(30 7 1 * ? *)"),
        ("0 20 * dec *", "cron(0 20 * DEC ? *)"),
    ],
)
def test_five_field_cron_becomes_schedulers_six_fields(crontab: str, aws: str) -> None:
    assert scheduler_cron(crontab) == aws


@pytest.mark.parametrize(
    ("crontab", "says"),
    [
        ("15 19 * *", "five fields"),
        ("15 19 * * 1", "names"),
        ("0 8 1 * MON", "allows one"),
    ],
)
def test_cron_lines_scheduler_would_read_differently_are_refused(crontab: str, says: str) -> None:
    with pytest.raises(DeployConfigError, match=says):
        scheduler_cron(crontab)


def test_pipe_reads_new_stories_from_the_stream_through_the_shared_filter(synthesized: Synthesized) -> None:
    storage, pipeline = synthesized.stack.storage, synthesized.stack.pipeline
    _, pipe = synthesized.one("AWS::Pipes::Pipe")
    properties = pipe["Properties"]
    assert properties["Source"] == {"Fn::GetAtt": [synthesized.logical_id(storage.stories), "StreamArn"]}
    stream = properties["SourceParameters"]["DynamoDBStreamParameters"]
    # From the stream's oldest record: a replaced pipe re-reads rather than skips, and Claim ends the repeats.
    assert stream["StartingPosition"] == "TRIM_HORIZON"
    assert 1 <= stream["BatchSize"] <= 10
    assert stream["DeadLetterConfig"]["Arn"] == _arn_of(synthesized, pipeline.pipe_dlq)
    filters = properties["SourceParameters"]["FilterCriteria"]["Filters"]
    assert [json.loads(entry["Pattern"]) for entry in filters] == [events.PIPE_FILTER]


def test_pipe_turns_records_into_story_created_events_on_the_bus(synthesized: Synthesized) -> None:
    pipeline = synthesized.stack.pipeline
    _, pipe = synthesized.one("AWS::Pipes::Pipe")
    properties = pipe["Properties"]
    # The enrichment (functions/story_created, the local pipe's own transformation) shapes the event;
    # an input template cannot turn DynamoDB's typed lists into plain JSON (storyteller/flow/events.py).
    assert properties["Enrichment"] == _arn_of(synthesized, pipeline.story_created.function)
    assert "InputTemplate" not in json.dumps(properties)
    assert properties["Target"] == _arn_of(synthesized, pipeline.bus)
    assert properties["TargetParameters"]["EventBridgeEventBusParameters"] == {
        "Source": names.EVENT_SOURCE,
        "DetailType": names.STORY_CREATED,
    }


def test_bus_carries_the_shared_name(synthesized: Synthesized) -> None:
    _, bus = synthesized.one("AWS::Events::EventBus")
    assert bus["Properties"]["Name"] == names.EVENT_BUS


def test_rule_starts_the_state_machine_with_the_events_detail(synthesized: Synthesized) -> None:
    pipeline, workflow = synthesized.stack.pipeline, synthesized.stack.workflow
    rule = synthesized.resources("AWS::Events::Rule")[synthesized.logical_id(pipeline.rule)]
    properties = rule["Properties"]
    assert properties["EventBusName"] == {"Ref": synthesized.logical_id(pipeline.bus)}
    assert properties["EventPattern"] == events.RULE_PATTERN
    [target] = properties["Targets"]
    assert target["Arn"] == {"Ref": synthesized.logical_id(workflow.state_machine)}
    assert target["InputPath"] == events.RULE_TARGET_INPUT_PATH
    assert target["DeadLetterConfig"]["Arn"] == _arn_of(synthesized, pipeline.rule_dlq)
    assert "RoleArn" in target


def _arn_of(synthesized: Synthesized, construct: Any) -> dict[str, Any]:
    return {"Fn::GetAtt": [synthesized.logical_id(construct), "Arn"]}
