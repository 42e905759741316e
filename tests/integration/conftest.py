"""A running local stack per test: moto endpoint, resources from the real ASL, pipe, bus, outbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storyteller.local.runtime import LocalRuntime
from storyteller.settings import get_settings
from tests.fakes.openai_server import fake_openai  # noqa: F401 - a fixture, offered to these tests


@pytest.fixture
def runtime() -> Iterator[LocalRuntime]:
    with LocalRuntime(get_settings()) as running:
        yield running
