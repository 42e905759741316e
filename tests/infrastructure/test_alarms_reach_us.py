"""Every alarm's action is a topic whose policy lets CloudWatch publish: a silent alarm is no alarm."""

from __future__ import annotations

from typing import Any

from tests.infrastructure.conftest import Synthesized


def _statements_for(synthesized: Synthesized, topic_ref: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        statement
        for policy in synthesized.resources("AWS::SNS::TopicPolicy").values()
        if topic_ref in policy["Properties"]["Topics"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _allows_cloudwatch(statement: dict[str, Any]) -> bool:
    actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
    principal = statement.get("Principal", {})
    services = principal.get("Service", []) if isinstance(principal, dict) else []
    services = services if isinstance(services, list) else [services]
    return statement["Effect"] == "Allow" and "cloudwatch.amazonaws.com" in services and "sns:Publish" in actions


def test_every_alarm_topic_lets_cloudwatch_publish(synthesized: Synthesized) -> None:
    alarms = synthesized.resources("AWS::CloudWatch::Alarm")
    assert alarms
    for logical_id, alarm in alarms.items():
        actions = alarm["Properties"].get("AlarmActions", [])
        assert actions, f"{logical_id} has no action"
        for topic_ref in actions:
            statements = _statements_for(synthesized, topic_ref)
            # No policy at all would leave SNS's default one, which lets the account's services publish.
            if not statements:
                continue
            allowing = [s for s in statements if _allows_cloudwatch(s)]
            assert allowing, f"{logical_id}: its topic policy replaces the default and bars CloudWatch"
            for statement in allowing:
                assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
            denies = [s for s in statements if s["Effect"] == "Deny"]
            # The TLS-only deny must not catch CloudWatch's (TLS) publish: it is conditioned on SecureTransport.
            assert all(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)
