"""The story pages: an App Runner service from frontend/Dockerfile, staged at synth, with a narrow role."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from storyteller import names
from tests.infrastructure.conftest import REPO_ROOT, Synthesized

pytestmark = pytest.mark.infra

DOCKERFILE = REPO_ROOT / "frontend" / "Dockerfile"


def _service(synthesized: Synthesized) -> dict[str, Any]:
    _, service = synthesized.one("AWS::AppRunner::Service")
    properties: dict[str, Any] = service["Properties"]
    return properties


def test_service_serves_port_8080_and_checks_healthz(synthesized: Synthesized) -> None:
    properties = _service(synthesized)
    image = properties["SourceConfiguration"]["ImageRepository"]
    assert image["ImageRepositoryType"] == "ECR"
    assert image["ImageConfiguration"]["Port"] == "8080"
    assert properties["HealthCheckConfiguration"]["Path"] == "/healthz"
    assert properties["HealthCheckConfiguration"]["Protocol"] == "HTTP"


def test_service_knows_its_table_bucket_state_machine_and_console_secret(synthesized: Synthesized) -> None:
    variables = {
        entry["Name"]: entry["Value"]
        for entry in _service(synthesized)["SourceConfiguration"]["ImageRepository"]["ImageConfiguration"][
            "RuntimeEnvironmentVariables"
        ]
    }
    storage, frontend = synthesized.stack.storage, synthesized.stack.frontend
    assert variables["STORYTELLER_STORIES_TABLE"] == {"Ref": synthesized.logical_id(storage.stories)}
    assert variables["STORYTELLER_MEDIA_BUCKET"] == {"Ref": synthesized.logical_id(storage.media)}
    assert names.STATE_MACHINE in json.dumps(variables["STORYTELLER_STATE_MACHINE_ARN"])
    assert variables["STORYTELLER_CONSOLE_PASSWORD_SECRET_NAME"] == {
        "Ref": synthesized.logical_id(frontend.console_password)
    }


def test_instance_role_reads_stories_and_families_presigns_media_and_redrives_runs(synthesized: Synthesized) -> None:
    frontend = synthesized.stack.frontend
    role_ref = {"Ref": synthesized.logical_id(frontend.instance_role)}
    actions = {
        action
        for policy in synthesized.resources("AWS::IAM::Policy").values()
        if role_ref in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for action in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    }
    assert actions == {
        "dynamodb:GetItem",
        "dynamodb:Query",  # a family's shelf (the Stories index), its cast and scenes
        "dynamodb:UpdateItem",  # the manage page: recipients, bedtime, age
        "dynamodb:PutItem",  # … a character or scene added
        "dynamodb:DeleteItem",  # … or removed
        "s3:GetObject",
        "states:DescribeStateMachine",
        "states:ListExecutions",
        "states:DescribeExecution",
        "states:DescribeStateMachineForExecution",
        "states:GetExecutionHistory",
        "states:RedriveExecution",
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
    }


def test_url_is_an_output_and_the_emails_base(synthesized: Synthesized) -> None:
    outputs = synthesized.json["Outputs"]
    service_url = {"Fn::GetAtt": [synthesized.logical_id(synthesized.stack.frontend.service), "ServiceUrl"]}
    assert outputs["Url"]["Value"] == {"Fn::Join": ["", ["https://", service_url]]}


def test_image_context_is_staged_at_synth_with_only_what_the_dockerfile_copies(synthesized: Synthesized) -> None:
    manifest = json.loads(next(synthesized.outdir.glob("*.assets.json")).read_text())
    [image] = manifest["dockerImages"].values()
    assert image["source"]["dockerFile"] == "frontend/Dockerfile"
    assert image["source"]["platform"] == "linux/amd64"
    context = synthesized.outdir / image["source"]["directory"]
    staged = {path.relative_to(context).parts[0] for path in context.rglob("*")}
    assert staged == {"pyproject.toml", "README.md", "storyteller", "frontend"}
    assert (context / "frontend" / "Dockerfile").is_file(), "docker build needs the Dockerfile in the context"
    assert not list(context.rglob("__pycache__"))


def test_dockerfile_runs_the_app_factory_as_a_non_root_user_with_a_health_check() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    stages = re.findall(r"^FROM (\S+)", text, flags=re.MULTILINE)
    assert stages
    assert all(image.startswith("python:3.13-slim") for image in stages)
    final = text.rsplit("\nFROM ", 1)[-1]
    user = re.findall(r"^USER (\S+)", final, flags=re.MULTILINE)
    assert user
    assert user[-1] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", final, flags=re.MULTILINE)
    assert '".[web]"' in text
    cmd = json.loads(re.findall(r"^CMD (\[.*\])$", final, flags=re.MULTILINE)[-1])
    assert cmd == ["uvicorn", "frontend.app:create_app", "--factory", "--host", "0.0.0.0", "--port", "8080"]


def test_dockerfile_copies_only_what_the_dockerignore_lets_through() -> None:
    copied = {Path(source).parts[0] for source in re.findall(r"^COPY (?!--from)(\S+)", DOCKERFILE.read_text(), re.M)}
    copied |= set(re.findall(r"^COPY (\S+) (\S+) \./$", DOCKERFILE.read_text(), re.M)[0])
    allowed = {
        line[1:] for line in (REPO_ROOT / "frontend" / ".dockerignore").read_text().splitlines() if line.startswith("!")
    }
    assert copied <= allowed, copied - allowed


def _requirement_closure(root: str) -> set[str]:
    """Distributions `pip install <root>` brings on Linux/CPython 3.13, from the installed metadata."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    wanted, seen = [Requirement(root)], set()
    while wanted:
        requirement = wanted.pop()
        for extra in {""} | requirement.extras:
            key = (canonicalize_name(requirement.name), extra)
            if key in seen:
                continue
            seen.add(key)
            for line in metadata.requires(requirement.name) or []:
                dependency = Requirement(line)
                environment = {"python_version": "3.13", "sys_platform": "linux", "extra": extra}
                if dependency.marker is None or dependency.marker.evaluate(environment):
                    wanted.append(dependency)
    return {name for name, _ in seen}


def test_the_image_installs_every_package_the_web_app_imports() -> None:
    """`pip install .[web]` is all the image gets: an import served here by a dev or test package would fail there."""
    import ast
    import sys
    from importlib import metadata

    from packaging.utils import canonicalize_name

    sources = [path.read_text(encoding="utf-8") for path in (REPO_ROOT / "frontend").rglob("*.py")]
    imported: set[str] = set()
    for source in sources:
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    # Needed without our code importing them: the image's CMD, and Starlette's form parser (python-multipart).
    imported |= {"uvicorn"} | ({"multipart"} if any("request.form()" in source for source in sources) else set())
    third_party = imported - set(sys.stdlib_module_names) - {"frontend", "storyteller", "__future__"}
    installed = _requirement_closure("storyteller[web]")
    providers = metadata.packages_distributions()
    missing = sorted(
        dist
        for module in third_party
        for dist in [providers.get(module, [module])[0]]
        if canonicalize_name(dist) not in installed
    )
    assert missing == [], f"add {missing} to the `web` extra in pyproject.toml: the image installs only .[web]"
