"""A firing of a family's schedule delivered twice makes one story in AWS too: input, table, setting, IAM."""

from __future__ import annotations

import pytest

from storyteller import names
from storyteller.flow import events
from storyteller.households.family_sync import schedule_input
from tests.infrastructure.conftest import Synthesized

pytestmark = pytest.mark.infra


def test_a_familys_schedule_sends_the_shared_input_with_schedulers_own_time_and_the_family() -> None:
    sent = schedule_input("smiths")
    assert sent == {**events.SCHEDULE_INPUT, "familyId": "smiths"}
    assert sent["scheduledTime"] == "<aws.scheduler.scheduled-time>"  # Scheduler's documented context attribute


def test_create_story_has_the_firings_table_its_setting_and_its_permissions(synthesized: Synthesized) -> None:
    storage, pipeline = synthesized.stack.storage, synthesized.stack.pipeline
    table_id = synthesized.logical_id(storage.firings)
    table = synthesized.json["Resources"][table_id]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": names.FIRINGS_TTL_ATTRIBUTE, "Enabled": True}
    assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]

    function = synthesized.json["Resources"][synthesized.logical_id(pipeline.create_story.function)]
    assert function["Properties"]["Environment"]["Variables"]["STORYTELLER_FIRINGS_TABLE"] == {"Ref": table_id}

    granted = {
        action
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if {"Fn::GetAtt": [table_id, "Arn"]} in _as_list(statement["Resource"])
        for action in _as_list(statement["Action"])
    }
    assert {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} <= granted


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]
