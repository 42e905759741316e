"""The pipe's transformation: a real stream record in, the documented StoryCreated v3 (references only) out."""

from __future__ import annotations

import json

import pytest
from boto3.dynamodb.types import TypeSerializer

from storyteller.errors import InvalidEventError
from storyteller.flow import events
from storyteller.models import StoryCreated

# As DynamoDB Streams delivers it (NEW_IMAGE), typed attributes and all, written out by hand.
RECORD = {
    "eventID": "c4ca4238a0b923820dcc509a6f75849b",
    "eventName": "INSERT",
    "eventVersion": "1.1",
    "eventSource": "aws:dynamodb",
    "awsRegion": "eu-west-2",
    "dynamodb": {
        "ApproximateCreationDateTime": 1764097200,
        "Keys": {"id": {"S": "2f1c0a52-6a7e-4d5e-9a43-0b6f2d1e9c11"}},
        "NewImage": {
            "id": {"S": "2f1c0a52-6a7e-4d5e-9a43-0b6f2d1e9c11"},
            "familyId": {"S": "smiths"},
            "shelf": {"S": "/shelf/smiths/q9RkzV3m1oYc8Ww0Jt2LhA4s"},
            "title": {"S": "Pip and the Lost Star"},
            "text": {"S": "Pip looked up at the sky,\nand saw a star go drifting by."},
            "scene": {"M": {"id": {"S": "forest"}, "description": {"S": "a moonlit forest clearing"}}},
            "characters": {
                "L": [
                    {"M": {"id": {"S": "pip"}, "name": {"S": "Pip"}, "description": {"S": "a small red fox"}}},
                    {"M": {"id": {"S": "luna"}, "name": {"S": "Luna"}, "description": {"S": "a wise grey owl"}}},
                ]
            },
            "createdAt": {"S": "2026-11-25T19:15:00Z"},
            "ttl": {"N": "1764270000"},
            "status": {"S": "CREATED"},
            "words": {"N": "14"},
        },
        "SequenceNumber": "111",
        "SizeBytes": 420,
        "StreamViewType": "NEW_IMAGE",
    },
}

FAMILY = {"id": "smiths", "shelf": "/shelf/smiths/q9RkzV3m1oYc8Ww0Jt2LhA4s"}
# Version 3: the story's id and its family's, nothing a run's 90-day history should not keep.
DOCUMENTED = {"version": "3", "id": "2f1c0a52-6a7e-4d5e-9a43-0b6f2d1e9c11", "family": {"id": "smiths"}}
# Version 2, as the pipe wrote it before: accepted while such events can still be in flight.
STORY = {
    "version": "2",
    "family": FAMILY,
    "id": "2f1c0a52-6a7e-4d5e-9a43-0b6f2d1e9c11",
    "title": "Pip and the Lost Star",
    "text": "Pip looked up at the sky,\nand saw a star go drifting by.",
    "scene": {"id": "forest", "description": "a moonlit forest clearing"},
    "characters": [
        {"id": "pip", "name": "Pip", "description": "a small red fox"},
        {"id": "luna", "name": "Luna", "description": "a wise grey owl"},
    ],
    "createdAt": "2026-11-25T19:15:00Z",
    "moment": None,
}


def test_a_stream_record_becomes_the_documented_event() -> None:
    event = events.story_created_from_record(RECORD).model_dump(mode="json")

    assert event == DOCUMENTED
    assert not any(key in json.dumps(event) for key in ('"S"', '"M"', '"L"', '"N"'))


def test_the_event_carries_no_content_and_no_shelf_token() -> None:
    text = json.dumps(events.story_created_from_record(RECORD).model_dump(mode="json"))

    for told in ("Pip", "Luna", "fox", "star", "forest", FAMILY["shelf"], "q9RkzV3m"):
        assert told not in text, told


def test_a_story_from_before_households_is_the_default_familys() -> None:
    record = json.loads(json.dumps(RECORD))
    del record["dynamodb"]["NewImage"]["familyId"], record["dynamodb"]["NewImage"]["shelf"]

    event = events.story_created_from_record(record)

    assert (event.version, event.family.id) == ("3", "default")


def test_a_version_2_event_still_in_flight_is_reduced_to_its_references() -> None:
    event = events.parse_story_created(STORY)

    assert event.model_dump(mode="json") == DOCUMENTED


def test_a_version_1_event_is_still_accepted_as_the_default_familys() -> None:
    v1 = {key: value for key, value in STORY.items() if key != "family"} | {"version": "1"}

    event = events.parse_story_created(v1)

    assert (event.version, event.family.id, event.id) == ("3", "default", STORY["id"])


def test_a_record_without_a_new_image_is_refused_by_name() -> None:
    with pytest.raises(InvalidEventError, match="has no NewImage"):
        events.story_created_from_record({"eventID": "x", "eventName": "INSERT", "dynamodb": {}})


def test_a_record_that_is_not_a_story_is_refused_without_quoting_it() -> None:
    record = json.loads(json.dumps(RECORD))
    del record["dynamodb"]["NewImage"]["characters"]
    record["dynamodb"]["NewImage"]["scene"] = {"S": "a moonlit forest clearing"}
    with pytest.raises(InvalidEventError, match="is not a story") as refused:
        events.story_created_from_record(record)
    assert "characters" in str(refused.value)
    assert "scene" in str(refused.value)
    assert "moonlit" not in str(refused.value)
    assert "Pip" not in str(refused.value)


def test_an_unknown_event_version_is_refused() -> None:
    with pytest.raises(InvalidEventError, match="version '4' is not supported"):
        events.parse_story_created({**DOCUMENTED, "version": "4"})


def test_a_malformed_event_is_refused_without_quoting_it() -> None:
    with pytest.raises(InvalidEventError, match="not a StoryCreated event") as refused:
        events.parse_story_created({**STORY, "characters": "Pip the small red fox"})
    assert "characters" in str(refused.value)
    assert "Pip" not in str(refused.value)
    with pytest.raises(InvalidEventError, match="not a StoryCreated event"):
        events.parse_story_created({"id": "x", "version": "3", "title": "Pip and the Lost Star"})


def test_parsing_accepts_what_the_pipe_produces() -> None:
    produced = events.story_created_from_record(RECORD).model_dump(mode="json")

    assert events.parse_story_created(produced) == StoryCreated.model_validate(DOCUMENTED)


def test_the_pipe_filter_lets_only_inserts_through() -> None:
    from moto.events.models import EventPattern

    pattern = EventPattern.load(json.dumps(events.PIPE_FILTER))
    assert pattern.matches_event(RECORD)
    assert not pattern.matches_event({**RECORD, "eventName": "MODIFY"})
    assert not pattern.matches_event({**RECORD, "eventName": "REMOVE"})


def test_the_serializer_round_trip_matches_the_hand_written_record() -> None:
    # Guards the fixture itself: it is what DynamoDB's own serializer makes of the documented story.
    image = {
        key: TypeSerializer().serialize(value)
        for key, value in {
            **STORY,
            "familyId": FAMILY["id"],
            "shelf": FAMILY["shelf"],
            "ttl": 1764270000,
            "status": "CREATED",
            "words": 14,
        }.items()
        if key not in ("version", "moment", "family")  # a story with no moment has no such attribute
    }
    assert image == RECORD["dynamodb"]["NewImage"]
