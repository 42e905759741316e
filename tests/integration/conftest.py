"""A running local stack per test: moto endpoint, resources from the real ASL, pipe, bus, outbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storyteller.local.runtime import LocalRuntime
from storyteller.settings import get_settings
from tests.fakes.openai_server import fake_openai, openai_settings  # noqa: F401 - fixtures, offered to these tests


@pytest.fixture
def runtime() -> Iterator[LocalRuntime]:
    with LocalRuntime(get_settings()) as running:
        yield running
