"""Tables and bucket: what the flow relies on (TTL, the stream) and what keeps the media private and short-lived."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storyteller import names
from storyteller.dal.items import to_item
from storyteller.seed import CHARACTERS, SCENES
from tests.infrastructure.conftest import Synthesized

pytestmark = pytest.mark.infra


def test_stories_table_expires_items_by_ttl_and_streams_new_images(synthesized: Synthesized) -> None:
    stories = synthesized.json["Resources"][synthesized.logical_id(synthesized.stack.storage.stories)]
    properties = stories["Properties"]
    assert properties["TimeToLiveSpecification"] == {"AttributeName": names.TTL_ATTRIBUTE, "Enabled": True}
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    assert properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]


def test_every_table_is_on_demand_with_point_in_time_recovery(synthesized: Synthesized) -> None:
    tables = synthesized.resources("AWS::DynamoDB::GlobalTable")
    assert len(tables) == 4  # Characters, Scenes, Stories, ScheduleFirings
    for logical_id, table in tables.items():
        properties = table["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST", logical_id
        for replica in properties["Replicas"]:
            assert replica["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, logical_id


def test_media_bucket_expires_objects_after_two_days(synthesized: Synthesized) -> None:
    _, bucket = synthesized.one("AWS::S3::Bucket")
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert [rule["ExpirationInDays"] for rule in rules if rule["Status"] == "Enabled"] == [2]


def test_media_bucket_is_private_encrypted_and_ssl_only(synthesized: Synthesized) -> None:
    bucket_id, bucket = synthesized.one("AWS::S3::Bucket")
    properties = bucket["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    _, policy = synthesized.one("AWS::S3::BucketPolicy")
    assert policy["Properties"]["Bucket"] == {"Ref": bucket_id}
    denials = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denials)


def test_the_default_cast_and_scenes_are_seeded_at_deploy(synthesized: Synthesized) -> None:
    storage = synthesized.stack.storage
    _, seed = synthesized.one("Custom::AWS")
    call = json.loads(_joined(seed["Properties"]["Create"]))
    assert call["action"] == "batchWriteItem"
    written = call["parameters"]["RequestItems"]
    assert written[synthesized.logical_id(storage.characters)] == [
        {"PutRequest": {"Item": to_item(character.model_dump())}} for character in CHARACTERS
    ]
    assert written[synthesized.logical_id(storage.scenes)] == [
        {"PutRequest": {"Item": to_item(scene.model_dump())}} for scene in SCENES
    ]


def _joined(value: Any) -> str:
    """An Fn::Join of strings and Refs as text, each Ref written as the logical id it names."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return str(value["Ref"])
    separator, parts = value["Fn::Join"]
    return str(separator).join(_joined(part) for part in parts)
