"""One fixture through every hop, each hop read from the synthesized template and checked against the
handlers' own models: a family's schedule → create_story; stream record → pipe filter → enrichment → bus envelope →
rule pattern → rule input path → the state machine's input, as the media handlers parse it."""

from __future__ import annotations

import json
from typing import Any

import jmespath
import pytest
from moto.events.models import EventPattern

from functions.create_story.handler import FIRING
from functions.story_created.handler import handler as enrich
from storyteller.flow.events import parse_story_created
from storyteller.households.family_sync import schedule_input
from storyteller.local.lambdas import LocalLambdaContext
from storyteller.models import StoryCreated
from tests.infrastructure.conftest import Synthesized
from tests.unit.test_events import DOCUMENTED, RECORD

pytestmark = pytest.mark.infra


def _matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    return bool(EventPattern.load(json.dumps(pattern)).matches_event(event))


def test_a_familys_schedule_input_keys_the_firing_the_way_create_story_reads_it() -> None:
    sent = json.dumps(schedule_input("smiths")).replace("<aws.scheduler.scheduled-time>", "2026-12-02T19:15:00Z")
    assert jmespath.search(FIRING.event_key_jmespath, json.loads(sent)) == ["smiths", "2026-12-02T19:15:00Z"]
    other = json.loads(sent.replace("smiths", "okafor"))
    assert jmespath.search(FIRING.event_key_jmespath, other) != ["smiths", "2026-12-02T19:15:00Z"]  # their own night


def test_a_stream_record_reaches_the_state_machine_as_the_handlers_model(synthesized: Synthesized) -> None:
    _, pipe = synthesized.one("AWS::Pipes::Pipe")
    properties = pipe["Properties"]
    filters = [json.loads(f["Pattern"]) for f in properties["SourceParameters"]["FilterCriteria"]["Filters"]]
    assert all(_matches(pattern, RECORD) for pattern in filters)
    assert not any(_matches(pattern, {**RECORD, "eventName": "MODIFY"}) for pattern in filters)

    details = enrich([RECORD], LocalLambdaContext(function_name="storyteller-story-created"))
    assert details == [DOCUMENTED]

    target = properties["TargetParameters"]["EventBridgeEventBusParameters"]
    event = {"source": target["Source"], "detail-type": target["DetailType"], "detail": details[0]}
    rules = [
        rule["Properties"]
        for rule in synthesized.resources("AWS::Events::Rule").values()
        if "EventBusName" in rule["Properties"]
    ]
    assert len(rules) == 1
    assert _matches(rules[0]["EventPattern"], event)
    input_path = rules[0]["Targets"][0]["InputPath"]
    state_input = jmespath.search(input_path.removeprefix("$."), event)

    story = parse_story_created(state_input)
    assert story == StoryCreated.model_validate(DOCUMENTED)
    assert story.id == RECORD["dynamodb"]["Keys"]["id"]["S"]  # what Claim's $.id reads
