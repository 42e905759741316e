"""Every test gets its own STORYTELLER_HOME, no real AWS or OpenAI settings and fresh clients."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from storyteller.dal.aws import reset_clients
from storyteller.providers.openai_client import reset_openai_clients
from storyteller.settings import Settings, get_settings

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
