"""IAM without wildcard actions, cdk-nag clean with reasons for what it accepts, cfn-lint without errors."""

from __future__ import annotations

import json
from typing import Any

import cfnlint.api
import pytest

from tests.infrastructure.conftest import Synthesized

pytestmark = pytest.mark.infra

# Actions AWS offers no resource-level permissions for, so `Resource: "*"` is the only way to grant them.
UNSCOPABLE_ACTIONS = {
    "dynamodb:ListStreams",  # a stream event source's (family_sync on the Families table)
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "ecr:GetAuthorizationToken",
    "polly:SynthesizeSpeech",
}
# cfn-lint warnings CDK itself causes, with why they are harmless.
ACCEPTED_LINT_WARNINGS = {
    "W3005": "CDK adds an explicit DependsOn on a role its resource already references with GetAtt.",
}


def _policy_statements(synthesized: Synthesized) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for logical_id, resource in synthesized.json["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::Policy":
            found += [(logical_id, s) for s in properties["PolicyDocument"]["Statement"]]
        if resource["Type"] == "AWS::IAM::Role":
            for policy in properties.get("Policies", []):
                found += [(logical_id, s) for s in policy["PolicyDocument"]["Statement"]]
    return found


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_no_iam_statement_grants_a_wildcard_action(synthesized: Synthesized) -> None:
    wildcards = [
        (logical_id, action)
        for logical_id, statement in _policy_statements(synthesized)
        for action in _as_list(statement["Action"])
        if "*" in action
    ]
    assert wildcards == []


def test_only_unscopable_actions_are_granted_on_every_resource(synthesized: Synthesized) -> None:
    on_everything = {
        (logical_id, action)
        for logical_id, statement in _policy_statements(synthesized)
        if "*" in _as_list(statement["Resource"])
        for action in _as_list(statement["Action"])
    }
    assert {action for _, action in on_everything} <= UNSCOPABLE_ACTIONS, sorted(on_everything)


def test_cdk_nag_aws_solutions_has_no_unacknowledged_finding(synthesized: Synthesized) -> None:
    from cdk_nag import AwsSolutionsChecks

    report = AwsSolutionsChecks().validate_scope(synthesized.app)
    findings = [
        f"{violation.rule_name} ({violation.severity}) at "
        + ", ".join(str(resource.construct_path) for resource in violation.violating_resources)
        for violation in report.violations
    ]
    assert findings == []


def test_every_acknowledgement_has_a_reason_and_a_finding_it_accepts(
    synthesized: Synthesized, cdk_context: dict[str, Any]
) -> None:
    """No silent or stale acknowledgements: build the tree again with them off and match each to a finding."""
    from aws_cdk import Validations
    from cdk_nag import AwsSolutionsChecks
    from constructs import IConstruct

    from infra.nag import ACKNOWLEDGE_CONTEXT_KEY
    from infra.stack import build_app

    acknowledged: list[tuple[str, str, str]] = []

    def collect(node: IConstruct) -> None:
        for entry in node.node.metadata:
            if entry.type == Validations.ACKNOWLEDGED_RULES_METADATA_KEY:
                for rule, reason in entry.data.items():
                    acknowledged.append((node.node.path, rule.split("::", 1)[-1], reason))
        for child in node.node.children:
            collect(child)

    collect(synthesized.app)
    without, _ = build_app(context={**cdk_context, ACKNOWLEDGE_CONTEXT_KEY: False})
    report = AwsSolutionsChecks().validate_scope(without)
    findings = {
        (str(resource.construct_path), violation.rule_name)
        for violation in report.violations
        for resource in violation.violating_resources
    }
    assert acknowledged, "expected the acknowledgements documented in infra/"
    for path, rule, reason in acknowledged:
        assert len(str(reason).split()) >= 5, f"{rule} at {path} needs a reason"
        assert any(
            found_rule == rule and (found_path == path or found_path.startswith(path + "/"))
            for found_path, found_rule in findings
        ), f"{rule} at {path} acknowledges nothing: remove it"


def test_cfn_lint_finds_no_error(synthesized: Synthesized) -> None:
    matches = cfnlint.api.lint(json.dumps(synthesized.json), regions=["eu-west-2", "us-east-1"])
    problems = [
        f"{match.rule.id} {match.message}"
        for match in matches
        if match.rule.severity == "error" or match.rule.id not in ACCEPTED_LINT_WARNINGS
    ]
    assert problems == []
