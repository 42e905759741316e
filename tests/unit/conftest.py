"""Fixtures shared by the unit tests."""

import os
import shutil

import pytest

from tests.fakes.openai_server import fake_openai  # noqa: F401 - a fixture, offered to these tests


@pytest.fixture
def graphviz_dot() -> None:
    """Graphviz's `dot`, which the console's graph needs: a skip on a developer's machine, a failure in CI."""
    if shutil.which("dot") is None:
        message = "Graphviz's dot is missing: run `bash scripts/system-deps.sh` (apt-get install graphviz)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
