"""A slow provider ends the function with a clear, retryable error before Lambda would stop it: every call is
given what is left of the function's time (storyteller/providers/budgets.py), against a slow OpenAI over real HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from storyteller import names
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.media import MediaStore
from storyteller.dal.stories import StoryStore
from storyteller.errors import ProviderUnavailableError
from storyteller.flow.tonight import write_valid_story
from storyteller.households.seed import seed
from storyteller.local.runtime import LocalRuntime
from storyteller.models import StoryCreated, StoryDraft, StoryItem
from storyteller.providers import factory
from storyteller.providers.budgets import ANSWER_MARGIN_SECONDS, Deadline, openai_call_limits, openai_call_seconds
from storyteller.providers.polly_narrator import PollyNarrator
from storyteller.settings import Settings
from tests.fakes.openai_server import CHAT, IMAGES, MODERATIONS, FakeOpenAI, characters_and_scene

# Far beyond any deadline below: only the deadline can end these calls.
SLOW_SECONDS = 600.0
# The function's remaining time in these tests, and the margin it keeps to answer: the slack a loaded
# machine has between the deadline and Lambda's own end.
LAMBDA_SECONDS = 8.0
MARGIN_SECONDS = 4.0
SHORT = StoryDraft(title="Too Short", text="Pip said goodnight.\nThe end.")


class CountdownContext:
    """Lambda's context as far as time goes: the remaining time runs down from when it was made."""

    def __init__(self, seconds: float) -> None:
        self._ends = time.monotonic() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return int((self._ends - time.monotonic()) * 1000)


def _left_to_answer(context: CountdownContext) -> bool:
    """Whether most of the margin is still there to store and answer (a loaded machine may eat some)."""
    return context.get_remaining_time_in_millis() >= MARGIN_SECONDS * 1000 / 4


def _deadline(context: CountdownContext) -> Deadline:
    return Deadline.from_context(context, margin=MARGIN_SECONDS, shortest_try=1.0)


