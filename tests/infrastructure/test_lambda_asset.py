"""The functions' asset: what the template runs, what the asset holds, and that it imports on Lambda's Python."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest

from infra import lambda_asset as builder
from infra.lambda_asset import LambdaAsset
from storyteller import names
from storyteller.local.lambdas import HANDLER_MODULES
from tests.infrastructure.conftest import Synthesized

pytestmark = pytest.mark.infra

# Each function, and the provider factory its work goes through (None: no provider).
FUNCTIONS = {
    names.CREATE_STORY_FUNCTION: ("create_story", "story_writer"),
    names.GENERATE_IMAGE_FUNCTION: ("generate_image", "illustrator"),
    names.GENERATE_AUDIO_FUNCTION: ("generate_audio", "narrator"),
    names.STORY_CREATED_FUNCTION: ("story_created", None),
    names.RUN_STATUS_FUNCTION: ("run_status", None),
    names.FAMILY_SYNC_FUNCTION: ("family_sync", None),
    names.HOUSEHOLDS_SETUP_FUNCTION: ("households_setup", None),
}
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  # Lambda allows 250 MB with layers; far less means no heavy wheel slipped in


def _functions(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {
        resource["Properties"]["FunctionName"]: resource["Properties"]
        for resource in synthesized.resources("AWS::Lambda::Function").values()
        if resource["Properties"].get("FunctionName") in FUNCTIONS
    }


def test_every_function_runs_its_handler_on_python_3_13_with_the_powertools_layer(synthesized: Synthesized) -> None:
    functions = _functions(synthesized)
    assert set(functions) == set(FUNCTIONS)
    layer = (
        f":{builder.POWERTOOLS_LAYER_ACCOUNT}:layer:AWSLambdaPowertoolsPythonV3-python313-"
        f"{builder.ARCHITECTURE}:{builder.POWERTOOLS_LAYER_VERSION}"
    )
    for name, properties in functions.items():
        package, _ = FUNCTIONS[name]
        assert properties["Handler"] == f"functions.{package}.handler.handler"
        assert properties["Runtime"] == "python3.13"
        assert properties["Architectures"] == [builder.ARCHITECTURE]
        assert properties["TracingConfig"] == {"Mode": "Active"}
        [layer_arn] = properties["Layers"]
        assert layer in json.dumps(layer_arn), layer_arn


def test_the_template_ships_the_asset_this_build_made(synthesized: Synthesized, lambda_asset: LambdaAsset) -> None:
    manifest = json.loads(next(synthesized.outdir.glob("*.assets.json")).read_text())
    staged = [
        synthesized.outdir / entry["source"]["path"]
        for entry in manifest["files"].values()
        if (synthesized.outdir / entry["source"]["path"] / "functions").is_dir()
    ]
    assert len(staged) == 1, "all four functions share one code asset"
    assert (staged[0] / ".complete").read_text().strip() == lambda_asset.fingerprint


def test_worker_functions_get_the_settings_they_read(synthesized: Synthesized, cdk_context: dict[str, Any]) -> None:
    functions = _functions(synthesized)
    for name in (names.CREATE_STORY_FUNCTION, names.GENERATE_IMAGE_FUNCTION, names.GENERATE_AUDIO_FUNCTION):
        variables = functions[name]["Environment"]["Variables"]
        assert {
            "STORYTELLER_STORIES_TABLE",
            "STORYTELLER_CHARACTERS_TABLE",
            "STORYTELLER_SCENES_TABLE",
            "STORYTELLER_MEDIA_BUCKET",
            "STORYTELLER_BASE_URL",
        } <= set(variables)
        assert variables["STORYTELLER_PROVIDERS"] == "cloud"
        assert variables["STORYTELLER_OPENAI_SECRET_NAME"] == cdk_context["openaiSecretName"]
        assert variables["STORYTELLER_TEXT_MODEL"] == cdk_context["textModel"]
        assert variables["STORYTELLER_IMAGE_MODEL"] == cdk_context["imageModel"]
        assert variables["STORYTELLER_VOICE"] == cdk_context["voice"]
        assert not any("KEY" in variable and "SECRET" not in variable for variable in variables), variables


def test_asset_holds_our_packages_and_the_cloud_wheels_only(lambda_asset: LambdaAsset) -> None:
    top_level = {entry.name for entry in lambda_asset.path.iterdir()}
    assert {"storyteller", "functions", "pydantic", "pydantic_core", "dotenv", "openai", "pronouncing"} <= (top_level)
    # The web function's app: our pages, FastAPI and Mangum (tests/infrastructure/test_web_contract.py runs it).
    assert {"frontend", "fastapi", "starlette", "jinja2", "mangum", "itsdangerous", "python_multipart"} <= top_level
    assert not (lambda_asset.path / "graphviz").exists(), "the console's graph is drawn without Graphviz"
    assert not top_level & set(builder.FORBIDDEN_DISTRIBUTIONS), top_level & set(builder.FORBIDDEN_DISTRIBUTIONS)
    for excluded in builder.EXCLUDED_SOURCES:
        assert not (lambda_asset.path / excluded).exists(), excluded
    size = builder.directory_size(lambda_asset.path)
    assert size < MAX_UNZIPPED_BYTES, f"asset is {size / 1e6:.1f} MB unzipped"


def _python_3_13() -> str:
    found = builder.lambda_python()
    if found is None:
        pytest.fail(
            "The Lambda asset import test needs CPython 3.13 (the functions' runtime, whose compiled wheels the "
            "asset holds); none found as python3.13 or at ~/.pyenv/versions/3.13.*. Install it: pyenv install 3.13"
        )
    return found


HANDLER_MODULES_BY_PACKAGE = {module.split(".")[1] for module in HANDLER_MODULES.values()}


def test_the_asset_ships_bytecode_for_the_runtime(lambda_asset: LambdaAsset) -> None:
    handlers = {path.parent.name for path in lambda_asset.path.glob("functions/*/handler.py")}
    compiled = {
        path.parents[1].name for path in lambda_asset.path.glob("functions/*/__pycache__/handler.cpython-313.pyc")
    }
    # The web function is AWS-only: locally `storyteller up` serves the same app with uvicorn.
    assert handlers == compiled == set(HANDLER_MODULES_BY_PACKAGE) | {"web"}


# Runs in a clean interpreter: -I (no environment, no user site), -S (no site-packages at all), -B (writes
# no bytecode into the asset).
_IMPORT_CHECK = textwrap.dedent(
    """
    import gc, importlib, json, pkgutil, sys
    asset, runtime, package, factory = json.loads(sys.argv[1])
    sys.path[:0] = [asset, runtime]
    importlib.import_module(f"functions.{package}.handler")
    collector = {"enabled": gc.isenabled(), "frozen": gc.get_freeze_count() > 0}
    from storyteller import observability
    print(json.dumps({"xray": "aws_xray_sdk" in sys.modules, "tracer": type(observability.tracer).__name__}))
    print(json.dumps(collector))
    import storyteller
    modules = [m.name for m in pkgutil.walk_packages(storyteller.__path__, "storyteller.")]
    for name in modules:
        importlib.import_module(name)
    for name in ("storyteller", "functions", "pydantic", "openai"):
        origin = sys.modules[name].__file__
        assert origin.startswith(asset), f"{name} came from {origin}, not the asset"
    if factory:
        from storyteller.providers import factory as providers
        from storyteller.settings import get_settings
        made = getattr(providers, factory)(get_settings())
        print(type(made).__module__)
    """
)


@pytest.mark.parametrize("function_name", sorted(FUNCTIONS))
def test_handler_imports_in_a_clean_python_3_13_with_only_the_asset_and_the_runtime(
    function_name: str, synthesized: Synthesized, lambda_asset: LambdaAsset
) -> None:
    """Catches a missing or wrong-platform wheel before Lambda does, with the function's own environment."""
    package, factory = FUNCTIONS[function_name]
    variables = _functions(synthesized)[function_name].get("Environment", {}).get("Variables", {})
    environment = {
        # Token values (table names, URLs) become placeholders; literal settings are tested as deployed.
        **{key: value if isinstance(value, str) else f"placeholder-{key.lower()}" for key, value in variables.items()},
        "AWS_REGION": "eu-west-2",
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "LAMBDA_TASK_ROOT": str(lambda_asset.path),
        # Lambda's own credentials, as placeholders: building clients needs them, and nothing here calls AWS.
        "AWS_ACCESS_KEY_ID": "placeholder",
        "AWS_SECRET_ACCESS_KEY": "placeholder",
        "AWS_EC2_METADATA_DISABLED": "true",
        # So the OpenAI providers can be built without fetching the secret (the function reads it by name).
        "OPENAI_API_KEY": "placeholder-not-a-key",
        "POWERTOOLS_METRICS_NAMESPACE": names.METRICS_NAMESPACE,
    }
    done = _import_handler(environment, lambda_asset, package, factory)
    # As deployed by default: Lambda's active tracing, and no X-Ray SDK imported (~30 ms a cold start).
    assert variables["POWERTOOLS_TRACE_DISABLED"] == "true"
    assert json.loads(done.stdout.splitlines()[0]) == {"xray": False, "tracer": "Untraced"}
    # functions/__init__.py: collection paused while the handler imported, then on again, the imports frozen.
    assert json.loads(done.stdout.splitlines()[1]) == {"enabled": True, "frozen": True}
    # No pydantic plugin is looked for at the first model build.
    assert variables["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
    if factory:
        assert "offline" not in done.stdout, f"{function_name} would use an offline provider: {done.stdout}"


def test_detailed_tracing_brings_powertools_tracer_and_the_xray_sdk(lambda_asset: LambdaAsset) -> None:
    environment = {
        "AWS_REGION": "eu-west-2",
        "AWS_LAMBDA_FUNCTION_NAME": "generate_image",
        "LAMBDA_TASK_ROOT": str(lambda_asset.path),
        "POWERTOOLS_TRACE_DISABLED": "false",  # what -c detailedTracing=true deploys
    }
    done = _import_handler(environment, lambda_asset, "generate_image", None)
    assert json.loads(done.stdout.splitlines()[0]) == {"xray": True, "tracer": "Tracer"}


def _import_handler(
    environment: dict[str, str], lambda_asset: LambdaAsset, package: str, factory: str | None
) -> subprocess.CompletedProcess[str]:
    python = _python_3_13()
    runtime = builder.build_runtime_stand_in()
    arguments = json.dumps([str(lambda_asset.path), str(runtime), package, factory])
    done = subprocess.run(
        [python, "-I", "-S", "-B", "-c", _IMPORT_CHECK, arguments],
        capture_output=True,
        text=True,
        env=environment,
        cwd=Path(lambda_asset.path).parent,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{package} does not import on {python}:\n{done.stderr[-3000:]}"
    return done
