"""The state machine from statemachine/story_media.asl.json, its two media functions and the email topic."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as events_targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infra.functions import LOG_RETENTION, FunctionKit, StoryFunction
from infra.nag import acknowledge, resource_finding
from infra.pipeline import dead_letter_queue, service_principal
from infra.storage import Storage
from storyteller import names
from storyteller.flow.run_outcome import ENDED_WITHOUT_EMAIL, STATUS_CHANGE
from storyteller.flow.workflow import WorkflowResources, definition_text

# Below the Illustrate/Narrate tasks' TimeoutSeconds in the ASL (a test holds us to it), so a slow job
# fails as the function's own timeout, with its logs, rather than as a bare States.Timeout.
# It holds one provider call at worst (OpenAI's 90 s × 3 tries and their waits: storyteller/providers/budgets.py).
MEDIA_TIMEOUT = Duration.seconds(300)

# The actions the definition's states call, by state: Claim/SaveMedia/MarkNotified, Illustrate/Narrate, Notify.
STATE_ACTIONS = ("dynamodb:UpdateItem", "lambda:InvokeFunction", "sns:Publish")


class Workflow(Construct):
    """Illustrate and narrate in parallel, save both keys, then email the family once."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        kit: FunctionKit,
        storage: Storage,
        environment: dict[str, str],
        openai_secret_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(
            self, "StoryReady", topic_name=names.NOTIFY_TOPIC, display_name="Bedtime story", enforce_ssl=True
        )
        # No subscription here: each family's recipients are subscribed by family_sync, with a filter policy
        # on the message's familyId (infra/households.py).

        media_objects = storage.media.arn_for_objects("stories/*")
        self.illustrate = StoryFunction(
            self,
            "GenerateImage",
            kit=kit,
            package="generate_image",
            function_name=names.GENERATE_IMAGE_FUNCTION,
            description="Draws the story's picture (OpenAI images) and stores it in the media bucket",
            memory_mb=512,
            timeout=MEDIA_TIMEOUT,
            environment=environment,
        )
        self.narrate = StoryFunction(
            self,
            "GenerateAudio",
            kit=kit,
            package="generate_audio",
            function_name=names.GENERATE_AUDIO_FUNCTION,
            description="Reads the story aloud (Amazon Polly) and stores the MP3 in the media bucket",
            memory_mb=512,
            timeout=MEDIA_TIMEOUT,
            environment=environment,
            unscoped_actions={"polly:SynthesizeSpeech": "can be scoped to lexicons only, and we use none"},
        )
        for function in (self.illustrate, self.narrate):
            # GetObject also answers HeadObject (is it made already?); ListBucket makes a missing key a 404
            # rather than a 403, which is how a retried branch tells "not made yet" from "forbidden".
            function.allow(["s3:GetObject", "s3:PutObject"], [media_objects])
            function.allow(["s3:ListBucket"], [storage.media.bucket_arn])
            # The event names the story; the function reads its title, cast and text (StoryCreated v3).
            function.allow(["dynamodb:GetItem"], [storage.stories.table_arn])
            acknowledge(
                function.role,
                resource_finding("AwsSolutions-IAM5", storage.media, "Arn", "/stories/*"),
                "Objects are keyed by story id (stories/{id}/image.png, audio.mp3), unknown until a story "
                "exists; the wildcard is limited to the stories/ prefix of our own bucket.",
            )
        self.illustrate.allow(["secretsmanager:GetSecretValue"], [openai_secret_arn])

        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/vendedlogs/states/{names.STATE_MACHINE}",
            retention=LOG_RETENTION,
            removal_policy=RemovalPolicy.DESTROY,
        )
        # Its name is ours, so the trust can name the one state machine that may assume the role.
        state_machine_arn = Stack.of(self).format_arn(
            service="states",
            resource="stateMachine",
            resource_name=names.STATE_MACHINE,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=service_principal("states.amazonaws.com", self, ArnLike=state_machine_arn),
            description=f"Runs {names.STATE_MACHINE}: exactly the actions its states call",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(actions=["dynamodb:UpdateItem"], resources=[storage.stories.table_arn])
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=[self.illustrate.function.function_arn, self.narrate.function.function_arn],
            )
        )
        self.role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=[self.topic.topic_arn]))

        resources = WorkflowResources(
            stories_table=storage.stories.table_name,
            generate_image_function_arn=self.illustrate.function.function_arn,
            generate_audio_function_arn=self.narrate.function.function_arn,
            notify_topic_arn=self.topic.topic_arn,
        )
        self.state_machine = sfn.StateMachine(
            self,
            "StateMachine",
            state_machine_name=names.STATE_MACHINE,
            state_machine_type=sfn.StateMachineType.STANDARD,
            # Inlined (not from_file, which would become an S3 asset) so cfn-lint checks the ASL.
            definition_body=sfn.DefinitionBody.from_string(definition_text()),
            definition_substitutions=resources.substitutions(),
            role=self.role,
            # Execution data off: states pass only ids, keys and usage now, but the logs need none of it.
            logs=sfn.LogOptions(destination=self.log_group, level=sfn.LogLevel.ALL, include_execution_data=False),
            tracing_enabled=True,
        )
        # A run that ends without its email marks its story FAILED (storyteller/flow/run_outcome.py); the local
        # runtime hands the same event to the same function (storyteller/local/status_rule.py).
        self.run_status = StoryFunction(
            self,
            "RunStatus",
            kit=kit,
            package="run_status",
            function_name=names.RUN_STATUS_FUNCTION,
            description="Marks a story FAILED when its media run fails, times out or is aborted",
            memory_mb=256,
            timeout=Duration.seconds(30),
            environment=environment,
        )
        self.run_status.allow(["dynamodb:UpdateItem"], [storage.stories.table_arn])
        self.run_status_dlq = dead_letter_queue(self, "RunStatusDlq", "the run-ended rule's run_status target")
        self.run_ended_rule = events.Rule(
            self,
            "RunEndedWithoutEmail",
            description="A story run that failed, timed out or was aborted marks its story FAILED",
            event_pattern=events.EventPattern(
                source=["aws.states"],
                detail_type=[STATUS_CHANGE],
                detail={"stateMachineArn": [self.state_machine.state_machine_arn], "status": list(ENDED_WITHOUT_EMAIL)},
            ),
            targets=[
                events_targets.LambdaFunction(
                    self.run_status.function,
                    retry_attempts=8,
                    max_event_age=Duration.hours(6),
                    # Undelivered, a failed run's story would stay CREATED: kept here, and alarmed on.
                    dead_letter_queue=self.run_status_dlq,
                )
            ],
        )
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "Added by CDK for LogOptions and tracing: CloudWatch Logs delivery (logs:CreateLogDelivery and "
            "friends) and X-Ray writes have no resource-level permissions. The states' own actions "
            "(UpdateItem, InvokeFunction, Publish) name their resources.",
        )
