"""Email in the template: SNS → SQS → the mailer → SES, no SNS email subscription or filter policy left, the
mailer's SES permission pinned to the stack's identity, configuration set and From address, events recorded."""

from __future__ import annotations

from typing import Any

import pytest

from infra.mail import BOUNCE_RATE_ALARM, COMPLAINT_RATE_ALARM, CONFIGURATION_SET
from tests.infrastructure.conftest import Synthesized
from tests.infrastructure.test_households import _as_list, _statements

pytestmark = pytest.mark.infra


def test_no_sns_email_subscription_or_filter_policy_remains(synthesized: Synthesized) -> None:
    subscriptions = [s["Properties"] for s in synthesized.resources("AWS::SNS::Subscription").values()]
    story_topic = {"Ref": synthesized.logical_id(synthesized.stack.workflow.topic)}
    story_subscriptions = [s for s in subscriptions if s["TopicArn"] == story_topic]

    assert [s["Protocol"] for s in story_subscriptions] == ["sqs"]
    assert story_subscriptions[0]["Endpoint"] == {
        "Fn::GetAtt": [synthesized.logical_id(synthesized.stack.mail.queue), "Arn"]
    }
    assert not any("FilterPolicy" in s for s in subscriptions)
    # Only the operators' alerts topic keeps an email subscription (not a family's).
    emails = [s for s in subscriptions if s["Protocol"] == "email"]
    assert [s["TopicArn"] for s in emails] == [{"Ref": synthesized.logical_id(synthesized.stack.monitoring.alerts)}]


def test_the_mailer_may_send_only_from_the_stacks_identity_and_configuration_set(synthesized: Synthesized) -> None:
    mail = synthesized.stack.mail
    statements = _statements(synthesized, mail.mailer.role)
    ses = [statement for statement in statements if any(a.startswith("ses:") for a in _as_list(statement["Action"]))]

    [send] = ses
    assert _as_list(send["Action"]) == ["ses:SendEmail"]
    resources = _as_list(send["Resource"])
    assert len(resources) == 2
    assert "*" not in str(resources)
    assert f"configuration-set/{CONFIGURATION_SET}" in str(resources)
    assert f"'Ref': '{synthesized.logical_id(mail.identity)}'" in str(resources)  # the stack's own identity
    assert send["Condition"] == {"StringEquals": {"ses:FromAddress": synthesized.context["mailFrom"]}}


def test_ses_events_reach_the_recorder_and_rates_have_alarms(synthesized: Synthesized) -> None:
    mail = synthesized.stack.mail
    [destination] = synthesized.resources("AWS::SES::ConfigurationSetEventDestination").values()
    properties: dict[str, Any] = destination["Properties"]["EventDestination"]
    assert sorted(properties["MatchingEventTypes"]) == ["bounce", "complaint", "delivery", "reject"]
    assert "EventBridgeDestination" in properties
    rule = synthesized.resources("AWS::Events::Rule")[synthesized.logical_id(mail.rule)]["Properties"]
    assert rule["EventPattern"]["source"] == ["aws.ses"]
    assert rule["EventPattern"]["detail"] == {"mail": {"tags": {"ses:configuration-set": [CONFIGURATION_SET]}}}
    alarms = synthesized.resources("AWS::CloudWatch::Alarm")
    rates = {
        alarms[synthesized.logical_id(alarm)]["Properties"]["MetricName"]: alarms[synthesized.logical_id(alarm)][
            "Properties"
        ]
        for alarm in mail.alarms
    }
    assert rates["Reputation.BounceRate"]["Threshold"] == BOUNCE_RATE_ALARM
    assert rates["Reputation.ComplaintRate"]["Threshold"] == COMPLAINT_RATE_ALARM
    alerts = {"Ref": synthesized.logical_id(synthesized.stack.monitoring.alerts)}
    assert all(rate["AlarmActions"] == [alerts] for rate in rates.values())