def test_a_slow_completion_ends_create_story_retryable_before_lambda_stops_it(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    fake_openai.slow(CHAT, SLOW_SECONDS)
    context = CountdownContext(LAMBDA_SECONDS)
    characters, scene = characters_and_scene()
    writer = factory.story_writer(openai_settings, deadline=_deadline(context))

    with pytest.raises(ProviderUnavailableError, match="OpenAI timed out while writing the story"):
        write_valid_story(writer, characters, scene, attempts=openai_settings.writer_attempts)

    assert _left_to_answer(context)  # the function answers; Lambda did not stop it
    # One try, given all that was left: the SDK's retries did not fit, so none was made.
    assert len(fake_openai.requests(CHAT)) == 1


def test_drafts_and_their_moderation_share_one_deadline(openai_settings: Settings, fake_openai: FakeOpenAI) -> None:
    # The first draft is rejected (too short) at once, the second draft's moderation is slow: the third
    # draft is never asked for, and the night ends retryable, inside the function's time.
    fake_openai.reply_story(SHORT)
    fake_openai.slow(MODERATIONS, SLOW_SECONDS)
    context = CountdownContext(LAMBDA_SECONDS)
    characters, scene = characters_and_scene()
    writer = factory.story_writer(openai_settings, deadline=_deadline(context))

    with pytest.raises(ProviderUnavailableError, match="while checking the story with moderation"):
        write_valid_story(writer, characters, scene, attempts=3)

    assert _left_to_answer(context)
    assert len(fake_openai.requests(CHAT)) <= 2
    assert len(fake_openai.requests(MODERATIONS)) == 1


def test_a_call_that_cannot_fit_is_not_started(openai_settings: Settings, fake_openai: FakeOpenAI) -> None:
    # Less left than the shortest useful try: a clear error at once, and nothing sent (nothing billed).
    writer = factory.story_writer(openai_settings, deadline=Deadline(2.0, shortest_try=5.0))
    characters, scene = characters_and_scene()

    with pytest.raises(ProviderUnavailableError, match=r"out of time before writing the story: \d+ s left"):
        write_valid_story(writer, characters, scene, attempts=3)

    assert fake_openai.requests() == []


def test_a_slow_picture_ends_generate_image_retryable_before_lambda_stops_it(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    fake_openai.slow(IMAGES, SLOW_SECONDS)
    context = CountdownContext(LAMBDA_SECONDS)
    characters, scene = characters_and_scene()

    with pytest.raises(ProviderUnavailableError, match="OpenAI timed out while drawing the picture"):
        factory.illustrator(openai_settings, _deadline(context)).illustrate("The Lantern", characters, scene)

    assert _left_to_answer(context)
    assert len(fake_openai.requests(IMAGES)) == 1


def test_polly_is_not_asked_once_its_tries_could_outlast_the_deadline() -> None:
    polly = boto3.client("polly", region_name="eu-west-2", aws_access_key_id="x", aws_secret_access_key="x")
    narrator = PollyNarrator("Amy", polly, deadline=Deadline(20.0))  # a Polly call may take 145 s with its tries

    with Stubber(polly), pytest.raises(ProviderUnavailableError, match="out of time before reading the story aloud"):
        narrator.narrate("Pip said goodnight,\nand turned out the light.")  # a request would hit the empty stub


@pytest.mark.parametrize("timeout", [10.0, 90.0, 600.0])
@pytest.mark.parametrize("retries", [0, 2, 5])
def test_every_call_is_cut_to_fit_what_is_left(timeout: float, retries: int) -> None:
    for remaining in (0.5, 5.0, 14.9, 15.0, 40.0, 100.0, 290.0, 2000.0):
        per_try, tries = openai_call_limits(remaining, timeout, retries, shortest_try=15.0)
        useful = min(15.0, timeout)
        if per_try == 0:
            assert remaining < useful  # refused only when not even one useful try fits
            continue
        assert openai_call_seconds(per_try, tries) <= remaining + 1e-9
        assert useful <= per_try <= timeout
        if openai_call_seconds(timeout, retries) <= remaining:
            assert (per_try, tries) == (timeout, retries)  # what fits is not cut


# What a handler's context leaves its calls beyond the handler's own margin: less than the shortest useful
# try (storyteller/providers/budgets.py), so a handler that passes its deadline on makes no request at all.
HANDLER_CALL_SECONDS = 3.0


@pytest.fixture
def cloud_runtime(openai_settings: Settings) -> Iterator[LocalRuntime]:
    """The local endpoint for the tables and bucket; OpenAI is the (slow) fake."""
    with LocalRuntime(openai_settings) as running:
        seed(CatalogStore(openai_settings, names.DEFAULT_FAMILY))
        yield running


def test_create_story_gives_its_writer_the_lambda_deadline_and_stores_nothing_when_it_is_short(
    cloud_runtime: LocalRuntime, openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    from functions.create_story.handler import handler

    fake_openai.slow(CHAT, SLOW_SECONDS)
    context = _HandlerContext("storyteller-create-story", ANSWER_MARGIN_SECONDS + HANDLER_CALL_SECONDS)

    with pytest.raises(ProviderUnavailableError, match="out of time before writing the story"):
        handler({"familyId": names.DEFAULT_FAMILY}, context)

    assert fake_openai.requests(CHAT) == []  # the deadline came from the context: no try could fit
    assert StoryStore(openai_settings).of_family(names.DEFAULT_FAMILY) == []  # nothing half-written


def test_generate_image_gives_its_illustrator_the_lambda_deadline(
    cloud_runtime: LocalRuntime, openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    from functions.generate_image.handler import handler

    fake_openai.slow(IMAGES, SLOW_SECONDS)
    characters, scene = characters_and_scene()
    now = datetime.now(UTC).replace(microsecond=0)
    story = StoryItem(
        id="0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d",
        title="The Lantern",
        text="Once upon a time.\nThe end.",
        scene=scene,
        characters=characters,
        createdAt=now,
        ttl=int(now.timestamp()) + 3600,
        # Claimed by another run: the local run its insert starts ends at Claim and draws nothing itself.
        executionArn="arn:aws:states:eu-west-2:123456789012:execution:storyteller-story-media:elsewhere",
    )
    StoryStore(openai_settings).put_new(story)  # the v3 event names it; the handler reads it from the table
    context = _HandlerContext("storyteller-generate-image", ANSWER_MARGIN_SECONDS + HANDLER_CALL_SECONDS)

    with pytest.raises(ProviderUnavailableError, match="out of time before drawing the picture"):
        handler(StoryCreated(id=story.id).model_dump(mode="json"), context)

    assert fake_openai.requests(IMAGES) == []
    assert not MediaStore(openai_settings).exists(names.image_key(story.id))


class _HandlerContext(CountdownContext):
    """A countdown context with what the handlers' Powertools decorators read."""

    def __init__(self, function_name: str, seconds: float) -> None:
        super().__init__(seconds)
        self.function_name = function_name
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:eu-west-2:123456789012:function:{function_name}"
        self.aws_request_id = "deadline"
