"""cdk-nag acknowledgements, each next to the resource it is about and each with its reason.

cdk-nag 3 reads CDK's own `Validations.of(scope).acknowledge(...)`; an acknowledgement covers the scope
and everything under it. A finding's id may name a logical id (`Resource::<Bucket1234.Arn>/stories/*`),
so `resource_finding` builds those from the construct rather than a copied string.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from constructs import IConstruct

# Context flag for the test that proves every acknowledgement still matches a real finding.
ACKNOWLEDGE_CONTEXT_KEY = "storyteller:acknowledgeNagFindings"


def acknowledge(scope: IConstruct, finding: str, reason: str) -> None:
    """Accept one cdk-nag finding on `scope` (and below), for `reason`."""
    if len(reason.split()) < 5:
        raise ValueError(f"acknowledging {finding} needs a reason a reviewer can check, not {reason!r}")
    if scope.node.try_get_context(ACKNOWLEDGE_CONTEXT_KEY) is False:
        return
    Validations.of(scope).acknowledge(Acknowledgment(id=finding, reason=reason))


def resource_finding(rule: str, resource: IConstruct, attribute: str, suffix: str) -> str:
    """The id cdk-nag gives a wildcard on a resource's attribute, e.g. `<Bucket1234.Arn>/stories/*`."""
    element = resource.node.default_child
    if not isinstance(element, CfnElement):
        raise TypeError(f"{resource.node.path} has no CloudFormation resource of its own")
    return f"{rule}[Resource::<{Stack.of(resource).get_logical_id(element)}.{attribute}>{suffix}]"
