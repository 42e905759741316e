"""The tables (families, their casts and scenes, stories, firings) and the media bucket."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra.nag import acknowledge
from storyteller import names

# Objects outlive their story by at most a day: the story's TTL is two days and S3 expiry runs daily.
MEDIA_LIFETIME_DAYS = names.STORY_LIFETIME_SECONDS // 86_400


class Storage(Construct):
    """Families, their Characters and Scenes, Stories (TTL + stream), the schedule's firings and the media."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        # Physical names are left to CloudFormation (functions get them from the environment), so two
        # stacks can share an account and a replacement never collides with the old table. What is kept
        # is kept when the stack is removed or the table replaced, not when the deploy that made it fails
        # (RETAIN_ON_UPDATE_OR_DELETE): a failed first deploy leaves no empty tables behind.
        # One row per household; its stream keeps each family's schedule and subscriptions in step.
        self.families = _table(
            self,
            names.FAMILIES_TABLE,
            RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
            dynamo_stream=dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        )
        # Keyed (familyId, id): a family's cast is one Query. New tables beside the single-family ones,
        # which stay (retained, read by the households migration only) until a later release drops them.
        self.characters = _table(self, "FamilyCharacters", RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, sort_key="id")
        self.scenes = _table(self, "FamilyScenes", RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, sort_key="id")
        self.legacy_characters = _table(self, names.CHARACTERS_TABLE, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE)
        self.legacy_scenes = _table(self, names.SCENES_TABLE, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE)
        self.stories = _table(
            self,
            names.STORIES_TABLE,
            # Stories live two days; nothing in them is worth keeping after the stack is gone.
            RemovalPolicy.DESTROY,
            time_to_live_attribute=names.TTL_ATTRIBUTE,
            # The pipe needs the new item only: its filter reads eventName, its enrichment NewImage.
            dynamo_stream=dynamodb.StreamViewType.NEW_IMAGE,
            # Off on purpose: a story lives two days (its TTL); PITR would keep every expired or removed story
            # restorable for 35. A lost story is rewritten the next night. (cdk-nag's DDB3 checks only
            # AWS::DynamoDB::Table, not this GlobalTable, so there is no finding to acknowledge.)
            point_in_time_recovery=False,
        )
        # A family's shelf: its stories, newest first, without reading anyone else's.
        self.stories.add_global_secondary_index(
            index_name=names.STORIES_BY_FAMILY_INDEX,
            partition_key=dynamodb.Attribute(name=names.FAMILY_KEY, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="createdAt", type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        # One record per firing of the nightly schedule (Powertools idempotency): a firing delivered twice
        # makes one story. Records expire with the story they point at.
        self.firings = _table(
            self, names.FIRINGS_TABLE, RemovalPolicy.DESTROY, time_to_live_attribute=names.FIRINGS_TTL_ATTRIBUTE
        )
        # What each family was told (never the text), for four weeks: the writers' memory outlives the story.
        self.memory = _table(
            self,
            names.MEMORY_TABLE,
            RemovalPolicy.DESTROY,
            sort_key="toldAt",
            time_to_live_attribute=names.TTL_ATTRIBUTE,
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
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        )
        acknowledge(
            self.media,
            "AwsSolutions-S1",
            "Every object expires after two days and is read only through presigned GETs; an access-log "
            "bucket would outlive and outweigh the media it logs.",
        )

    def stories_by_family_arn(self) -> str:
        """The family index of the Stories table, for Query grants."""
        return f"{self.stories.table_arn}/index/{names.STORIES_BY_FAMILY_INDEX}"


def _table(
    scope: Construct,
    name: str,
    removal_policy: RemovalPolicy,
    *,
    sort_key: str | None = None,
    time_to_live_attribute: str | None = None,
    dynamo_stream: dynamodb.StreamViewType | None = None,
    point_in_time_recovery: bool = True,
) -> dynamodb.TableV2:
    # TableV2: the pipe's DynamoDB source takes ITableV2; one region, so it costs what a Table costs.
    return dynamodb.TableV2(
        scope,
        name,
        partition_key=dynamodb.Attribute(
            name=names.FAMILY_KEY if sort_key else "id", type=dynamodb.AttributeType.STRING
        ),
        sort_key=dynamodb.Attribute(name=sort_key, type=dynamodb.AttributeType.STRING) if sort_key else None,
        billing=dynamodb.Billing.on_demand(),
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=point_in_time_recovery
        ),
        removal_policy=removal_policy,
        time_to_live_attribute=time_to_live_attribute,
        dynamo_stream=dynamo_stream,
    )
