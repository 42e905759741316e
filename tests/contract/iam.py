"""A small IAM policy evaluator over the synthesized template, and AWS calls recorded per component.

Enough of IAM for our roles: identity policies (AWS::IAM::Policy and a role's inline policies), Allow
and Deny, `*`/`?` wildcards in actions and resources, and the intrinsic functions CDK writes in them
(Ref, Fn::GetAtt, Fn::Join) resolved to the names the local stack uses.
"""

from __future__ import annotations

import contextlib
import fnmatch
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from storyteller.local.runtime import PUMP

# botocore operation → the IAM action it needs, where the two names differ.
ACTION_OF_OPERATION = {
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "ListObjectsV2"): "s3:ListBucket",
}


@dataclass(frozen=True)
class Call:
    """One AWS request a component made: the IAM action it needs and the resource it acts on."""

    component: str
    action: str
    resource: str


def resource_of(service: str, operation: str, params: dict[str, Any], region: str, account: str) -> str:
    """The ARN a request acts on, as IAM sees it (`*` for actions without resource-level permissions)."""
    if service == "dynamodb" and "TableName" in params:
        table = f"arn:aws:dynamodb:{region}:{account}:table/{params['TableName']}"
        return f"{table}/index/{params['IndexName']}" if "IndexName" in params else table  # a Query of an index
    if service == "s3" and "Key" in params:
        return f"arn:aws:s3:::{params['Bucket']}/{params['Key']}"
    if service == "s3" and "Bucket" in params:
        return f"arn:aws:s3:::{params['Bucket']}"
    if service == "states":
        return str(params.get("executionArn") or params.get("stateMachineArn") or "*")
    if service == "scheduler" and "Name" in params:
        return f"arn:aws:scheduler:{region}:{account}:schedule/{params.get('GroupName', 'default')}/{params['Name']}"
    if service == "sns" and "TopicArn" in params:
        return str(params["TopicArn"])
    if service == "sns" and "SubscriptionArn" in params:
        return str(params["SubscriptionArn"]).rsplit(":", 1)[0]  # a subscription's permissions are its topic's
    if service == "secretsmanager":
        return f"arn:aws:secretsmanager:{region}:{account}:secret:{params['SecretId']}-AbCdEf"
    return "*"


@dataclass
class Recorder:
    """Every AWS call made through botocore while it is installed, by the component that made it."""

    region: str
    account: str = "123456789012"
    calls: list[Call] = field(default_factory=list)
    _local: threading.local = field(default_factory=threading.local)
    phase: str | None = None  # for calls made where no function is running (the web app's requests)

    @contextlib.contextmanager
    def acting_as(self, component: str) -> Iterator[None]:
        """Calls from this thread belong to `component` while inside."""
        previous = getattr(self._local, "component", None)
        self._local.component = component
        try:
            yield
        finally:
            self._local.component = previous

    def component(self) -> str | None:
        found = getattr(self._local, "component", None)
        if found:
            return str(found)
        # The local pump and moto's engine threads stand for AWS services (Pipes, Step Functions): not ours.
        if threading.current_thread().name.startswith(PUMP):
            return None
        return self.phase

    def record(self, service: str, operation: str, params: dict[str, Any]) -> None:
        component = self.component()
        if component is None:
            return
        action = ACTION_OF_OPERATION.get((service, operation), f"{service}:{operation}")
        self.calls.append(Call(component, action, resource_of(service, operation, params, self.region, self.account)))

    @contextlib.contextmanager
    def installed(self) -> Iterator[Recorder]:
        from botocore.client import BaseClient

        original = BaseClient._make_api_call
        recorder = self

        def recording(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
            service = client.meta.service_model.signing_name
            recorder.record(service, operation_name, api_params)
            return original(client, operation_name, api_params)

        BaseClient._make_api_call = recording  # type: ignore[method-assign]
        try:
            yield self
        finally:
            BaseClient._make_api_call = original  # type: ignore[method-assign]


class Template:
    """The synthesized template's roles and their statements, with intrinsics resolved to local names."""

    def __init__(self, template: dict[str, Any], names_by_logical_id: dict[str, dict[str, str]]) -> None:
        self._resources: dict[str, Any] = template["Resources"]
        self._names = names_by_logical_id

    def resolve(self, value: Any) -> str:
        """A policy's Resource value as a wildcard pattern; a reference we cannot name matches nothing."""
        if isinstance(value, str):
            return value
        if "Ref" in value:
            ref = value["Ref"]
            if ref == "AWS::Partition":
                return "aws"
            if ref.startswith("AWS::"):
                return "*"
            return self._names.get(ref, {}).get("Ref", f"<unresolved {ref}>")
        if "Fn::GetAtt" in value:
            logical_id, attribute = value["Fn::GetAtt"]
            return self._names.get(logical_id, {}).get(attribute, f"<unresolved {logical_id}.{attribute}>")
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return str(separator).join(self.resolve(part) for part in parts)
        return f"<unresolved {value}>"

    def statements(self, role_id: str) -> list[dict[str, Any]]:
        """Every identity-policy statement attached to a role."""
        found: list[dict[str, Any]] = []
        role = self._resources[role_id]
        for policy in role["Properties"].get("Policies", []):
            found.extend(policy["PolicyDocument"]["Statement"])
        for resource in self._resources.values():
            if resource["Type"] == "AWS::IAM::Policy" and {"Ref": role_id} in resource["Properties"].get("Roles", []):
                found.extend(resource["Properties"]["PolicyDocument"]["Statement"])
        return found

    def allows(self, role_id: str, action: str, resource: str) -> bool:
        """IAM's answer for one request: an explicit Deny wins, else some Allow must match."""
        matching = [s for s in self.statements(role_id) if self._matches(s, action, resource)]
        if any(s["Effect"] == "Deny" and "Condition" not in s for s in matching):
            return False
        return any(s["Effect"] == "Allow" for s in matching)

    def unused(self, role_id: str, calls: list[Call]) -> list[str]:
        """Allowed actions no recorded call needed (a report, not a failure: some serve rare paths)."""
        found = []
        for statement in self.statements(role_id):
            if statement["Effect"] != "Allow":
                continue
            for action in _as_list(statement["Action"]):
                if not any(_wildcard(action, call.action) for call in calls):
                    found.append(action)
        return sorted(set(found))

    def _matches(self, statement: dict[str, Any], action: str, resource: str) -> bool:
        actions = _as_list(statement.get("Action", []))
        resources = [self.resolve(r) for r in _as_list(statement.get("Resource", []))]
        return any(_wildcard(a, action) for a in actions) and any(fnmatch.fnmatchcase(resource, r) for r in resources)


def _wildcard(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value.lower(), pattern.lower())  # IAM actions are case-insensitive


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
