"""One CDK app, synthesized once per test session, shared by every infrastructure test.

Synth starts a Node.js (jsii) process and takes seconds, so the app, its template and the built Lambda
asset are session fixtures; tests only read them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# Before anything imports aws_cdk: jsii unpacks its packages here (not under ~) and keeps quiet about Node 20.
os.environ.setdefault("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(REPO_ROOT / ".jsii-cache"))
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

if TYPE_CHECKING:
    from aws_cdk import App
    from aws_cdk.assertions import Template

    from infra.lambda_asset import LambdaAsset
    from infra.stack import StorytellerStack


@dataclass(frozen=True)
class Synthesized:
    """The app as `make synth` builds it, and what it wrote."""

    app: App
    stack: StorytellerStack
    template: Template
    context: dict[str, Any]
    outdir: Path

    @property
    def json(self) -> dict[str, Any]:
        """The CloudFormation template as a plain dict."""
        return dict(self.template.to_json())

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        """Logical id → resource, for one CloudFormation type."""
        return {key: value for key, value in self.json["Resources"].items() if value["Type"] == resource_type}

    def one(self, resource_type: str) -> tuple[str, dict[str, Any]]:
        """The only resource of a type, with its logical id."""
        found = self.resources(resource_type)
        assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
        return next(iter(found.items()))

    def logical_id(self, construct: Any) -> str:
        """The logical id CloudFormation knows a construct's resource by."""
        return str(self.stack.get_logical_id(construct.node.default_child))


@pytest.fixture(scope="session")
def cdk_context() -> dict[str, Any]:
    """cdk.json's context, as the CLI passes it to app.py."""
    from infra.stack import cdk_json_context

    return cdk_json_context()


@pytest.fixture(scope="session")
def synthesized(cdk_context: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    """Build and synthesize the app once; cdk-nag runs during synth and fails it on any unacknowledged finding."""
    from aws_cdk.assertions import Template

    from infra.stack import build_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    app, stack = build_app(context=dict(cdk_context), outdir=str(outdir))
    return Synthesized(app, stack, Template.from_stack(stack), dict(cdk_context), outdir)


@pytest.fixture(scope="session")
def lambda_asset() -> LambdaAsset:
    """The Lambda code asset the app uses (built and cached under build/lambda)."""
    from infra import lambda_asset as builder

    return builder.build()
