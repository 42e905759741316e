"""Fixtures shared by the unit tests."""

from tests.fakes.openai_server import fake_openai, openai_settings  # noqa: F401 - fixtures, offered to these tests
