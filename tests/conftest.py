"""Every test gets its own STORYTELLER_HOME and no real AWS settings; the local runtime is a fixture."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyteller.dal.aws import reset_clients
from storyteller.settings import Settings, get_settings
from tests.figures import FIGURES, WORKER_OUTPUT_KEY

_LEAKY = ("AWS_", "STORYTELLER_", "OPENAI_", "POWERTOOLS_", "MOTO_")


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """No setting from the developer's shell or .env reaches a test."""
    for name in list(os.environ):
        if name.startswith(_LEAKY):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    monkeypatch.setenv("STORYTELLER_HOME", str(home))
    monkeypatch.chdir(tmp_path)  # so a developer's ./.env is not read
    get_settings.cache_clear()
    reset_clients()
    yield home
    get_settings.cache_clear()
    reset_clients()


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
