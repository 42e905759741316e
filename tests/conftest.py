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
    reset_openai_clients()  # a client (and an API key read from Secrets Manager) is made per settings
    yield home
    get_settings.cache_clear()
    reset_clients()
    reset_openai_clients()


@pytest.fixture
def settings() -> Settings:
    return get_settings()
