"""functions/__init__.py: in Lambda, collection pauses while a handler module imports and comes back after."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_REPORT = """
import gc, json, os, sys
if os.environ.get("CALLER_DISABLED_GC"):
    gc.disable()
import functions.run_status.handler
print(json.dumps({"enabled": gc.isenabled(), "frozen": gc.get_freeze_count() > 0}))
"""


def _collector_after_import(**environment: str) -> dict[str, bool]:
    done = subprocess.run(
        [sys.executable, "-c", _REPORT],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "AWS_REGION": "eu-west-2", **environment},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, bool] = json.loads(done.stdout.splitlines()[-1])
    return report


def test_in_lambda_the_imports_are_frozen_and_collection_is_back_on() -> None:
    assert _collector_after_import(LAMBDA_TASK_ROOT=str(REPO)) == {"enabled": True, "frozen": True}


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({}, {"enabled": True, "frozen": False}),  # a local process: tests, `storyteller up`
        ({"LAMBDA_TASK_ROOT": str(REPO), "CALLER_DISABLED_GC": "1"}, {"enabled": False, "frozen": False}),
    ],
    ids=["outside-lambda", "collection-already-off"],
)
def test_a_collector_not_paused_here_is_left_as_it_was(environment: dict[str, str], expected: dict[str, bool]) -> None:
    assert _collector_after_import(**environment) == expected
