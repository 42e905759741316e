"""The pipe's transformation: a real stream record in, the documented StoryCreated v2 out."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from boto3.dynamodb.types import TypeSerializer

from storyteller import events
from storyteller.errors import InvalidEventError
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
DOCUMENTED = {
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


def test_the_event_keeps_no_dynamodb_bookkeeping() -> None:
    event = events.story_created_from_record(RECORD)

    assert set(event.model_dump()) == {
        "version", "family", "id", "title", "text", "scene", "characters", "createdAt", "moment"
    }  # fmt: skip
    assert event.createdAt == datetime(2026, 11, 25, 19, 15, tzinfo=UTC)


def test_a_story_from_before_households_is_the_default_familys() -> None:
    record = json.loads(json.dumps(RECORD))
    del record["dynamodb"]["NewImage"]["familyId"], record["dynamodb"]["NewImage"]["shelf"]

    event = events.story_created_from_record(record)

    assert (event.version, event.family.id, event.family.shelf) == ("2", "default", "/")


def test_a_version_1_event_is_still_accepted_as_the_default_familys() -> None:
    v1 = {key: value for key, value in DOCUMENTED.items() if key != "family"} | {"version": "1"}

    event = events.parse_story_created(v1)

    assert (event.version, event.family.id, event.id) == ("1", "default", DOCUMENTED["id"])


def test_the_writers_key_moment_rides_along_for_the_picture() -> None:
    record = json.loads(json.dumps(RECORD))
    record["dynamodb"]["NewImage"]["moment"] = {"S": "Ada and the lantern: the star rising home"}

    assert events.story_created_from_record(record).moment == "Ada and the lantern: the star rising home"


def test_a_record_without_a_new_image_is_refused_by_name() -> None:
    with pytest.raises(InvalidEventError, match="has no NewImage"):
        events.story_created_from_record({"eventID": "x", "eventName": "INSERT", "dynamodb": {}})


def test_a_record_that_is_not_a_story_is_refused() -> None:
    record = json.loads(json.dumps(RECORD))
    del record["dynamodb"]["NewImage"]["characters"]
    with pytest.raises(InvalidEventError, match="is not a story"):
        events.story_created_from_record(record)


def test_an_unknown_event_version_is_refused() -> None:
    with pytest.raises(InvalidEventError, match="version '3' is not supported"):
        events.parse_story_created({**DOCUMENTED, "version": "3"})


def test_a_malformed_event_is_refused() -> None:
    with pytest.raises(InvalidEventError, match="not a StoryCreated event"):
        events.parse_story_created({"id": "x"})


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
            **DOCUMENTED,
            "familyId": FAMILY["id"],
            "shelf": FAMILY["shelf"],
            "ttl": 1764270000,
            "status": "CREATED",
            "words": 14,
        }.items()
        if key not in ("version", "moment", "family")  # a story with no moment has no such attribute
    }
    assert image == RECORD["dynamodb"]["NewImage"]
