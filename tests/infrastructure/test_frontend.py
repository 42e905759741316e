"""The story pages: a Lambda function behind a Function URL and CloudFront, with a narrow role and no Docker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from frontend import front_door
from infra.config import DeployConfig, DeployConfigError
from storyteller import names
from tests.infrastructure.conftest import REPO_ROOT, Synthesized

pytestmark = pytest.mark.infra


def _web_function(synthesized: Synthesized) -> dict[str, Any]:
    [properties] = [
        resource["Properties"]
        for resource in synthesized.resources("AWS::Lambda::Function").values()
        if resource["Properties"].get("FunctionName") == names.WEB_FUNCTION
    ]
    return properties


def test_no_app_runner_and_no_container_image_anywhere(synthesized: Synthesized) -> None:
    types = {resource["Type"] for resource in synthesized.json["Resources"].values()}
    assert not {kind for kind in types if kind.startswith(("AWS::AppRunner::", "AWS::ECR::", "AWS::ECS::"))}
    manifest = json.loads(next(synthesized.outdir.glob("*.assets.json")).read_text())
    assert manifest.get("dockerImages", {}) == {}, "an image asset would need Docker at deploy"
    assert not (REPO_ROOT / "frontend" / "Dockerfile").exists()


def test_the_pages_are_a_python_function_from_the_shared_asset(synthesized: Synthesized) -> None:
    properties = _web_function(synthesized)
    assert properties["Handler"] == "functions.web.handler.handler"
    assert properties["Runtime"] == "python3.13"
    variables = properties["Environment"]["Variables"]
    storage, frontend = synthesized.stack.storage, synthesized.stack.frontend
    assert variables["STORYTELLER_STORIES_TABLE"] == {"Ref": synthesized.logical_id(storage.stories)}
    assert variables["STORYTELLER_MEDIA_BUCKET"] == {"Ref": synthesized.logical_id(storage.media)}
    assert names.STATE_MACHINE in json.dumps(variables["STORYTELLER_STATE_MACHINE_ARN"])
    for variable, secret in (
        ("STORYTELLER_CONSOLE_PASSWORD_SECRET_NAME", frontend.console_password),
        ("STORYTELLER_SESSION_SECRET_NAME", frontend.session_secret),
        ("STORYTELLER_ORIGIN_SECRET_NAME", frontend.origin_secret),
    ):
        assert variables[variable] == {"Ref": synthesized.logical_id(secret)}
    # Engineer 30's login throttle reads the viewer's address from the header CloudFront's function sets.
    assert variables["STORYTELLER_CLIENT_ADDRESS_HEADER"] == front_door.VIEWER_ADDRESS


def test_the_web_role_reads_stories_and_families_presigns_media_and_redrives_runs(synthesized: Synthesized) -> None:
    role_ref = {"Ref": synthesized.logical_id(synthesized.stack.frontend.web.role)}
    actions = {
        action
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if role_ref in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for action in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    }
    assert actions == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "dynamodb:GetItem",
        "dynamodb:Query",  # a family's shelf (the Stories index), its cast and scenes
        "dynamodb:UpdateItem",  # the manage page: recipients, bedtime, age
        "dynamodb:PutItem",  # … a character or scene added
        "dynamodb:DeleteItem",  # … or removed
        "dynamodb:Scan",  # the nights page: nights that failed before a run (ScheduleFirings)
        "s3:GetObject",
        "states:DescribeStateMachine",
        "states:ListExecutions",
        "states:DescribeExecution",
        "states:DescribeStateMachineForExecution",
        "states:GetExecutionHistory",
        "states:RedriveExecution",
        "secretsmanager:GetSecretValue",
    }


def test_the_function_url_is_public_and_cloudfront_proves_itself_with_the_origin_secret(
    synthesized: Synthesized,
) -> None:
    _, url = synthesized.one("AWS::Lambda::Url")
    # Origin access control would need a payload hash on every POST, which a browser's form never sends.
    assert url["Properties"]["AuthType"] == "NONE"
    _, distribution = synthesized.one("AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    [origin] = config["Origins"]
    [header] = origin["OriginCustomHeaders"]
    assert header["HeaderName"] == front_door.ORIGIN_HEADER
    secret_id = synthesized.logical_id(synthesized.stack.frontend.origin_secret)
    assert "{{resolve:secretsmanager:" in json.dumps(header["HeaderValue"])
    assert secret_id in json.dumps(header["HeaderValue"])
    assert "OriginAccessControlId" not in origin


def test_pages_pass_cookies_and_forms_uncached_and_static_files_are_cached(synthesized: Synthesized) -> None:
    _, distribution = synthesized.one("AWS::CloudFront::Distribution")
    config = distribution["Properties"]["DistributionConfig"]
    pages = config["DefaultCacheBehavior"]
    assert set(pages["AllowedMethods"]) >= {"GET", "HEAD", "POST"}
    assert pages["ViewerProtocolPolicy"] == "redirect-to-https"
    assert pages["CachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    assert pages["OriginRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AllViewerExceptHostHeader
    [association] = pages["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    [static] = config["CacheBehaviors"]
    assert static["PathPattern"] == "/static/*"
    assert static["CachePolicyId"] == "658327ea-f89d-4fab-a63d-7e88639e58f6"  # Managed-CachingOptimized


def test_the_viewer_request_function_overwrites_the_host_and_address_headers_the_app_trusts(
    synthesized: Synthesized,
) -> None:
    """Run CloudFront's function in Node (CloudFront Functions are JavaScript) on a request with forged headers."""
    _, function = synthesized.one("AWS::CloudFront::Function")
    code = function["Properties"]["FunctionCode"]
    script = code + textwrap.dedent(
        f"""
        var out = handler({{viewer: {{ip: "198.51.100.7"}}, request: {{headers: {{
          host: {{value: "stories.example.org"}},
          "{front_door.FORWARDED_HOST}": {{value: "evil.example"}},
          "{front_door.VIEWER_ADDRESS}": {{value: "10.0.0.1"}}
        }}}}}});
        console.log(JSON.stringify(out.headers));
        """
    )
    done = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True, timeout=60)
    headers = json.loads(done.stdout)
    assert headers[front_door.FORWARDED_HOST] == {"value": "stories.example.org"}
    assert headers[front_door.VIEWER_ADDRESS] == {"value": "198.51.100.7"}


