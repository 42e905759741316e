"""The family's pages on Lambda: the FastAPI app behind a Function URL, with CloudFront as the one front door.

No container and no Docker: the web function runs from the same code asset as the workers
(infra/lambda_asset.py). CloudFront cannot sign a browser's form POST for a Function URL with origin
access control (it needs a payload hash browsers do not send), so the URL is public (auth NONE) and
CloudFront adds a secret header the function checks (frontend/front_door.py): a request that did not
come through CloudFront is refused.
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Fn, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from frontend import front_door
from infra.config import DeployConfig
from infra.functions import FunctionKit, StoryFunction
from infra.nag import acknowledge, resource_finding
from infra.secrets import generated_key
from infra.storage import Storage
from storyteller import names

# What CloudFront's viewer-request function sets on every page request, overwriting whatever the viewer
# sent: the address the viewer typed (for the app's same-origin checks; the Function URL needs its own
# Host) and the viewer's IP (for the console's login throttle). The origin secret makes them trustworthy.
VIEWER_REQUEST_CODE = f"""function handler(event) {{
  var request = event.request;
  request.headers['{front_door.FORWARDED_HOST}'] = {{value: request.headers.host.value}};
  request.headers['{front_door.VIEWER_ADDRESS}'] = {{value: event.viewer.ip}};
  return request;
}}"""


class Frontend(Construct):
    """Story pages and the run console: read stories, presign media, read and redrive executions."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        kit: FunctionKit,
        storage: Storage,
        config: DeployConfig,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        # The ARN from the fixed name, not the state machine's token: the workflow takes this front door's
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
        acknowledge(
            self.console_password,
            "AwsSolutions-SMG4",
            "One operator password for a family's console: rotating it would need a rotation Lambda and a "
            "way to tell the family; docs/deploy.md shows how to change it by hand.",
        )
        # Signs console session cookies: one key for every instance and cold start, so a login outlives both.
        self.session_secret = generated_key(
            self,
            "SessionSecret",
            description="storyteller: key that signs the run console's session cookies",
            not_rotated_because="Rotating the cookie-signing key would only log operators out; docs/deploy.md shows "
            "how to renew it.",
        )
        # CloudFront's proof of origin: it sends this value in a header, the function refuses requests without it.
        self.origin_secret = generated_key(
            self,
            "OriginSecret",
            description="storyteller: header value CloudFront sends so the web function knows the request is its",
            not_rotated_because="CloudFront reads the value at deploy; rotating it needs a redeploy, which "
            "docs/deploy.md describes.",
        )

        self.web = StoryFunction(
            self,
            "Web",
            kit=kit,
            package="web",
            function_name=names.WEB_FUNCTION,
            description="The story pages, the family's shelf and the run console (FastAPI through Mangum)",
            # More memory is more CPU: the cold start (imports, first render) is what a reader waits for.
            memory_mb=1024,
            timeout=Duration.seconds(29),
            environment={
                "STORYTELLER_STORIES_TABLE": storage.stories.table_name,
                "STORYTELLER_FAMILIES_TABLE": storage.families.table_name,
                "STORYTELLER_FIRINGS_TABLE": storage.firings.table_name,  # nights that failed before a run
                "STORYTELLER_CHARACTERS_TABLE": storage.characters.table_name,
                "STORYTELLER_SCENES_TABLE": storage.scenes.table_name,
                "STORYTELLER_MEDIA_BUCKET": storage.media.bucket_name,
                "STORYTELLER_STATE_MACHINE_ARN": state_machine_arn,
                "STORYTELLER_CONSOLE_PASSWORD_SECRET_NAME": self.console_password.secret_arn,
                "STORYTELLER_SESSION_SECRET_NAME": self.session_secret.secret_arn,
                "STORYTELLER_ORIGIN_SECRET_NAME": self.origin_secret.secret_arn,
                "STORYTELLER_CLIENT_ADDRESS_HEADER": front_door.VIEWER_ADDRESS,
                # The console's dates; a family's own pages use the family's zone.
                "STORYTELLER_SCHEDULE_TIME_ZONE": config.schedule_time_zone,
                "STORYTELLER_PUBLIC_SHELF": "true" if config.public_shelf else "false",
            },
        )
        web = self.web
        web.allow(["dynamodb:GetItem"], [storage.stories.table_arn])
        # A family's shelf (its stories by the family index) and its manage page (the family, its cast and scenes).
        web.allow(["dynamodb:Query"], [storage.stories_by_family_arn()])
        web.allow(["dynamodb:GetItem", "dynamodb:UpdateItem"], [storage.families.table_arn])
        # The console's nights page: the nights that failed before a run (storyteller/dal/night_failures.py).
        web.allow(["dynamodb:Scan"], [storage.firings.table_arn])
        web.allow(
            ["dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem"],
            [storage.characters.table_arn, storage.scenes.table_arn],
        )
        # Presigned URLs carry this role's permission: GET of story media, nothing else.
        web.allow(["s3:GetObject"], [storage.media.arn_for_objects("stories/*")])
        web.allow(["states:DescribeStateMachine", "states:ListExecutions"], [state_machine_arn])
        web.allow(
            [
                "states:DescribeExecution",
                "states:DescribeStateMachineForExecution",
                "states:GetExecutionHistory",
                "states:RedriveExecution",
            ],
            [executions_arn],
        )
        web.allow(
            ["secretsmanager:GetSecretValue"],
            [self.console_password.secret_arn, self.session_secret.secret_arn, self.origin_secret.secret_arn],
        )
        acknowledge(
            web.role,
            resource_finding("AwsSolutions-IAM5", storage.media, "Arn", "/stories/*"),
            "Presigning needs GetObject on every story's media; objects are keyed by story id and the "
            "wildcard is limited to the stories/ prefix of our own bucket.",
        )
        acknowledge(
            web.role,
            "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:"
            f"execution:{names.STATE_MACHINE}:*]",
            "Execution ARNs are made per run; the console reads and redrives only this state machine's runs.",
        )

        # Public on purpose (see the module docstring); the function answers 403 without CloudFront's header.
        self.function_url = web.function.add_function_url(auth_type=lambda_.FunctionUrlAuthType.NONE)
        origin = origins.FunctionUrlOrigin(
            self.function_url,
            custom_headers={front_door.ORIGIN_HEADER: self.origin_secret.secret_value.unsafe_unwrap()},
            read_timeout=Duration.seconds(30),
        )
        viewer_request = cloudfront.Function(
            self,
            "ViewerRequest",
            code=cloudfront.FunctionCode.from_inline(VIEWER_REQUEST_CODE),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="storyteller: pass the viewer's host and address to the web function",
        )
        certificate = (
            acm.Certificate.from_certificate_arn(self, "Certificate", config.web_certificate_arn)
            if config.web_certificate_arn
            else None
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="storyteller: the story pages and the run console",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origin,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                # Pages are per reader (cookies, capability links) and the app caches its own renders.
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                # Everything but Host: a Function URL answers only to its own host name.
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=viewer_request, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors={
                "/static/*": cloudfront.BehaviorOptions(
                    origin=origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                ),
            },
            domain_names=[config.web_domain] if config.web_domain else None,
            certificate=certificate,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 if certificate else None,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR1",
            "A family's bedtime story is read wherever the family travels; no country is refused.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR2",
            "A WAF web ACL costs ~$5 a month fixed, more than the whole service; the console's login is "
            "throttled per viewer address and every page is a cheap read.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR3",
            "Access logs would need a bucket of their own and keep readers' addresses; the function's own logs "
            "record each request it serves.",
        )
        acknowledge(
            self.distribution,
            "AwsSolutions-CFR4",
            "The default cloudfront.net certificate decides the TLS floor; with webDomain and webCertificateArn "
            "the distribution requires TLS 1.2 (2021 policy).",
        )
        # The address in every email (the mailer's STORYTELLER_BASE_URL): the custom domain, or CloudFront's own.
        self.url = (
            f"https://{config.web_domain}"
            if config.web_domain
            else Fn.join("", ["https://", self.distribution.distribution_domain_name])
        )
