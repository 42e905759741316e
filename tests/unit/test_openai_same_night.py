"""The OpenAI path tells and draws the same night: moment and synopsis in the structured output, the moment and
each character's stable, visual-only description in the picture's prompt. Over real HTTP against the fake."""

from __future__ import annotations

from storyteller.flow.tonight import write_valid_story
from storyteller.models import Character, Scene, StoryDraft
from storyteller.providers import factory
from storyteller.providers.openai_illustrator import OpenAIIllustrator
from storyteller.providers.openai_writer import OpenAIStoryWriter
from storyteller.settings import Settings
from tests.fakes.openai_server import CHAT, IMAGES, FakeOpenAI, characters_and_scene

NOOR = Character(
    id="noor", name="Noor", description="a girl of six with a red scarf who loves climbing and is afraid of thunder"
)
BISCUIT = Character(id="biscuit", name="Biscuit", description="a white dog who is scared of the dark")
KITCHEN = Scene(id="kitchen", description="grandma's kitchen, warm and smelling of bread")


def test_the_story_comes_back_with_its_moment_and_synopsis_and_the_prompt_asks_for_the_arc(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    cast, scene = characters_and_scene()
    told = write_valid_story(factory.story_writer(openai_settings), cast, scene, attempts=1)[0]
    fake_openai.reply_story(
        told.model_copy(update={"moment": "Pip counting stars by the pines", "synopsis": "A star falls; Pip counts."})
    )
    writer = factory.story_writer(openai_settings)
    assert isinstance(writer, OpenAIStoryWriter)

    draft = writer.write(cast, scene)

    assert (draft.moment, draft.synopsis) == ("Pip counting stars by the pines", "A star falls; Pip counts.")
    prompt = "\n".join(message["content"] for message in fake_openai.requests(CHAT)[-1].body["messages"])
    assert "a first try that fails" in prompt
    assert "syllables a line" in prompt


def test_the_picture_names_the_moment_and_draws_each_character_the_same_every_night_without_fears(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    illustrator = factory.illustrator(openai_settings)
    assert isinstance(illustrator, OpenAIIllustrator)

    illustrator.illustrate("Noor and the Lost Key", [NOOR, BISCUIT], KITCHEN, "Noor climbing up to the high shelf")
    illustrator.illustrate("Noor and the Sleepy Moon", [NOOR, BISCUIT], KITCHEN, "the moon waking over the roof")

    first, second = (request.body["prompt"] for request in fake_openai.requests(IMAGES))
    assert "Noor climbing up to the high shelf" in first
    assert "the moon waking over the roof" in second
    cast_line = "Noor, a girl of six with a red scarf; Biscuit, a white dog"
    assert cast_line in first
    assert cast_line in second
    assert not {"afraid", "scared", "thunder", "dark", "loves"} & set(first.lower().replace(".", " ").split())


def test_the_drafts_moment_reaches_the_story_item(openai_settings: Settings, fake_openai: FakeOpenAI) -> None:
    cast, scene = characters_and_scene()
    fake_openai.reply_story(
        StoryDraft.model_validate(
            write_valid_story(factory.story_writer(openai_settings), cast, scene, attempts=1)[0].model_dump()
            | {"moment": "the owl asleep in the oak"}
        )
    )
    draft, _ = write_valid_story(factory.story_writer(openai_settings), cast, scene, attempts=1)

    assert draft.moment == "the owl asleep in the oak"
