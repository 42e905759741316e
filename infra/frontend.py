"""The family's pages on App Runner, from frontend/Dockerfile (built at deploy time, not at synth)."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import ArnFormat, Aws, Fn, IgnoreMode, Stack
from aws_cdk import aws_apprunner_alpha as apprunner
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.lambda_asset import REPO_ROOT
from infra.nag import acknowledge, resource_finding
from infra.storage import Storage
from storyteller import names

PORT = 8080
DOCKERIGNORE = REPO_ROOT / "frontend" / ".dockerignore"


class Frontend(Construct):
    """Story pages and the run console: read stories, presign media, read and redrive executions."""

    def __init__(
        self, scope: Construct, construct_id: str, *, storage: Storage, schedule_time_zone: str, public_shelf: bool
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        # The ARN from the fixed name, not the state machine's token: the workflow takes this service's
        # URL for the email link, so a reference back would be a dependency cycle.
        state_machine_arn = stack.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=names.STATE_MACHINE,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        executions_arn = stack.format_arn(
            service="states",
            resource="execution",
            resource_name=f"{names.STATE_MACHINE}:*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )

        # The build context is the repository (the image installs our package); frontend/.dockerignore
        # says what of it goes in, and CDK copies only that into cdk.out.
        self.image = ecr_assets.DockerImageAsset(
            self,
            "Image",
            directory=str(REPO_ROOT),
            file="frontend/Dockerfile",
            exclude=dockerignore_patterns(DOCKERIGNORE),
            ignore_mode=IgnoreMode.DOCKER,
            # App Runner runs x86_64 images only; this also keeps an Apple-silicon laptop from building arm64.
            platform=ecr_assets.Platform.LINUX_AMD64,
        )
        self.instance_role = iam.Role(
            self,
            "InstanceRole",
            assumed_by=iam.ServicePrincipal("tasks.apprunner.amazonaws.com"),
            description="The story pages: read stories, presign media, read and redrive story runs",
        )
        self.instance_role.add_to_policy(
            iam.PolicyStatement(actions=["dynamodb:GetItem"], resources=[storage.stories.table_arn])
        )
        # A family's shelf (its stories by the family index) and its manage page (the family, its cast and scenes).
        self.instance_role.add_to_policy(
            iam.PolicyStatement(actions=["dynamodb:Query"], resources=[storage.stories_by_family_arn()])
        )
        self.instance_role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:UpdateItem"], resources=[storage.families.table_arn]
            )
        )
        self.instance_role.add_to_policy(
            iam.PolicyStatement(
                actions=["dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem"],
                resources=[storage.characters.table_arn, storage.scenes.table_arn],
            )
        )
        # Presigned URLs carry this role's permission: GET of story media, nothing else.
        self.instance_role.add_to_policy(
            iam.PolicyStatement(actions=["s3:GetObject"], resources=[storage.media.arn_for_objects("stories/*")])
        )
        self.instance_role.add_to_policy(
            iam.PolicyStatement(
                actions=["states:DescribeStateMachine", "states:ListExecutions"], resources=[state_machine_arn]
            )
        )
        self.instance_role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "states:DescribeExecution",
                    "states:DescribeStateMachineForExecution",
                    "states:GetExecutionHistory",
                    "states:RedriveExecution",
                ],
                resources=[executions_arn],
            )
        )
        acknowledge(
            self.instance_role,
            resource_finding("AwsSolutions-IAM5", storage.media, "Arn", "/stories/*"),
            "Presigning needs GetObject on every story's media; objects are keyed by story id and the "
            "wildcard is limited to the stories/ prefix of our own bucket.",
        )
        acknowledge(
            self.instance_role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:"
            f"execution:{names.STATE_MACHINE}:*]",
            "Execution ARNs are made per run; the console reads and redrives only this state machine's runs.",
        )

        # The operators' console password, generated at deploy (JSON {"password": ...}, which the frontend reads).
        self.console_password = secretsmanager.Secret(
            self,
            "ConsolePassword",
            description="storyteller: password of the run console at /console",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}",
                generate_string_key="password",
                exclude_punctuation=True,
                password_length=24,
            ),
        )
        self.console_password.grant_read(self.instance_role)
        acknowledge(
            self.console_password,
            "AwsSolutions-SMG4",
            "One operator password for a family's console: rotating it would need a rotation Lambda and a "
            "way to tell the family; docs/deploy.md shows how to change it by hand.",
        )

        # Signs console session cookies: one key for every instance and restart, so a login outlives both.
        self.session_secret = secretsmanager.Secret(
            self,
            "SessionSecret",
            description="storyteller: key that signs the run console's session cookies",
            generate_secret_string=secretsmanager.SecretStringGenerator(exclude_punctuation=True, password_length=48),
        )
        acknowledge(
            self.session_secret,
            "AwsSolutions-SMG4",
            "Rotating the cookie-signing key would only log operators out; docs/deploy.md shows how to renew it.",
        )

        self.access_role = iam.Role(
            self,
            "AccessRole",
            assumed_by=iam.ServicePrincipal("build.apprunner.amazonaws.com"),
            description="Lets App Runner pull the frontend image from the CDK assets repository",
        )
        self.image.repository.grant_pull(self.access_role)
        acknowledge(
            self.access_role,
            "AwsSolutions-IAM5[Resource::*]",
            "ecr:GetAuthorizationToken has no resource-level permissions; the pull actions are limited to the "
            "CDK assets repository.",
        )

        self.service = apprunner.Service(
            self,
            "Service",
            source=apprunner.Source.from_asset(
                asset=self.image,
                image_configuration=apprunner.ImageConfiguration(
                    port=PORT,
                    environment_variables={
                        "AWS_REGION": Aws.REGION,
                        "STORYTELLER_STORIES_TABLE": storage.stories.table_name,
                        "STORYTELLER_FAMILIES_TABLE": storage.families.table_name,
                        "STORYTELLER_CHARACTERS_TABLE": storage.characters.table_name,
                        "STORYTELLER_SCENES_TABLE": storage.scenes.table_name,
                        "STORYTELLER_MEDIA_BUCKET": storage.media.bucket_name,
                        "STORYTELLER_STATE_MACHINE_ARN": state_machine_arn,
                        "STORYTELLER_CONSOLE_PASSWORD_SECRET_NAME": self.console_password.secret_arn,
                        # Dates on the pages in the family's zone, the one the schedule runs in.
                        "STORYTELLER_SCHEDULE_TIME_ZONE": schedule_time_zone,
                        "STORYTELLER_PUBLIC_SHELF": "true" if public_shelf else "false",
                        "POWERTOOLS_LOG_LEVEL": "INFO",
                    },
                    environment_secrets={
                        "STORYTELLER_SESSION_SECRET": apprunner.Secret.from_secrets_manager(self.session_secret),
                    },
                ),
            ),
            # The smallest instance: a family reads one page a night.
            cpu=apprunner.Cpu.QUARTER_VCPU,
            memory=apprunner.Memory.HALF_GB,
            instance_role=self.instance_role,
            access_role=self.access_role,
            auto_deployments_enabled=False,
            health_check=apprunner.HealthCheck.http(path="/healthz"),
        )
        self.url = Fn.join("", ["https://", self.service.service_url])


def dockerignore_patterns(path: Path) -> list[str]:
    """The patterns of a .dockerignore file, for CDK's asset staging (which reads only the context's own)."""
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]
