"""Each family's schedule → create_story → Stories stream → pipe → bus → rule → state machine."""

from __future__ import annotations

import json
from typing import Any

import jsii
from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_pipes as pipes_l1
from aws_cdk import aws_pipes_alpha as pipes
from aws_cdk import aws_pipes_sources_alpha as pipe_sources
from aws_cdk import aws_pipes_targets_alpha as pipe_targets
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.functions import FunctionKit, StoryFunction
from infra.nag import acknowledge
from infra.storage import Storage
from storyteller import names
from storyteller.flow import events as story_events

# The stream holds a record for 24 hours; a story not delivered within a few tries goes to the pipe's DLQ.
PIPE_RETRY_ATTEMPTS = 3
# One story a night: batching is about a burst of inserts (e.g. `tonight` run by hand), not throughput.
PIPE_BATCH_SIZE = 10

# The keys of an EventBridge pattern and the EventPattern field each one is.
_PATTERN_FIELDS = {
    "source": "source",
    "detail-type": "detail_type",
    "detail": "detail",
    "account": "account",
    "region": "region",
    "resources": "resources",
    "version": "version",
    "id": "id",
    "time": "time",
}


class Pipeline(Construct):
    """Everything from the nightly trigger to the start of the state machine."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        kit: FunctionKit,
        storage: Storage,
        environment: dict[str, str],
        openai_secret_arn: str,
        state_machine: sfn.IStateMachine,
    ) -> None:
        super().__init__(scope, construct_id)
        self.create_story = StoryFunction(
            self,
            "CreateStory",
            kit=kit,
            package="create_story",
            function_name=names.CREATE_STORY_FUNCTION,
            description="Writes tonight's story (OpenAI) into the Stories table",
            memory_mb=512,
            # Up to three drafts, each a chat completion (~10-30 s) and a moderation check, with the client's
            # own retries; a night that needs longer has a problem the DLQ alarm should report.
            timeout=Duration.minutes(5),
            environment=environment,
        )
        # The family (its shelf link), then its cast and scenes: one Query each.
        self.create_story.allow(["dynamodb:GetItem"], [storage.families.table_arn])
        self.create_story.allow(["dynamodb:Query"], [storage.characters.table_arn, storage.scenes.table_arn])
        self.create_story.allow(["dynamodb:PutItem"], [storage.stories.table_arn])
        # Query: the family's recent titles and plots, so tonight's story is not last night's again.
        self.create_story.allow(["dynamodb:Query"], [storage.stories_by_family_arn()])
        # ...and what the family was told these four weeks, remembered as each story is stored.
        self.create_story.allow(["dynamodb:Query", "dynamodb:PutItem"], [storage.memory.table_arn])
        self.create_story.allow(
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
            [storage.firings.table_arn],
        )
        self.create_story.allow(["secretsmanager:GetSecretValue"], [openai_secret_arn])

        self.schedule_dlq = dead_letter_queue(self, "ScheduleDlq", "the schedule and create_story's async invoke")
        # Scheduler invokes asynchronously: a failed night lands in the DLQ (and its alarm) instead of
        # being retried by Lambda, which would pay OpenAI twice and could make two stories.
        self.create_story.function.configure_async_invoke(
            retry_attempts=0,
            max_event_age=Duration.hours(2),
            on_failure=destinations.SqsDestination(self.schedule_dlq),
        )
        # Each family's schedule (made by family_sync, infra/households.py) runs as this role. Only Scheduler
        # acting for this account may assume it; infra/households.py narrows it to the stack's own group.
        self.schedule_role = iam.Role(
            self,
            "ScheduleRole",
            assumed_by=service_principal("scheduler.amazonaws.com", self),
            description="Lets each family's nightly schedule invoke create_story",
        )
        self.schedule_role.add_to_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self.create_story.function.function_arn])
        )
        self.schedule_role.add_to_policy(
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.schedule_dlq.queue_arn])
        )
        self.family_sync_dlq = dead_letter_queue(self, "FamilySyncDlq", "the Families stream's family_sync")

        self.bus = events.EventBus(self, "Bus", event_bus_name=names.EVENT_BUS)

        self.story_created = StoryFunction(
            self,
            "StoryCreated",
            kit=kit,
            package="story_created",
            function_name=names.STORY_CREATED_FUNCTION,
            description="The pipe's enrichment: Stories stream records to StoryCreated events",
            memory_mb=256,
            timeout=Duration.seconds(30),
        )
        self.pipe_dlq = dead_letter_queue(self, "PipeDlq", "the pipe's Stories stream source")
        # Our own role for the pipe, so its trust names this account (the construct's default role trusts
        # every pipe). No aws:SourceArn: the pipe's name is CloudFormation's, and the pipe needs its role first.
        self.pipe_role = iam.Role(
            self,
            "PipeRole",
            assumed_by=service_principal("pipes.amazonaws.com", self),
            description="Lets the Stories pipe read the stream, call its enrichment and put StoryCreated events",
        )
        self.pipe = pipes.Pipe(
            self,
            "StoriesToBus",
            description="New stories (INSERT only) as StoryCreated events on the storyteller bus",
            role=self.pipe_role,
            source=pipe_sources.DynamoDBSource(
                storage.stories,
                # From the oldest record the stream holds (24 h), not from "now": a pipe that is replaced
                # (a new starting position, an alpha construct upgrade) would otherwise skip the stories
                # written meanwhile. Those it reads again start runs that Claim ends at once (the story's
                # run is recorded), so nothing is drawn, narrated or emailed twice.
                starting_position=pipe_sources.DynamoDBStartingPosition.TRIM_HORIZON,
                batch_size=PIPE_BATCH_SIZE,
                maximum_retry_attempts=PIPE_RETRY_ATTEMPTS,
                dead_letter_target=self.pipe_dlq,
            ),
            filter=pipes.Filter([pipes.FilterPattern.from_object(story_events.PIPE_FILTER)]),
            # Not an input template: a template cannot turn DynamoDB's typed list of characters into
            # plain JSON, so the enrichment (the same function the local pipe calls) does it.
            enrichment=LambdaEnrichment(self.story_created.function),
            target=pipe_targets.EventBridgeTarget(self.bus, source=names.EVENT_SOURCE, detail_type=names.STORY_CREATED),
        )

        self.rule_dlq = dead_letter_queue(self, "RuleDlq", "the StoryCreated rule's state machine target")
        self.rule = events.Rule(
            self,
            "StoryCreatedRule",
            description="Each StoryCreated starts the media workflow with the event's detail as input",
            event_bus=self.bus,
            event_pattern=event_pattern(story_events.RULE_PATTERN),
            targets=[
                events_targets.SfnStateMachine(
                    state_machine,
                    input=events.RuleTargetInput.from_event_path(story_events.RULE_TARGET_INPUT_PATH),
                    dead_letter_queue=self.rule_dlq,
                    retry_attempts=8,
                    max_event_age=Duration.hours(6),
                )
            ],
        )

    @property
    def dead_letter_queues(self) -> dict[str, sqs.Queue]:
        """Each place a story can stop before the state machine, by what it means."""
        return {
            "NightlyScheduleFailed": self.schedule_dlq,
            "FamilyNotScheduled": self.family_sync_dlq,
            "StreamRecordUndelivered": self.pipe_dlq,
            "StoryCreatedUndelivered": self.rule_dlq,
        }


@jsii.implements(pipes.IEnrichment)
class LambdaEnrichment:
    """A Lambda function as the pipe's enrichment, invocable by the pipe's role on its ARN only."""

    def __init__(self, function: lambda_.IFunction) -> None:
        self._function = function

    @property
    def enrichment_arn(self) -> str:
        return self._function.function_arn

    def bind(self, pipe: pipes.IPipe) -> pipes.EnrichmentParametersConfig:
        return pipes.EnrichmentParametersConfig(
            enrichment_parameters=pipes_l1.CfnPipe.PipeEnrichmentParametersProperty()
        )

    def grant_invoke(self, grantee: iam.IRole) -> None:
        # Not function.grant_invoke, which also grants every version and alias (`<arn>:*`).
        grantee.add_to_principal_policy(
            iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[self._function.function_arn])
        )


def event_pattern(pattern: dict[str, Any]) -> events.EventPattern:
    """The shared rule pattern as CDK's EventPattern; a key CDK has no field for is refused, not dropped."""
    unknown = set(pattern) - set(_PATTERN_FIELDS)
    if unknown:
        raise ValueError(f"rule pattern keys {sorted(unknown)} have no EventPattern field: {json.dumps(pattern)}")
    return events.EventPattern(**{_PATTERN_FIELDS[key]: value for key, value in pattern.items()})


def service_principal(service: str, scope: Construct, **source_arn: str) -> iam.ServicePrincipal:
    """A service acting for this stack's account only (and, given `ArnEquals`/`ArnLike`, for one resource):
    the trust condition that keeps another account's resource from using our role (confused deputy)."""
    conditions: dict[str, Any] = {"StringEquals": {"aws:SourceAccount": Stack.of(scope).account}}
    conditions.update({operator: {"aws:SourceArn": arn} for operator, arn in source_arn.items()})
    return iam.ServicePrincipal(service, conditions=conditions)


def dead_letter_queue(scope: Construct, construct_id: str, serves: str) -> sqs.Queue:
    queue = sqs.Queue(
        scope,
        construct_id,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=Duration.days(14),
    )
    acknowledge(
        queue,
        "AwsSolutions-SQS3",
        f"This queue is the dead-letter queue of {serves}; cdk-nag only recognises DLQs named in another "
        "queue's redrive policy.",
    )
    return queue
