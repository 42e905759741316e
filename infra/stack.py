"""The one stack, and the app around it (shared by app.py and the infrastructure tests)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aws_cdk import Annotations, App, ArnFormat, CfnOutput, Stack, Tags, Validations
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from cdk_nag import AwsSolutionsChecks
from constructs import Construct

from infra import lambda_asset
from infra.config import DeployConfig
from infra.frontend import Frontend
from infra.functions import FunctionKit
from infra.households import Households
from infra.lambda_asset import LambdaAsset
from infra.mail import Mail
from infra.monitoring import Monitoring
from infra.pipeline import Pipeline
from infra.storage import Storage
from infra.workflow import Workflow
from storyteller import names

STACK_NAME = "Storyteller"
CDK_JSON = lambda_asset.REPO_ROOT / "cdk.json"


class StorytellerStack(Stack):
    """Tables and bucket, the nightly pipeline, the media workflow, the story pages and their alarms."""

    def __init__(
        self, scope: Construct, construct_id: str, *, config: DeployConfig, asset: LambdaAsset, **kwargs: Any
    ) -> None:
        super().__init__(
            scope, construct_id, description="storyteller: an illustrated, narrated bedtime story every night", **kwargs
        )
        self.storage = storage = Storage(self, "Storage")
        kit = FunctionKit.create(self, asset, detailed_tracing=config.detailed_tracing)
        self.frontend = frontend = Frontend(self, "Frontend", kit=kit, storage=storage, config=config)
        # Secrets Manager appends six random characters to a secret's name in its ARN.
        openai_secret_arn = self.format_arn(
            service="secretsmanager",
            resource="secret",
            resource_name=f"{config.openai_secret_name}-??????",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        # The settings every worker function reads (storyteller/settings.py, prefix STORYTELLER_).
        environment = {
            "STORYTELLER_STORIES_TABLE": storage.stories.table_name,
            "STORYTELLER_FAMILIES_TABLE": storage.families.table_name,
            "STORYTELLER_CHARACTERS_TABLE": storage.characters.table_name,
            "STORYTELLER_SCENES_TABLE": storage.scenes.table_name,
            "STORYTELLER_FIRINGS_TABLE": storage.firings.table_name,
            "STORYTELLER_MEMORY_TABLE": storage.memory.table_name,
            "STORYTELLER_MEDIA_BUCKET": storage.media.bucket_name,
            "STORYTELLER_BASE_URL": frontend.url,
            "STORYTELLER_PROVIDERS": "cloud",
            # The key itself stays in Secrets Manager; functions read it by name at cold start.
            "STORYTELLER_OPENAI_SECRET_NAME": config.openai_secret_name,
            "STORYTELLER_TEXT_MODEL": config.text_model,
            "STORYTELLER_IMAGE_MODEL": config.image_model,
            "STORYTELLER_VOICE": config.voice,
            "STORYTELLER_PROFILE": config.profile,
        }
        self.workflow = workflow = Workflow(
            self,
            "Workflow",
            kit=kit,
            storage=storage,
            environment=environment,
            openai_secret_arn=openai_secret_arn,
        )
        self.pipeline = pipeline = Pipeline(
            self,
            "Pipeline",
            kit=kit,
            storage=storage,
            environment=environment,
            openai_secret_arn=openai_secret_arn,
            state_machine=workflow.state_machine,
        )
        self.households = Households(
            self,
            "Households",
            kit=kit,
            storage=storage,
            config=config,
            environment=environment,
            topic=workflow.topic,
            create_story=pipeline.create_story.function,
            schedule_role=pipeline.schedule_role,
            schedule_dlq=pipeline.schedule_dlq,
            sync_dlq=pipeline.family_sync_dlq,
        )
        self.mail = mail = Mail(
            self,
            "Mail",
            kit=kit,
            storage=storage,
            config=config,
            environment=environment,
            topic=workflow.topic,
        )
        # The story pages verify the unsubscribe links the mailer signs, and list each story's emails.
        frontend.web.function.add_environment("STORYTELLER_UNSUBSCRIBE_SECRET_NAME", mail.unsubscribe_key.secret_arn)
        frontend.web.function.add_environment("STORYTELLER_DELIVERIES_TABLE", mail.deliveries.table_name)
        frontend.web.allow(["secretsmanager:GetSecretValue"], [mail.unsubscribe_key.secret_arn])
        frontend.web.allow(["dynamodb:Query"], [mail.deliveries.table_arn])
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            state_machine=workflow.state_machine,
            dead_letter_queues={
                **pipeline.dead_letter_queues,
                "RunOutcomeUndelivered": workflow.run_status_dlq,
                "StoryEmailUndelivered": mail.dead_letter_queue,
            },
            pipe=pipeline.pipe,
            alert_email=config.notify_email,
        )
        for alarm in mail.alarms:
            alarm.add_alarm_action(cloudwatch_actions.SnsAction(self.monitoring.alerts))
        if config.is_example_email:
            Annotations.of(self).add_warning_v2(
                "storyteller:exampleNotifyEmail",
                f"notifyEmail is {config.notify_email}: `make deploy` refuses it; pass -c notifyEmail=you@your.domain",
            )

        outputs = {
            "Url": (frontend.url, "The story pages (the email links here), through CloudFront"),
            "DistributionDomain": (frontend.distribution.distribution_domain_name, "Point webDomain's CNAME here"),
            "StoriesTable": (storage.stories.table_name, "STORYTELLER_STORIES_TABLE"),
            "FamiliesTable": (storage.families.table_name, "STORYTELLER_FAMILIES_TABLE"),
            "CharactersTable": (storage.characters.table_name, "STORYTELLER_CHARACTERS_TABLE"),
            "ScenesTable": (storage.scenes.table_name, "STORYTELLER_SCENES_TABLE"),
            "MediaBucket": (storage.media.bucket_name, "STORYTELLER_MEDIA_BUCKET"),
            "DeliveriesTable": (mail.deliveries.table_name, "STORYTELLER_DELIVERIES_TABLE"),
            "StateMachineArn": (workflow.state_machine.state_machine_arn, names.STATE_MACHINE),
            "CreateStoryFunction": (pipeline.create_story.function.function_name, "Invoke to make a story now"),
            "ConsolePasswordSecret": (frontend.console_password.secret_arn, "The /console password (JSON field)"),
        }
        for output_id, (value, description) in outputs.items():
            CfnOutput(self, output_id, value=value, description=description)


def cdk_json_context(path: Path = CDK_JSON) -> dict[str, Any]:
    """The context of cdk.json, as the CLI would pass it (for tests, which build the app in-process)."""
    context: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["context"]
    return context


def build_app(context: dict[str, Any] | None = None, outdir: str | None = None) -> tuple[App, StorytellerStack]:
    """The app with its stack and the cdk-nag checks; synth fails on any finding not acknowledged with a reason."""
    app = App(context=context, outdir=outdir) if context is not None else App(outdir=outdir)
    config = DeployConfig.from_context(app.node)
    # Environment-agnostic on purpose: synth needs no credentials; the deploying profile picks the region.
    stack = StorytellerStack(app, STACK_NAME, config=config, asset=lambda_asset.build())
    Tags.of(app).add("project", names.SERVICE)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack
