"""One local stack per module behind a fault plan; Retry waits recorded instead of slept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storyteller.settings import get_settings
from tests.conftest import fresh_clients, isolate
from tests.fakes.openai_server import fake_openai  # noqa: F401 - a fixture, offered to these tests
from tests.reliability.drill import Drill, RetryWaits, no_retry_waits


@pytest.fixture(scope="module")
def module_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """tests/conftest.py's isolation, once for a module whose tests share one stack."""
    home = tmp_path_factory.mktemp("reliability") / "home"
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, home)
        yield home
    fresh_clients()


@pytest.fixture(autouse=True)
def isolated_env(module_env: Path) -> Path:
    """Overrides the per-test isolation: a module's tests share one stack, so they share its environment."""
    return module_env


@pytest.fixture(scope="module")
def retry_waits() -> Iterator[RetryWaits]:
    with no_retry_waits() as waits:
        yield waits


@pytest.fixture(scope="module")
def drill(module_env: Path, retry_waits: RetryWaits) -> Iterator[Drill]:
    """A started stack with quick providers, a seeded catalog and an empty fault plan."""
    running = Drill(get_settings()).start()
    yield running
    running.stop()


@pytest.fixture
def clean_plan(drill: Drill) -> Iterator[Drill]:
    """The module's stack with no faults scheduled before and after the test."""
    drill.plan.clear()
    yield drill
    drill.plan.clear()
    drill.settle()
