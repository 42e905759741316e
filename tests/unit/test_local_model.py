"""A family's own OpenAI-compatible server (Ollama, llama.cpp's server): its model by name, and the local safety
check where it has no moderation endpoint. Over real HTTP against the fake with its moderations gone."""

from __future__ import annotations

import pytest

from storyteller.flow.tonight import write_valid_story
from storyteller.models import StoryDraft
from storyteller.providers import factory
from storyteller.providers.local_safety import unsafe_words
from storyteller.providers.openai_writer import OpenAIStoryWriter
from storyteller.settings import Settings, get_settings
from tests.fakes.openai_server import CHAT, MODERATIONS, FakeOpenAI, characters_and_scene


@pytest.fixture
def local_model(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The three settings README shows for a local server."""
    monkeypatch.setenv("OPENAI_API_KEY", "local")
    monkeypatch.setenv("STORYTELLER_OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("STORYTELLER_TEXT_MODEL", "llama3.2")
    fake_openai.moderations_available = False
    get_settings.cache_clear()
    return get_settings()


def test_a_server_without_moderation_writes_with_the_local_check_standing_in(
    local_model: Settings, fake_openai: FakeOpenAI
) -> None:
    writer = factory.story_writer(local_model)
    assert isinstance(writer, OpenAIStoryWriter)
    cast, scene = characters_and_scene()

    draft, _ = write_valid_story(writer, cast, scene, attempts=1)
    write_valid_story(writer, cast, scene, attempts=1)

    assert draft.title
    assert {request.body["model"] for request in fake_openai.requests(CHAT)} == {"llama3.2"}
    assert len(fake_openai.requests(MODERATIONS)) == 1  # asked once; the 404 is remembered


def test_an_unsafe_local_draft_is_rewritten_with_the_words_named(
    local_model: Settings, fake_openai: FakeOpenAI
) -> None:
    cast, scene = characters_and_scene()
    writer = factory.story_writer(local_model)
    good, _ = write_valid_story(writer, cast, scene, attempts=1)
    fake_openai.reply_story(StoryDraft(title="The Sword", text=good.text + "\nAnd then a knight drew his sword."))

    draft, _ = write_valid_story(writer, cast, scene, attempts=2)

    assert draft.title != "The Sword"
    retry = "\n".join(message["content"] for message in fake_openai.requests(CHAT)[-1].body["messages"])
    assert "the local safety check found words unfit for bedtime (sword)" in retry


def test_the_local_check_names_unfit_words_and_passes_a_gentle_story() -> None:
    assert unsafe_words("The dragon drew a Sword and the knight was dead.") == ["sword", "dead"]
    assert unsafe_words("The owl hummed a sleepy song by the moon.") == []
