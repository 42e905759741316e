"""Alarms that email when a night goes wrong, and a log of every story run's status change."""

from __future__ import annotations

import jsii
from aws_cdk import ArnFormat, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_pipes_alpha as pipes
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from aws_cdk.interfaces import aws_events as events_refs
from constructs import Construct

from infra.functions import LOG_RETENTION
from storyteller import names

# One run a night: an hourly period reports a failure within the hour, at a standard alarm's price.
ALARM_PERIOD = Duration.hours(1)


class Monitoring(Construct):
    """An alerts topic (not the family's), alarms on failed runs and on stuck events, a status-change log."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        state_machine: sfn.StateMachine,
        dead_letter_queues: dict[str, sqs.Queue],
        pipe: pipes.IPipe,
        alert_email: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.alerts = sns.Topic(self, "Alerts", display_name="storyteller alerts", enforce_ssl=True)
        # enforce_ssl writes a topic policy, and a topic policy replaces SNS's default one: without this
        # statement CloudWatch may not publish, and no alarm would ever email.
        self.alerts.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.alerts.topic_arn],
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            )
        )
        self.alerts.add_subscription(subscriptions.EmailSubscription(alert_email))
        action = cloudwatch_actions.SnsAction(self.alerts)

        self.failed_runs = state_machine.metric_failed(period=ALARM_PERIOD, statistic="Sum").create_alarm(
            self,
            "FailedRuns",
            alarm_description="A story run failed: open the run in the console (or the Step Functions console) "
            "and redrive it once the cause is fixed.",
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.failed_runs.add_alarm_action(action)

        self.stuck_events: list[cloudwatch.Alarm] = []
        for name, queue in dead_letter_queues.items():
            alarm = queue.metric_approximate_number_of_messages_visible(
                period=ALARM_PERIOD, statistic="Maximum"
            ).create_alarm(
                self,
                name,
                alarm_description=f"{name}: a message is waiting in {queue.node.path}; it says what was not delivered.",
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(action)
            self.stuck_events.append(alarm)

        # The pipe's own failures (a batch it could not enrich or deliver after its retries) and the records
        # the enrichment refused (not a story: dropped so the stream moves on, functions/story_created).
        pipe_metrics = {
            "PipeFailed": (
                cloudwatch.Metric(
                    namespace="AWS/EventBridge/Pipes",
                    metric_name="ExecutionFailed",
                    dimensions_map={"PipeName": pipe.pipe_name},
                    period=ALARM_PERIOD,
                    statistic="Sum",
                ),
                "The Stories pipe failed a batch: its stories reach the pipe's DLQ (StreamRecordUndelivered) "
                "once its retries are spent; the enrichment's logs say why.",
            ),
            "StoryRecordsRejected": (
                cloudwatch.Metric(
                    namespace=names.METRICS_NAMESPACE,
                    metric_name="RejectedRecords",
                    dimensions_map={"service": names.SERVICE},
                    period=ALARM_PERIOD,
                    statistic="Sum",
                ),
                "The pipe's enrichment dropped a Stories record that is not a valid story: no run, no email for "
                "it. storyteller-story-created's logs name the record and the reason.",
            ),
        }
        self.pipe_alarms: list[cloudwatch.Alarm] = []
        for name, (metric, description) in pipe_metrics.items():
            alarm = metric.create_alarm(
                self,
                name,
                alarm_description=description,
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(action)
            self.pipe_alarms.append(alarm)

        # Every status change of every run, searchable with Logs Insights; the alarm above does the emailing.
        self.run_log = logs.LogGroup(
            self, "RunStatusLog", retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )
        self.run_status_rule = events.Rule(
            self,
            "RunStatusChanged",
            description="Step Functions status changes of the story-media state machine",
            event_pattern=events.EventPattern(
                source=["aws.states"],
                detail_type=["Step Functions Execution Status Change"],
                detail={"stateMachineArn": [state_machine.state_machine_arn]},
            ),
            targets=[LogGroupTarget(self.run_log)],
        )


@jsii.implements(events.IRuleTarget)
class LogGroupTarget:
    """A log group as a rule target, its resource policy a plain CloudFormation resource.

    CDK's `CloudWatchLogGroup` target writes that policy through a custom-resource Lambda (with `*`
    permissions on every log group's policy); `LogGroup.add_to_resource_policy` needs none.
    """

    def __init__(self, log_group: logs.LogGroup) -> None:
        self._log_group = log_group

    def bind(self, rule: events_refs.IRuleRef, id: str | None = None) -> events.RuleTargetConfig:
        self._log_group.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[
                    iam.ServicePrincipal("events.amazonaws.com"),
                    iam.ServicePrincipal("delivery.logs.amazonaws.com"),
                ],
                actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[self._log_group.log_group_arn],
            )
        )
        # Rule targets take the log group's ARN without the `:*` of its GetAtt Arn.
        arn = Stack.of(self._log_group).format_arn(
            service="logs",
            resource="log-group",
            resource_name=self._log_group.log_group_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        return events.RuleTargetConfig(arn=arn)