def test_the_emails_and_the_asl_link_to_cloudfront(synthesized: Synthesized) -> None:
    distribution_id = synthesized.logical_id(synthesized.stack.frontend.distribution)
    expected = {"Fn::Join": ["", ["https://", {"Fn::GetAtt": [distribution_id, "DomainName"]}]]}
    assert synthesized.json["Outputs"]["Url"]["Value"] == expected
    for properties in synthesized.resources("AWS::Lambda::Function").values():
        variables = properties["Properties"].get("Environment", {}).get("Variables", {})
        if "STORYTELLER_BASE_URL" in variables:
            assert variables["STORYTELLER_BASE_URL"] == expected
    mailer = synthesized.json["Resources"][synthesized.logical_id(synthesized.stack.mail.mailer.function)]
    assert mailer["Properties"]["Environment"]["Variables"]["STORYTELLER_BASE_URL"] == expected  # the email's links


def test_a_custom_domain_needs_its_us_east_1_certificate() -> None:
    base = {
        "notify_email": "family@example.org",
        "mail_from": "stories@example.org",
        "schedule_expression": "15 19 * * *",
        "schedule_time_zone": "Europe/London",
        "openai_secret_name": "x",
        "text_model": "m",
        "image_model": "m",
        "voice": "Amy",
    }
    with pytest.raises(DeployConfigError, match="go together"):
        DeployConfig(**base, web_domain="stories.example.org").validate()
    with pytest.raises(DeployConfigError, match="us-east-1"):
        DeployConfig(
            **base,
            web_domain="stories.example.org",
            web_certificate_arn="arn:aws:acm:eu-west-2:123456789012:certificate/abc-123",
        ).validate()
    DeployConfig(
        **base,
        web_domain="stories.example.org",
        web_certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/abc-123",
    ).validate()


_SYNTH = textwrap.dedent(
    """
    import sys
    from infra.stack import build_app, cdk_json_context
    app, stack = build_app(context=cdk_json_context(), outdir=sys.argv[1])
    app.synth()
    print("synthesized")
    """
)


def test_synth_needs_no_docker(tmp_path: Path, lambda_asset: Any) -> None:
    """What `make synth` runs (app.py's build_app and synth), with a `docker` first on PATH that always fails."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    called = tmp_path / "docker-was-called"
    docker = fake_bin / "docker"
    docker.write_text(f'#!/bin/sh\ntouch "{called}"\necho "docker is not here" >&2\nexit 1\n')
    docker.chmod(0o755)
    environment = {**os.environ, "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}", "CDK_DOCKER": str(docker)}
    done = subprocess.run(
        [sys.executable, "-c", _SYNTH, str(tmp_path / "cdk.out")],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "synthesized" in done.stdout
    assert not called.exists(), "synth called docker"
    assert (tmp_path / "cdk.out" / "Storyteller.template.json").is_file()


def test_a_custom_domain_becomes_the_distributions_alias_and_every_link(
    cdk_context: dict[str, Any], tmp_path: Path
) -> None:
    from aws_cdk.assertions import Template

    from infra.stack import build_app

    certificate = "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789012"
    context = {**cdk_context, "webDomain": "Stories.Example.org", "webCertificateArn": certificate}
    _, stack = build_app(context=context, outdir=str(tmp_path / "cdk.out"))
    template = Template.from_stack(stack).to_json()

    [distribution] = [r for r in template["Resources"].values() if r["Type"] == "AWS::CloudFront::Distribution"]
    config = distribution["Properties"]["DistributionConfig"]
    assert config["Aliases"] == ["stories.example.org"]
    assert config["ViewerCertificate"]["AcmCertificateArn"] == certificate
    assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
    assert template["Outputs"]["Url"]["Value"] == "https://stories.example.org"
    [mailer] = [
        r
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("FunctionName") == names.MAILER_FUNCTION
    ]
    assert mailer["Properties"]["Environment"]["Variables"]["STORYTELLER_BASE_URL"] == "https://stories.example.org"
