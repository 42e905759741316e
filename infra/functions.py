"""One of our Lambda functions: the shared code asset, the Powertools layer, its own role and log group."""

from __future__ import annotations

from dataclasses import dataclass, field

from aws_cdk import AssetHashType, Aws, Duration, RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra import lambda_asset
from infra.lambda_asset import LambdaAsset
from infra.nag import acknowledge

LOG_RETENTION = logs.RetentionDays.TWO_WEEKS


@dataclass(frozen=True)
class FunctionKit:
    """What every function shares: one code asset (uploaded once), the layer and base environment."""

    asset: LambdaAsset
    code: lambda_.Code
    layer: lambda_.ILayerVersion
    environment: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, scope: Construct, asset: LambdaAsset, *, detailed_tracing: bool = False) -> FunctionKit:
        """The kit for a stack: the asset keyed by our own input hash, so CDK need not re-hash 25 MB.

        Lambda's active tracing is always on (each invocation's segment, joined to its execution's trace);
        Powertools' Tracer, with the X-Ray SDK's subsegment for every AWS call, only with detailedTracing:
        importing the SDK costs every cold start ~30 ms (docs/performance.md).
        """
        code = lambda_.Code.from_asset(
            str(asset.path),
            asset_hash=asset.fingerprint,
            asset_hash_type=AssetHashType.CUSTOM,
            # The asset's own bytecode (compiled for the runtime's Python at build) ships with it.
        )
        layer_arn = (
            f"arn:{Aws.PARTITION}:lambda:{Aws.REGION}:{lambda_asset.POWERTOOLS_LAYER_ACCOUNT}:layer:"
            f"{lambda_asset.powertools_layer_name()}:{lambda_asset.POWERTOOLS_LAYER_VERSION}"
        )
        layer = lambda_.LayerVersion.from_layer_version_arn(scope, "PowertoolsLayer", layer_arn)
        return cls(asset=asset, code=code, layer=layer, environment=base_environment(detailed_tracing))


def base_environment(detailed_tracing: bool) -> dict[str, str]:
    """What every function's environment starts with (bench/cold_start.py imports handlers with it too).

    We use no pydantic plugins; without the setting pydantic looks for them in every installed
    distribution's entry points when it builds its first model (~5 ms of each cold start).
    With detailed tracing, a handler's response is not put in its trace's metadata: X-Ray keeps traces
    30 days, longer than a story lives (errors are, and they name ids only).
    """
    return {
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "POWERTOOLS_TRACE_DISABLED": "false" if detailed_tracing else "true",
        "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
    }


class StoryFunction(Construct):
    """A function whose role can write its own logs and traces, and nothing else until granted."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        kit: FunctionKit,
        package: str,
        function_name: str,
        description: str,
        memory_mb: int,
        timeout: Duration,
        environment: dict[str, str] | None = None,
        unscoped_actions: dict[str, str] | None = None,
    ) -> None:
        """`unscoped_actions`: actions AWS cannot scope to a resource (granted on `*`), each with why."""
        super().__init__(scope, construct_id)
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"/aws/lambda/{function_name}",
            retention=LOG_RETENTION,
            removal_policy=RemovalPolicy.DESTROY,
        )
        # Our own role instead of AWSLambdaBasicExecutionRole: logs go to this one log group only.
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Runs {function_name}",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[self.log_group.log_group_arn]
            )
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            description=description,
            runtime=lambda_.Runtime.PYTHON_3_13,
            architecture=(
                lambda_.Architecture.ARM_64 if lambda_asset.ARCHITECTURE == "arm64" else lambda_.Architecture.X86_64
            ),
            code=kit.code,
            handler=kit.asset.handler(package),
            layers=[kit.layer],
            role=self.role,
            log_group=self.log_group,
            memory_size=memory_mb,
            timeout=timeout,
            tracing=lambda_.Tracing.ACTIVE,
            environment={**kit.environment, **(environment or {})},
        )
        unscoped = unscoped_actions or {}
        if unscoped:
            self.role.add_to_policy(iam.PolicyStatement(actions=sorted(unscoped), resources=["*"]))
        acknowledge(
            self.role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) have no resource-level permissions"
            + "".join(f"; {action} {why}" for action, why in sorted(unscoped.items()))
            + ". Every other statement of this role names its resources.",
        )
        acknowledge(
            self.function,
            "AwsSolutions-L1",
            "python3.13 on purpose: the asset's compiled wheels (pydantic-core, jiter) and its import test "
            "target 3.13 (DESIGN.md); runtime, wheels and test interpreter move together.",
        )

    def allow(self, actions: list[str], resources: list[str]) -> None:
        """Grant exactly these actions on exactly these resources (no CDK grant wildcards like `s3:GetObject*`)."""
        self.role.add_to_policy(iam.PolicyStatement(actions=actions, resources=resources))
