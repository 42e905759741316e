"""Households in AWS: each family's schedule and subscriptions follow its row, and the deploy makes the
default family (an install from before households becomes it)."""

from __future__ import annotations

from aws_cdk import CustomResource, Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import custom_resources as cr
from constructs import Construct

from infra.config import DeployConfig
from infra.functions import LOG_RETENTION, FunctionKit, StoryFunction
from infra.nag import acknowledge, resource_finding
from infra.storage import Storage
from storyteller import names
from storyteller.households.family_sync import SCHEDULE_PREFIX, SyncTargets, schedule_request
from storyteller.models import Family

# A family's change waits behind a failing one for at most this many tries, then goes to the DLQ.
SYNC_RETRY_ATTEMPTS = 5


class Households(Construct):
    """The family_sync function on the Families stream, the schedules' group, and the households setup."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        kit: FunctionKit,
        storage: Storage,
        config: DeployConfig,
        environment: dict[str, str],
        topic: sns.ITopic,
        create_story: lambda_.IFunction,
        schedule_role: iam.IRole,
        schedule_dlq: sqs.IQueue,
        sync_dlq: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        # Deleted with the stack, and Scheduler deletes every schedule in a group it deletes: no schedule is
        # left invoking a function that is gone, and a failed first deploy's rollback leaves no group whose
        # name the retry would collide with. The families themselves live on in the retained tables, and the
        # next deploy's setup makes their schedules again (resync below).
        self.schedule_group = scheduler.ScheduleGroup(self, "Schedules", removal_policy=RemovalPolicy.DESTROY)
        _trust_schedules_of(schedule_role, self.schedule_group.schedule_group_arn)
        schedules_arn = stack.format_arn(
            service="scheduler",
            resource="schedule",
            resource_name=f"{self.schedule_group.schedule_group_name}/{SCHEDULE_PREFIX}*",
        )
        targets = SyncTargets(
            schedule_group=self.schedule_group.schedule_group_name,
            create_story_arn=create_story.function_arn,
            schedule_role_arn=schedule_role.role_arn,
            dead_letter_arn=schedule_dlq.queue_arn,
            topic_arn=topic.topic_arn,
        )
        # What family_sync and the setup read with SyncTargets.from_environment.
        sync_environment = {
            "STORYTELLER_SCHEDULE_GROUP": targets.schedule_group,
            "STORYTELLER_CREATE_STORY_ARN": targets.create_story_arn,
            "STORYTELLER_SCHEDULE_ROLE_ARN": targets.schedule_role_arn,
            "STORYTELLER_SCHEDULE_DLQ_ARN": targets.dead_letter_arn,
            "STORYTELLER_NOTIFY_TOPIC_ARN": targets.topic_arn,
        }
        self.family_sync = StoryFunction(
            self,
            "FamilySync",
            kit=kit,
            package="family_sync",
            function_name=names.FAMILY_SYNC_FUNCTION,
            description="Families stream to each family's schedule (and old email subscriptions removed)",
            memory_mb=256,
            timeout=Duration.seconds(60),
            environment={**environment, **sync_environment},
            unscoped_actions={"dynamodb:ListStreams": "(the Families stream's event source) has no resource type"},
        )
        sync = self.family_sync
        sync.allow(
            ["scheduler:CreateSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"], [schedules_arn]
        )
        group_name = stack.resolve(self.schedule_group.schedule_group_name)
        schedules_finding = (
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/"
            f"{group_name}/{SCHEDULE_PREFIX}*]"
        )
        acknowledge(
            sync.role,
            schedules_finding,
            "One schedule per family, named family-<id>, made and removed as families come and go: the names are "
            "not known at deploy, so the grant is every family schedule in this stack's own group.",
        )
        _allow_pass_role(sync.role, schedule_role)
        # Only to remove the SNS email subscriptions of earlier releases; the mailer emails through SES.
        sync.allow(["sns:Unsubscribe"], [topic.topic_arn])
        sync.allow(["dynamodb:UpdateItem"], [storage.families.table_arn])  # the subscriptions' ARNs
        # A removed family is forgotten at once (storyteller/households/forget.py): its stories by the family
        # index, their rows and their media.
        sync.allow(["dynamodb:Query"], [storage.stories_by_family_arn()])
        sync.allow(["dynamodb:DeleteItem"], [storage.stories.table_arn])
        sync.allow(["dynamodb:Query", "dynamodb:DeleteItem"], [storage.memory.table_arn])  # what it was told
        sync.allow(["s3:DeleteObject"], [storage.media.arn_for_objects("stories/*")])
        acknowledge(
            sync.role,
            resource_finding("AwsSolutions-IAM5", storage.media, "Arn", "/stories/*"),
            "A removed family's pictures and narrations are keyed by story id (stories/{id}/…), unknown until "
            "the family is removed; the wildcard is limited to the stories/ prefix of our own bucket.",
        )
        sync.function.add_event_source(
            event_sources.DynamoEventSource(
                storage.families,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=10,
                bisect_batch_on_error=True,
                report_batch_item_failures=True,
                retry_attempts=SYNC_RETRY_ATTEMPTS,
                on_failure=event_sources.SqsDlq(sync_dlq),
            )
        )

        self.setup = StoryFunction(
            self,
            "Setup",
            kit=kit,
            package="households_setup",
            function_name=names.HOUSEHOLDS_SETUP_FUNCTION,
            description="At deploy: the default family, its cast and scenes, and its stories from before households",
            memory_mb=256,
            timeout=Duration.minutes(5),
            environment={
                **environment,
                # The default family is made from what the single-family install was deployed with.
                "STORYTELLER_NOTIFY_EMAIL": config.notify_email,
                "STORYTELLER_SCHEDULE_CRON": config.schedule_expression,
                "STORYTELLER_SCHEDULE_TIME_ZONE": config.schedule_time_zone,
                **sync_environment,
            },
        )
        setup = self.setup
        # Scan: every family, for their schedules (family_sync.resync_schedules).
        setup.allow(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Scan"], [storage.families.table_arn])
        setup.allow(["dynamodb:Query", "dynamodb:PutItem"], [storage.characters.table_arn, storage.scenes.table_arn])
        setup.allow(["dynamodb:Scan"], [storage.legacy_characters.table_arn, storage.legacy_scenes.table_arn])
        setup.allow(["dynamodb:Scan", "dynamodb:UpdateItem"], [storage.stories.table_arn])
        setup.allow(["sns:ListSubscriptionsByTopic", "sns:Unsubscribe"], [topic.topic_arn])
        # Every family's schedule, re-applied when what a schedule carries changed (family_sync.resync_schedules).
        setup.allow(["scheduler:GetSchedule", "scheduler:CreateSchedule", "scheduler:UpdateSchedule"], [schedules_arn])
        acknowledge(
            setup.role,
            schedules_finding,
            "The deploy re-applies every family's schedule (family-<id>, names unknown at deploy) when the "
            "function, role, DLQ or input they carry changed: every family schedule in this stack's own group.",
        )
        _allow_pass_role(setup.role, schedule_role)
        # Our own log group: the framework's default keeps its logs two years, retained after the stack.
        framework_logs = logs.LogGroup(
            self, "SetupProviderLogs", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        provider = cr.Provider(self, "SetupProvider", on_event_handler=setup.function, log_group=framework_logs)
        self.default_family = CustomResource(
            self,
            "DefaultFamily",
            service_token=provider.service_token,
            properties={
                "LegacyCharactersTable": storage.legacy_characters.table_name,
                "LegacyScenesTable": storage.legacy_scenes.table_name,
                # Each deploy removes any SNS email subscription left from before the mailer.
                "NotifyTopicArn": topic.topic_arn,
                # A schedule as this deploy makes it: when anything in it changes (a replaced role, DLQ or
                # function, the input the code sends), CloudFormation updates this resource and the setup
                # re-applies every family's schedule; the stream alone only reports a family's own changes.
                "Schedules": schedule_request(_SAMPLE_FAMILY, targets),
            },
        )
        # The default family's row must reach a running family_sync, which gives it its schedule.
        self.default_family.node.add_dependency(sync)
        _acknowledge_provider(provider, setup.function)


# Stands for every family in the `Schedules` property: only what all schedules share varies with the deploy.
_SAMPLE_FAMILY = Family.model_construct(id="<family>", at="00:00", timeZone="UTC")


def _trust_schedules_of(schedule_role: iam.IRole, group_arn: str) -> None:
    """Only the schedules of this group may run as the role (Scheduler's SourceArn is the group's ARN).

    The role is made with the pipeline, before the group exists; its trust is narrowed here, where it does.
    """
    trust = schedule_role.node.default_child
    if not isinstance(trust, iam.CfnRole):
        raise TypeError("the schedules' role must be a role this stack makes, so its trust can name the group")
    trust.add_property_override(
        "AssumeRolePolicyDocument.Statement.0.Condition.ArnEquals", {"aws:SourceArn": group_arn}
    )


def _allow_pass_role(role: iam.IRole, schedule_role: iam.IRole) -> None:
    """Pass the schedules' role to Scheduler (and to nothing else), as Create/UpdateSchedule need."""
    role.add_to_principal_policy(
        iam.PolicyStatement(
            actions=["iam:PassRole"],
            resources=[schedule_role.role_arn],
            conditions={"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}},
        )
    )


def _acknowledge_provider(provider: cr.Provider, setup: lambda_.IFunction) -> None:
    framework = provider.node.find_child("framework-onEvent")
    acknowledge(
        framework,
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        "CDK's custom resource Provider framework (runs at deploy only) logs through this AWS-managed policy; "
        "all it does is invoke the households setup function.",
    )
    acknowledge(
        framework,
        resource_finding("AwsSolutions-IAM5", setup, "Arn", ":*"),
        "CDK's Provider framework grants invoke on the setup function's versions (`<arn>:*`); it calls the "
        "unqualified function only.",
    )
