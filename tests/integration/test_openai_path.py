"""The cloud providers in the real flow: OpenAI served by the fake over HTTP, AWS by the local endpoint."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from storyteller import names
from storyteller.cli.main import app
from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.media import MediaStore
from storyteller.dal.stories import StoryStore
from storyteller.errors import StoryValidationError
from storyteller.flow.tonight import create_story
from storyteller.households.seed import CHARACTERS, SCENES, seed
from storyteller.local.outbox import emails_for
from storyteller.local.runtime import LocalRuntime
from storyteller.models import StoryStatus
from storyteller.providers import factory
from storyteller.providers.offline.writer import RhymingStoryWriter
from storyteller.providers.openai_client import reset_openai_clients
from storyteller.settings import get_settings
from tests.fakes.openai_server import CHAT, IMAGES, MODERATIONS, FakeOpenAI
from tests.integration.test_flow import _audio_made, _story


@pytest.fixture
def openai_env(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    """What a user sets to use OpenAI, pointed at the fake; the narrator stays offline (moto has no voices)."""
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("STORYTELLER_OPENAI_BASE_URL", fake_openai.base_url)
    get_settings.cache_clear()
    reset_openai_clients()
    yield fake_openai
    reset_openai_clients()


@pytest.fixture
def cloud_runtime(openai_env: FakeOpenAI) -> Iterator[LocalRuntime]:
    with LocalRuntime(get_settings()) as running:
        yield running


def test_tonight_with_openai_writes_draws_and_records_what_it_cost(openai_env: FakeOpenAI, isolated_env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["seed"]).exit_code == 0

    result = runner.invoke(app, ["tonight", "--json"])

    assert result.exit_code == 0, result.stderr
    story = json.loads(result.stdout)
    assert story["status"] == "COMPLETE"
    assert story["executionStatus"] == "SUCCEEDED"
    assert len(openai_env.requests(CHAT)) == len(openai_env.requests(MODERATIONS)) >= 1
    assert len(openai_env.requests(IMAGES)) == 1
    with LocalRuntime(get_settings()) as runtime:  # a restart reads what the run saved
        picture = Image.open(io.BytesIO(MediaStore(runtime.settings).get(story["imageKey"])))
        item = StoryStore(runtime.settings).get(story["id"])
    assert (picture.format, picture.size) == ("PNG", (1024, 1024))
    assert picture.getpixel((10, 10)) == (40, 44, 90)  # the fake's picture, not the offline one
    assert item is not None
    assert item.provenance is not None
    assert item.provenance.text == "gpt-5.4-mini"
    assert item.usage is not None
    assert item.usage.inputTokens > 0
    assert item.usage.costUsd > 0
    assert item.imageUsage is not None
    assert (item.imageUsage.model, item.imageUsage.images) == ("gpt-image-2.6-flare", 1)
    assert 0.05 < item.imageUsage.costUsd < 0.06
    assert item.voiceUsage is not None
    assert item.voiceUsage.model == "hibari-tts/heart"
    assert item.voiceUsage.characters > len(item.text)
    assert item.voiceUsage.costUsd == 0
    assert item.cost_usd() == pytest.approx(item.usage.costUsd + item.imageUsage.costUsd)


def test_a_flagged_story_is_rewritten_and_only_the_safe_one_is_stored(
    cloud_runtime: LocalRuntime, openai_env: FakeOpenAI
) -> None:
    settings = cloud_runtime.settings
    seed(CatalogStore(settings))
    flagged = RhymingStoryWriter(seed=5).write(list(CHARACTERS), SCENES[0])
    openai_env.reply_story(flagged)
    openai_env.flag_next("violence")

    story = create_story(CatalogStore(settings), StoryStore(settings), factory.story_writer(settings), random.Random(3))

    assert story.text != flagged.text
    assert [item.id for item in StoryStore(settings).recent()] == [story.id]
    assert len(openai_env.requests(MODERATIONS)) == 2


def test_a_story_flagged_every_time_fails_the_run_and_stores_nothing(
    cloud_runtime: LocalRuntime, openai_env: FakeOpenAI
) -> None:
    settings = cloud_runtime.settings
    seed(CatalogStore(settings))
    for _ in range(settings.writer_attempts):
        openai_env.flag_next("sexual/minors")

    with pytest.raises(StoryValidationError, match=r"flagged the story \(sexual/minors\)"):
        create_story(CatalogStore(settings), StoryStore(settings), factory.story_writer(settings), random.Random(3))

    assert StoryStore(settings).recent() == []


def test_a_rejected_key_fails_the_illustration_at_once_with_a_readable_cause(
    cloud_runtime: LocalRuntime, openai_env: FakeOpenAI
) -> None:
    openai_env.accepted_key = "sk-the-real-one"
    cloud_runtime.lambdas.override(names.GENERATE_AUDIO_FUNCTION, lambda event, _: _audio_made(event["id"]))
    story = _story()
    StoryStore(cloud_runtime.settings).put_new(story)

    outcome = cloud_runtime.wait_for_story(story.id, timeout=30)

    assert outcome.execution_status == "FAILED"
    assert outcome.error is not None
    assert outcome.error.startswith("ProviderError: OpenAI rejected the API key while drawing the picture (401)")
    assert len(openai_env.requests(IMAGES)) == 1  # neither the SDK nor Step Functions retried it
    assert emails_for(cloud_runtime.outbox_dir, story.id) == []


def test_a_throttled_picture_is_retried_and_its_cost_saved_with_the_keys(
    cloud_runtime: LocalRuntime, openai_env: FakeOpenAI
) -> None:
    openai_env.fail_next(IMAGES, 429, "Rate limit reached for images", code="rate_limit_exceeded")
    cloud_runtime.lambdas.override(names.GENERATE_AUDIO_FUNCTION, lambda event, _: _audio_made(event["id"]))
    story = _story()
    StoryStore(cloud_runtime.settings).put_new(story)

    outcome = cloud_runtime.wait_for_story(story.id, timeout=30)

    assert outcome.execution_status == "SUCCEEDED"
    assert len(openai_env.requests(IMAGES)) == 2
    stored = StoryStore(cloud_runtime.settings).get(story.id)
    assert stored is not None
    assert stored.status is StoryStatus.COMPLETE
    assert stored.imageUsage is not None
    assert stored.imageUsage.model == "gpt-image-2.6-flare"
    assert 0.05 < stored.imageUsage.costUsd < 0.06
    assert stored.voiceUsage is not None
    assert (stored.voiceUsage.characters, stored.voiceUsage.costUsd) == (9, 0.01)
    raw = client("dynamodb", cloud_runtime.settings.aws_region).get_item(
        TableName=cloud_runtime.settings.stories_table, Key={"id": {"S": story.id}}
    )["Item"]
    assert raw["imageUsage"]["M"]["costUsd"]["N"] == str(stored.imageUsage.costUsd)  # a number, not a string
