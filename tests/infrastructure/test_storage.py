"""Tables and bucket: what the flow relies on (TTL, the stream) and what keeps the media private and short-lived."""

from __future__ import annotations

import pytest

from storyteller import names
from tests.infrastructure.conftest import Synthesized

pytestmark = pytest.mark.infra


def test_stories_table_expires_items_by_ttl_and_streams_new_images(synthesized: Synthesized) -> None:
    stories = synthesized.json["Resources"][synthesized.logical_id(synthesized.stack.storage.stories)]
    properties = stories["Properties"]
    assert properties["TimeToLiveSpecification"] == {"AttributeName": names.TTL_ATTRIBUTE, "Enabled": True}
    assert properties["StreamSpecification"] == {"StreamViewType": "NEW_IMAGE"}
    assert properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]


def test_every_table_is_on_demand_and_only_the_two_day_tables_have_no_point_in_time_recovery(
    synthesized: Synthesized,
) -> None:
    tables = synthesized.resources("AWS::DynamoDB::GlobalTable")
    # Families, their Characters and Scenes, the single-family Characters and Scenes (kept for the migration),
    # Stories, ScheduleFirings, StoryMemory, Deliveries.
    assert len(tables) == 9
    two_day = {
        synthesized.logical_id(synthesized.stack.storage.stories),
        synthesized.logical_id(synthesized.stack.mail.deliveries),
    }
    for logical_id, table in tables.items():
        properties = table["Properties"]
        assert properties["BillingMode"] == "PAY_PER_REQUEST", logical_id
        for replica in properties["Replicas"]:
            # A story and its deliveries live two days: PITR would keep them restorable for 35 (docs/security.md).
            recovery = replica["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
            assert recovery is (logical_id not in two_day), logical_id


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
