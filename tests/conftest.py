"""Every test gets its own STORYTELLER_HOME, no real AWS or OpenAI settings and fresh clients."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyteller.dal.aws import reset_clients
from storyteller.providers.openai_client import reset_openai_clients
from storyteller.settings import Settings, get_settings
from tests.figures import FIGURES, WORKER_OUTPUT_KEY

_LEAKY = ("AWS_", "STORYTELLER_", "OPENAI_", "POWERTOOLS_", "MOTO_")


def isolate(patch: pytest.MonkeyPatch, home: Path) -> None:
    """No setting from the developer's shell or .env reaches the code under test; its home is `home`."""
    for name in list(os.environ):
        if name.startswith(_LEAKY):
            patch.delenv(name)
    patch.setenv("STORYTELLER_HOME", str(home))
    patch.chdir(home.parent)  # so a developer's ./.env is not read
    fresh_clients()


def fresh_clients() -> None:
    """Settings and clients are cached per process; a test's environment must be read anew."""
    get_settings.cache_clear()
    reset_clients()
    reset_openai_clients()  # a client (and an API key read from Secrets Manager) is made per settings


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Each test its own home and environment."""
    home = tmp_path / "home"
    isolate(monkeypatch, home)
    yield home
    fresh_clients()


@pytest.fixture
def settings() -> Settings:
    return get_settings()


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`-n N` shares the suite out file by file, slowest folders first (tests/scheduling.py)."""
    if config.getoption("dist") != "load":
        return None  # another --dist asked for by name: xdist's own
    from tests.scheduling import FileScheduling

    return FileScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker, the order files are handed out in: slowest folders first."""
    if hasattr(config, "workerinput"):
        from tests.scheduling import rank

        items.sort(key=lambda item: rank(item.nodeid))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An xdist worker hands its figures to the controller, which prints them."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output[WORKER_OUTPUT_KEY] = dict(FIGURES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    FIGURES.update(getattr(node, "workeroutput", {}).get(WORKER_OUTPUT_KEY, {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("reliability figures")
        for name, line in FIGURES.items():
            terminalreporter.write_line(f"{name}: {line}")
