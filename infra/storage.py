"""The three tables, the media bucket, and the default cast and scenes loaded at deploy time."""

from __future__ import annotations

import hashlib
import json

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra.nag import acknowledge
from storyteller import names
from storyteller.dal.items import to_item
from storyteller.seed import CHARACTERS, SCENES

# Objects outlive their story by at most a day: the story's TTL is two days and S3 expiry runs daily.
MEDIA_LIFETIME_DAYS = names.STORY_LIFETIME_SECONDS // 86_400


class Storage(Construct):
    """Characters, Scenes, Stories (TTL + stream), the schedule's firings and the media bucket."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        # Physical names are left to CloudFormation (functions get them from the environment), so two
        # stacks can share an account and a replacement never collides with the old table.
        self.characters = _table(self, names.CHARACTERS_TABLE, RemovalPolicy.RETAIN)
        self.scenes = _table(self, names.SCENES_TABLE, RemovalPolicy.RETAIN)
        self.stories = _table(
            self,
            names.STORIES_TABLE,
            # Stories live two days; nothing in them is worth keeping after the stack is gone.
            RemovalPolicy.DESTROY,
            time_to_live_attribute=names.TTL_ATTRIBUTE,
            # The pipe needs the new item only: its filter reads eventName, its enrichment NewImage.
            dynamo_stream=dynamodb.StreamViewType.NEW_IMAGE,
        )
        # One record per firing of the nightly schedule (Powertools idempotency): a firing delivered twice
        # makes one story. Records expire with the story they point at.
        self.firings = _table(
            self, names.FIRINGS_TABLE, RemovalPolicy.DESTROY, time_to_live_attribute=names.FIRINGS_TTL_ATTRIBUTE
        )
        self.media = s3.Bucket(
            self,
            "Media",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-with-the-story",
                    expiration=Duration.days(MEDIA_LIFETIME_DAYS),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            # A non-empty bucket cannot be deleted by CloudFormation; its objects expire in two days anyway.
            removal_policy=RemovalPolicy.RETAIN,
        )
        acknowledge(
            self.media,
            "AwsSolutions-S1",
            "Every object expires after two days and is read only through presigned GETs; an access-log "
            "bucket would outlive and outweigh the media it logs.",
        )
        self._seed_catalog()

    def _seed_catalog(self) -> None:
        """Put the default cast and scenes at deploy (by id, like `storyteller seed`), so night one has a story."""
        items = {
            self.characters.table_name: [{"PutRequest": {"Item": to_item(c.model_dump())}} for c in CHARACTERS],
            self.scenes.table_name: [{"PutRequest": {"Item": to_item(s.model_dump())}} for s in SCENES],
        }
        if len(CHARACTERS) + len(SCENES) > 25:
            raise ValueError("BatchWriteItem takes 25 items at most: split the catalog seed")
        catalog = [c.model_dump() for c in CHARACTERS] + [s.model_dump() for s in SCENES]
        version = hashlib.sha256(json.dumps(catalog, sort_keys=True).encode()).hexdigest()[:16]
        call = cr.AwsSdkCall(
            service="DynamoDB",
            action="batchWriteItem",
            parameters={"RequestItems": items},
            # A new id when the seed changes re-runs the put; unchanged, nothing runs on update.
            physical_resource_id=cr.PhysicalResourceId.of(f"catalog-{version}"),
        )
        cr.AwsCustomResource(
            self,
            "SeedCatalog",
            on_create=call,
            on_update=call,
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=["dynamodb:BatchWriteItem"],
                        resources=[self.characters.table_arn, self.scenes.table_arn],
                    )
                ]
            ),
            install_latest_aws_sdk=False,
        )
        # The provider is one function per stack, made by CDK beside (not under) this construct.
        provider = Stack.of(self).node.find_child(f"AWS{cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace('-', '')}")
        acknowledge(
            provider,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
            "CDK's AwsCustomResource provider (runs at deploy only, to seed the catalog) writes its logs through "
            "this AWS-managed policy; its calls are limited by the seed's own policy to BatchWriteItem.",
        )


def _table(
    scope: Construct,
    name: str,
    removal_policy: RemovalPolicy,
    *,
    time_to_live_attribute: str | None = None,
    dynamo_stream: dynamodb.StreamViewType | None = None,
) -> dynamodb.TableV2:
    # TableV2: the pipe's DynamoDB source takes ITableV2; one region, so it costs what a Table costs.
    return dynamodb.TableV2(
        scope,
        name,
        partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
        billing=dynamodb.Billing.on_demand(),
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True
        ),
        removal_policy=removal_policy,
        time_to_live_attribute=time_to_live_attribute,
        dynamo_stream=dynamo_stream,
    )
