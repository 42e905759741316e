"""Fixtures shared by the unit tests."""

from tests.fakes.openai_server import fake_openai  # noqa: F401 - a fixture, offered to these tests
