"""Tests run the Powertools that Lambda runs: the venv's version is the layer's."""

from __future__ import annotations

import tomllib
from importlib.metadata import version

from infra.lambda_asset import POWERTOOLS_VERSION, REPO_ROOT


def test_the_tests_import_the_layers_powertools() -> None:
    assert version("aws-lambda-powertools") == POWERTOOLS_VERSION


def test_pyproject_pins_the_layers_powertools() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = [d for d in project["dependencies"] if d.startswith("aws-lambda-powertools")]
    assert pins == [f"aws-lambda-powertools[tracer]=={POWERTOOLS_VERSION}"]
