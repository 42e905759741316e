"""Email through Amazon SES: the story-ready topic → an SQS queue → the mailer (one SendEmail per recipient),
and SES's events (delivery, bounce, complaint, reject) → EventBridge → the recorder, per (story, recipient).

Why a queue and a function, not a Map over the recipients in the state machine: the mailer must read the
family's current addresses and stops and make the email (MJML, the picture) — Python work in any case; the
queue gives each story's email its own retries and a dead-letter queue without failing or redriving the
story's run, whose media are done; and the run's history stays free of addresses and content.
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import DeployConfig
from infra.functions import FunctionKit, StoryFunction
from infra.nag import acknowledge, resource_finding
from infra.secrets import generated_key
from infra.storage import Storage
from storyteller import names

MAILER_TIMEOUT = Duration.seconds(60)
# What SES itself watches (Amazon SES's reputation dashboard): it reviews an account at a 5 % bounce rate and
# 0.1 % complaint rate, and may pause its sending at 10 % and 0.5 %. We want to hear at the first.
BOUNCE_RATE_ALARM = 0.05
COMPLAINT_RATE_ALARM = 0.001
CONFIGURATION_SET = "storyteller"


class Mail(Construct):
    """The Deliveries table, the sender identity, the configuration set, the mailer and the event recorder."""

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
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        # A story email that failed five times (throttled throughout), or an SES event not recorded.
        self.dead_letter_queue = dead_letter_queue = sqs.Queue(
            self,
            "Undelivered",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )

        # One row per (story, recipient): the mailer's claim and what SES said; it expires with the story.
        self.deliveries = dynamodb.TableV2(
            self,
            names.DELIVERIES_TABLE,
            partition_key=dynamodb.Attribute(name="storyId", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="recipient", type=dynamodb.AttributeType.STRING),
            billing=dynamodb.Billing.on_demand(),
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=RemovalPolicy.DESTROY,
            time_to_live_attribute=names.TTL_ATTRIBUTE,
        )
        self.identity = ses.EmailIdentity(
            self,
            "Sender",
            identity=ses.Identity.domain(config.mail_domain)
            if config.mail_domain
            else ses.Identity.email(config.mail_from),
        )
        self.configuration_set = ses.ConfigurationSet(
            self, "Events", configuration_set_name=CONFIGURATION_SET, reputation_metrics=True, sending_enabled=True
        )
        default_bus = events.EventBus.from_event_bus_name(self, "DefaultBus", "default")
        self.configuration_set.add_event_destination(
            "ToEventBridge",
            destination=ses.EventDestination.event_bus(default_bus),
            events=[
                ses.EmailSendingEvent.DELIVERY,
                ses.EmailSendingEvent.BOUNCE,
                ses.EmailSendingEvent.COMPLAINT,
                ses.EmailSendingEvent.REJECT,
            ],
        )
        # Signs each recipient's unsubscribe link; the story pages verify it.
        self.unsubscribe_key = generated_key(
            self,
            "UnsubscribeKey",
            description="Signs the one-click unsubscribe link of each story email",
            not_rotated_because="Rotating this key would void the unsubscribe link of every email already sent "
            "(RFC 8058 asks that it keep working); it signs, it does not open anything.",
        )

        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            # Lambda's advice: six times the function's timeout, so a slow batch is not handed out twice.
            visibility_timeout=Duration.seconds(MAILER_TIMEOUT.to_seconds() * 6),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=5, queue=dead_letter_queue),
        )
        topic.add_subscription(subscriptions.SqsSubscription(self.queue))

        mail_environment = {
            **environment,
            "STORYTELLER_DELIVERIES_TABLE": self.deliveries.table_name,
            "STORYTELLER_MAIL_FROM": config.mail_from,
            "STORYTELLER_SES_CONFIGURATION_SET": CONFIGURATION_SET,
            "STORYTELLER_UNSUBSCRIBE_SECRET_NAME": self.unsubscribe_key.secret_arn,
        }
        self.mailer = StoryFunction(
            self,
            "Mailer",
            kit=kit,
            package="mailer",
            function_name=names.MAILER_FUNCTION,
            description="One SES email per recipient of a finished story, exactly once",
            memory_mb=512,
            timeout=MAILER_TIMEOUT,
            environment=mail_environment,
        )
        mailer = self.mailer
        mailer.allow(["dynamodb:GetItem"], [storage.stories.table_arn])
        mailer.allow(["dynamodb:GetItem", "dynamodb:UpdateItem"], [storage.families.table_arn])
        mailer.allow(
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
            [self.deliveries.table_arn],
        )
        mailer.allow(["s3:GetObject"], [storage.media.arn_for_objects("stories/*")])
        acknowledge(
            mailer.role,
            resource_finding("AwsSolutions-IAM5", storage.media, "Arn", "/stories/*"),
            "The mailer reads the picture of whichever story is ready (stories/{id}/image.png), unknown until "
            "then; read only, limited to the stories/ prefix of our own bucket.",
        )
        mailer.allow(["secretsmanager:GetSecretValue"], [self.unsubscribe_key.secret_arn])
        configuration_set_arn = stack.format_arn(
            service="ses", resource="configuration-set", resource_name=CONFIGURATION_SET
        )
        # SES v2 SendEmail is authorized on the identity and on the configuration set; From is pinned too.
        mailer.role.add_to_policy(
            iam.PolicyStatement(
                actions=["ses:SendEmail"],
                resources=[self.identity.email_identity_arn, configuration_set_arn],
                conditions={"StringEquals": {"ses:FromAddress": config.mail_from}},
            )
        )
        mailer.function.add_event_source(
            event_sources.SqsEventSource(self.queue, batch_size=5, report_batch_item_failures=True)
        )

        self.recorder = StoryFunction(
            self,
            "EventRecorder",
            kit=kit,
            package="mail_events",
            function_name=names.MAIL_EVENTS_FUNCTION,
            description="SES delivery, bounce, complaint and reject events recorded per story and recipient",
            memory_mb=256,
            timeout=Duration.seconds(30),
            environment=mail_environment,
        )
        self.recorder.allow(["dynamodb:UpdateItem"], [self.deliveries.table_arn])
        self.recorder.allow(["dynamodb:UpdateItem"], [storage.families.table_arn])
        self.rule = events.Rule(
            self,
            "SesEvents",
            description="SES events of the story emails' configuration set",
            event_pattern=events.EventPattern(
                source=["aws.ses"], detail={"mail": {"tags": {"ses:configuration-set": [CONFIGURATION_SET]}}}
            ),
            targets=[
                targets.LambdaFunction(
                    self.recorder.function,
                    dead_letter_queue=dead_letter_queue,
                    retry_attempts=8,
                    max_event_age=Duration.hours(6),
                )
            ],
        )

        self.bounce_rate = _reputation_alarm(
            self, "BounceRate", "Reputation.BounceRate", BOUNCE_RATE_ALARM, "bounce rate (SES reviews at 5 %)"
        )
        self.complaint_rate = _reputation_alarm(
            self,
            "ComplaintRate",
            "Reputation.ComplaintRate",
            COMPLAINT_RATE_ALARM,
            "complaint rate (SES reviews at 0.1 %)",
        )

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        return [self.bounce_rate, self.complaint_rate]


def _reputation_alarm(
    scope: Construct, construct_id: str, metric: str, threshold: float, what: str
) -> cloudwatch.Alarm:
    return cloudwatch.Alarm(
        scope,
        construct_id,
        alarm_description=f"The account's SES {what}: the console's nights page shows which addresses bounced "
        "or complained; they are paused already. Check the families' addresses.",
        metric=cloudwatch.Metric(
            namespace="AWS/SES", metric_name=metric, statistic="Maximum", period=Duration.hours(1)
        ),
        threshold=threshold,
        evaluation_periods=1,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )
