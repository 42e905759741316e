"""The OpenAI writer and illustrator against a fake OpenAI over real HTTP; Polly through botocore's Stubber."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import lameenc
import numpy as np
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from moto import mock_aws
from mutagen.mp3 import MP3
from PIL import Image

from storyteller.errors import ProviderError, ProviderUnavailableError, StoryValidationError
from storyteller.flow.tonight import write_valid_story
from storyteller.models import PastStory, StoryDraft
from storyteller.providers import factory, pricing
from storyteller.providers.offline.illustrator import PictureBookIllustrator
from storyteller.providers.offline.narrator import HibariNarrator
from storyteller.providers.offline.writer import RhymingStoryWriter
from storyteller.providers.openai_client import api_key
from storyteller.providers.openai_illustrator import OpenAIIllustrator
from storyteller.providers.openai_writer import OpenAIStoryWriter
from storyteller.providers.polly_narrator import (
    POLLY_BILLED_LIMIT,
    POLLY_TOTAL_LIMIT,
    PollyNarrator,
    billed_characters,
    ssml_requests,
)
from storyteller.settings import Settings, get_settings
from storyteller.story.reading_level import reading_level
from storyteller.story.validation import validate_story
from tests.fakes.openai_server import (
    CHAT,
    IMAGE_OUTPUT_TOKENS,
    IMAGE_OUTPUT_TOKENS_BY_QUALITY,
    IMAGES,
    MODERATIONS,
    FakeOpenAI,
    characters_and_scene,
)

SHORT = StoryDraft(title="Too Short", text="Pip said goodnight.\nThe end.")


def _writer(settings: Settings) -> OpenAIStoryWriter:
    writer = factory.story_writer(settings)
    assert isinstance(writer, OpenAIStoryWriter)
    return writer


def _prompt(request_body: dict[str, Any]) -> str:
    return "\n".join(message["content"] for message in request_body["messages"])


def test_a_story_is_asked_for_with_structured_output_checked_and_its_tokens_counted(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    cast, scene = characters_and_scene()
    writer = _writer(openai_settings)

    draft, report = write_valid_story(writer, cast, scene, attempts=3)

    assert report.words >= 200
    [chat] = fake_openai.requests(CHAT)
    assert chat.authorization == "Bearer test"
    assert chat.body["model"] == openai_settings.text_model
    schema = chat.body["response_format"]["json_schema"]["schema"]
    assert set(schema["properties"]) == {"title", "text", "moment", "synopsis"}
    assert schema["additionalProperties"] is False
    prompt = _prompt(chat.body)
    assert all(f"- {character.name}:" in prompt for character in cast)
    assert scene.description in prompt
    assert "AABB" in prompt
    assert "rejected" not in prompt
    [moderation] = fake_openai.requests(MODERATIONS)
    assert moderation.body["model"] == "omni-moderation-latest"
    assert moderation.body["input"] == f"{draft.title}\n\n{draft.text}"
    usage = writer.usage()
    assert usage.inputTokens > 100
    assert usage.outputTokens > 200
    assert usage.costUsd == pytest.approx((usage.inputTokens * 0.75 + usage.outputTokens * 4.50) / 1e6, abs=1e-6)


def test_a_draft_that_fails_validation_is_rewritten_with_the_reason_in_the_next_request(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    cast, scene = characters_and_scene()
    fake_openai.reply_story(SHORT)
    writer = _writer(openai_settings)

    draft, _ = write_valid_story(writer, cast, scene, attempts=3)

    first, second = fake_openai.requests(CHAT)
    assert "rejected" not in _prompt(first.body)
    assert re.search(r"Your previous draft was rejected: story has \d+ words but at least 200", _prompt(second.body))
    assert draft != SHORT
    assert writer.usage().inputTokens > 0


def test_a_rate_limit_is_retried_by_the_sdk_and_then_succeeds(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    cast, scene = characters_and_scene()
    fake_openai.fail_next(CHAT, 429, "Rate limit reached for gpt-5.4-mini", code="rate_limit_exceeded")

    draft = _writer(openai_settings).write(cast, scene)

    assert len(fake_openai.requests(CHAT)) == 2
    validate_story(draft, cast, scene)


def test_a_rate_limit_that_outlasts_the_sdk_retries_is_retryable_for_step_functions(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    cast, scene = characters_and_scene()
    fake_openai.fail_next(CHAT, 429, "Rate limit reached", code="rate_limit_exceeded", times=3)

    with pytest.raises(ProviderUnavailableError, match=r"rate limiting while writing the story \(429\)"):
        _writer(openai_settings).write(cast, scene)

    assert len(fake_openai.requests(CHAT)) == 1 + openai_settings.openai_max_retries


def test_a_server_error_is_retryable(openai_settings: Settings, fake_openai: FakeOpenAI) -> None:
    cast, scene = characters_and_scene()
    fake_openai.fail_next(CHAT, 503, "The server is overloaded", times=3)

    with pytest.raises(ProviderUnavailableError, match=r"OpenAI failed while writing the story \(503\)"):
        _writer(openai_settings).write(cast, scene)


def test_an_exhausted_quota_is_not_retried(openai_settings: Settings, fake_openai: FakeOpenAI) -> None:
    cast, scene = characters_and_scene()
    fake_openai.fail_next(CHAT, 429, "You exceeded your current quota", code="insufficient_quota", times=3)

    with pytest.raises(ProviderError, match=r"quota exhausted while writing the story \(429 insufficient_quota\)"):
        _writer(openai_settings).write(cast, scene)
    assert len(fake_openai.requests(CHAT)) == 1  # at once: not even the SDK's own retries


@pytest.mark.parametrize("content", ["{not json at all", '{"title": "Pip and the Moon"}', '["a list"]', ""])
def test_malformed_structured_output_is_a_rejected_draft_asked_again_with_the_reason(
    openai_settings: Settings, fake_openai: FakeOpenAI, content: str
) -> None:
    cast, scene = characters_and_scene()
    fake_openai.reply_raw(content)

    draft, report = write_valid_story(_writer(openai_settings), cast, scene, attempts=3)

    assert report.rhyme_rate >= 0.8
    assert draft.title
    asked = fake_openai.requests(CHAT)
    assert len(asked) == 2
    assert "the answer was not JSON with a title and a text" in _prompt(asked[1].body)


def test_malformed_output_every_time_ends_the_loop_naming_it(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    cast, scene = characters_and_scene()
    for _ in range(2):
        fake_openai.reply_raw('{"text": "no title"}')

    with pytest.raises(StoryValidationError, match="not JSON with a title and a text: title: Field required"):
        write_valid_story(_writer(openai_settings), cast, scene, attempts=2)


@pytest.mark.parametrize("suffix", ["/v1", "/v1/", "", "/"])
def test_the_base_url_works_with_or_without_v1(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("STORYTELLER_OPENAI_BASE_URL", fake_openai.base_url.removesuffix("/v1") + suffix)
    get_settings.cache_clear()
    cast, scene = characters_and_scene()

    draft, _ = write_valid_story(_writer(get_settings()), cast, scene, attempts=3)

    assert draft.title
    assert fake_openai.requests(CHAT)


def test_recent_stories_of_the_cast_are_named_in_the_prompt(openai_settings: Settings, fake_openai: FakeOpenAI) -> None:
    cast, scene = characters_and_scene()
    recent = [PastStory(title="Pip and the Lost Star", plot=None), PastStory(title="The Sleepy Moon", plot=None)]

    _writer(openai_settings).write_remembering(cast, scene, recent)

    prompt = _prompt(fake_openai.requests(CHAT)[0].body)
    assert "give tonight a new title and a different plot" in prompt
    assert "- Pip and the Lost Star" in prompt
    assert "- The Sleepy Moon" in prompt


def test_a_rejected_key_fails_at_once_with_one_clear_error(openai_settings: Settings, fake_openai: FakeOpenAI) -> None:
    cast, scene = characters_and_scene()
    fake_openai.accepted_key = "sk-the-real-one"

    with pytest.raises(ProviderError) as raised:
        write_valid_story(_writer(openai_settings), cast, scene, attempts=3)

    message = str(raised.value)
    assert "OpenAI rejected the API key while writing the story (401)" in message
    assert "Incorrect API key provided" in message
    assert "OPENAI_API_KEY" in message
    assert "Traceback" not in message
    assert len(fake_openai.requests()) == 1  # no SDK retry, no second draft, no moderation


def test_no_key_at_all_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYTELLER_WRITER", "openai")

    with pytest.raises(ProviderError, match="no OpenAI API key: set OPENAI_API_KEY"):
        factory.story_writer(Settings())


def test_a_flagged_story_is_rewritten_with_the_reason_and_never_returned(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    cast, scene = characters_and_scene()
    flagged = RhymingStoryWriter(seed=99).write(cast, scene)
    fake_openai.reply_story(flagged)
    fake_openai.flag_next("violence", "harassment")

    draft, _ = write_valid_story(_writer(openai_settings), cast, scene, attempts=3)

    assert draft != flagged
    _, second = fake_openai.requests(CHAT)
    assert "moderation flagged the story (harassment, violence)" in _prompt(second.body)
    assert len(fake_openai.requests(MODERATIONS)) == 2


def test_a_flagged_draft_is_a_validation_error_naming_the_categories(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    cast, scene = characters_and_scene()
    fake_openai.flag_next("violence/graphic")

    with pytest.raises(StoryValidationError, match=r"moderation flagged the story \(violence/graphic\)"):
        _writer(openai_settings).write(cast, scene)


def test_a_request_openai_refuses_ends_the_loop_with_its_reason(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    cast, scene = characters_and_scene()
    fake_openai.reply_story(StoryDraft(title=" x", text="y"))  # passes the model, fails the rules
    fake_openai.fail_next(CHAT, 400, "Invalid schema for response_format", code="invalid_request_error")

    with pytest.raises(ProviderError, match=r"OpenAI refused the request while writing the story \(400\)"):
        write_valid_story(_writer(openai_settings), cast, scene, attempts=3)


def test_the_picture_is_a_png_decoded_from_base64_and_priced_by_its_tokens(
    openai_settings: Settings, fake_openai: FakeOpenAI
) -> None:
    cast, scene = characters_and_scene()
    illustrator = factory.illustrator(openai_settings)
    assert isinstance(illustrator, OpenAIIllustrator)

    png = illustrator.illustrate("Pip and the Moon", cast, scene)

    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG"
    assert picture.size == (1024, 1024)
    [request] = fake_openai.requests(IMAGES)
    assert request.body["model"] == "gpt-image-2.6-flare"
    assert (request.body["size"], request.body["quality"], request.body["output_format"]) == (
        "1024x1024",
        "medium",
        "png",
    )
    assert "response_format" not in request.body  # GPT image models always answer in base64
    assert "picture-book illustration" in request.body["prompt"]
    assert all(character.name in request.body["prompt"] for character in cast)
    assert scene.description in request.body["prompt"]
    usage = pricing.image_usage(illustrator, openai_settings.prices)
    prompt_tokens = len(request.body["prompt"]) // 4
    assert usage.images == 1
    assert usage.costUsd == pytest.approx((prompt_tokens * 5 + IMAGE_OUTPUT_TOKENS * 30) / 1e6, abs=1e-6)


def test_a_picture_refused_by_the_content_policy_fails_fast(openai_settings: Settings, fake_openai: FakeOpenAI) -> None:
    cast, scene = characters_and_scene()
    fake_openai.fail_next(IMAGES, 400, "Your request was rejected by the safety system.", code="moderation_blocked")

    with pytest.raises(ProviderError, match="content policy refused drawing the picture"):
        factory.illustrator(openai_settings).illustrate("Pip", cast, scene)

    assert len(fake_openai.requests(IMAGES)) == 1


def test_a_picture_reused_from_an_earlier_attempt_is_priced_by_the_table(openai_settings: Settings) -> None:
    usage = pricing.image_usage(factory.illustrator(openai_settings), openai_settings.prices)

    assert (usage.model, usage.images, usage.costUsd) == ("gpt-image-2.6-flare", 1, 0.053)


def test_auto_chooses_offline_without_a_key_and_openai_with_one(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(factory.story_writer(Settings()), RhymingStoryWriter)
    assert isinstance(factory.illustrator(Settings()), PictureBookIllustrator)
    assert isinstance(factory.narrator(Settings()), HibariNarrator)

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    assert isinstance(factory.story_writer(Settings()), OpenAIStoryWriter)
    assert isinstance(factory.illustrator(Settings()), OpenAIIllustrator)
    assert isinstance(factory.narrator(Settings()), PollyNarrator)
    assert factory.narrator(Settings()).model == "polly-neural/Amy"

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5000")  # the local runtime's moto has no voices
    assert isinstance(factory.narrator(Settings()), HibariNarrator)
    monkeypatch.setenv("STORYTELLER_NARRATOR", "polly")
    assert isinstance(factory.narrator(Settings()), PollyNarrator)

    monkeypatch.setenv("STORYTELLER_WRITER", "offline")
    assert isinstance(factory.story_writer(Settings()), RhymingStoryWriter)
    assert isinstance(factory.illustrator(Settings()), OpenAIIllustrator)


def test_a_blank_key_is_no_key_and_a_secret_name_counts_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "  ")
    assert Settings().openai_api_key is None
    assert not Settings().use_cloud_providers()

    monkeypatch.setenv("STORYTELLER_OPENAI_SECRET_NAME", "storyteller/openai")
    assert Settings().use_cloud_providers()


@pytest.mark.parametrize("secret", ["sk-from-secrets", '{"OPENAI_API_KEY": "sk-from-secrets"}'])
def test_in_aws_the_key_comes_from_secrets_manager_once(monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    monkeypatch.setenv("STORYTELLER_OPENAI_SECRET_NAME", "storyteller/openai")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    with mock_aws():
        secrets = boto3.client("secretsmanager", region_name=Settings().aws_region)
        secrets.create_secret(Name="storyteller/openai", SecretString=secret)

        assert api_key(Settings()) == "sk-from-secrets"
        secrets.delete_secret(SecretId="storyteller/openai", ForceDeleteWithoutRecovery=True)
        assert api_key(Settings()) == "sk-from-secrets"  # cached for the cold start


def test_a_missing_secret_is_a_clear_provider_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYTELLER_OPENAI_SECRET_NAME", "storyteller/nothing-here")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    with (
        mock_aws(),
        pytest.raises(ProviderError, match="cannot read the OpenAI key from secret 'storyteller/nothing-here'"),
    ):
        api_key(Settings())


def test_prices_fall_back_to_the_model_family_and_unknown_models_cost_nothing() -> None:
    prices = Settings().prices
    assert pricing.speech_cost(prices, "polly-neural/Amy", 1_000_000) == 16.0
    assert pricing.text_cost(prices, "gpt-5.4-mini", 1_000_000, 1_000_000) == 5.25
    assert pricing.image_cost(prices, "offline-picture-book-1") == 0.0


def _mp3(seconds: float) -> bytes:
    """A real MP3 like Polly's: 24 kHz mono."""
    rate = 24_000
    samples = np.sin(2 * np.pi * 220 * np.arange(int(rate * seconds)) / rate) * 0.3
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(48)
    encoder.set_in_sample_rate(rate)
    encoder.set_channels(1)
    encoder.set_quality(2)
    return bytes(encoder.encode((samples * 32767).astype("<i2").tobytes()) + encoder.flush())


def _long_story(stanzas: int) -> str:
    verse = [
        f"Stanza {number} begins where the moonlight & starlight meet,\n"
        "and the little fox counts every star with tiny feet.\n"
        "The owl hums a tune that is soft as the sea,\n"
        "and the rabbit says softly, goodnight now to me."
        for number in range(stanzas)
    ]
    return "This is a story called A Very Long Night.\n\n" + "\n\n".join(verse)


@pytest.fixture
def polly(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Stubber, list[dict[str, Any]]]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    client = boto3.client("polly", region_name="eu-west-2")
    sent: list[dict[str, Any]] = []
    client.meta.events.register("provide-client-params.polly.SynthesizeSpeech", lambda params, **_: sent.append(params))
    with Stubber(client) as stubber:
        yield client, stubber, sent
        stubber.assert_no_pending_responses()


def _audio(data: bytes, characters: int) -> dict[str, Any]:
    return {
        "AudioStream": StreamingBody(io.BytesIO(data), len(data)),
        "ContentType": "audio/mpeg",
        "RequestCharacters": characters,
    }


def test_a_long_story_is_read_in_several_requests_under_pollys_limits_and_joined_into_one_mp3(
    polly: tuple[Any, Stubber, list[dict[str, Any]]],
) -> None:
    client, stubber, sent = polly
    text = _long_story(stanzas=60)  # ~11,000 characters: more than three requests' worth
    expected = ssml_requests(text)
    parts = [_mp3(1.0 + index * 0.5) for index in range(len(expected))]
    for part, ssml in zip(parts, expected, strict=True):
        stubber.add_response("synthesize_speech", _audio(part, billed_characters(ssml)))

    audio = PollyNarrator("Amy", client).narrate(text)

    assert len(sent) == len(expected) >= 4
    for params in sent:
        assert (params["Engine"], params["VoiceId"], params["TextType"], params["OutputFormat"]) == (
            "neural",
            "Amy",
            "ssml",
            "mp3",
        )
        assert params["Text"].startswith('<speak><prosody rate="90%">')
        assert len(params["Text"]) <= POLLY_TOTAL_LIMIT
        assert billed_characters(params["Text"]) <= POLLY_BILLED_LIMIT
    spoken = " ".join(re.sub(r"<[^>]*>", " ", params["Text"]) for params in sent)
    assert " ".join(spoken.replace("&amp;", "&").split()) == " ".join(text.split())
    assert audio == b"".join(parts)
    decoded = MP3(io.BytesIO(audio))
    assert decoded.info.length == pytest.approx(sum(MP3(io.BytesIO(part)).info.length for part in parts), abs=0.1)


def test_verse_is_read_with_a_pause_after_each_line_and_a_longer_one_after_each_stanza() -> None:
    [ssml] = ssml_requests("Title line.\n\nOne & two,\nthree <four>.\n\nFive.")

    assert ssml == (
        '<speak><prosody rate="90%">Title line.<break time="900ms"/>'
        'One &amp; two,<break time="400ms"/>three &lt;four&gt;.<break time="900ms"/>'
        'Five.<break time="900ms"/></prosody></speak>'
    )


def test_one_enormous_line_is_split_at_sentences() -> None:
    line = " ".join(f"Sentence number {index} is calm and slow." for index in range(200))

    requests = ssml_requests(line)

    assert len(requests) >= 3
    assert all(billed_characters(ssml) <= POLLY_BILLED_LIMIT for ssml in requests)
    assert all(re.search(r"slow\.<break", ssml) for ssml in requests)


@pytest.mark.parametrize(
    ("code", "error"), [("ThrottlingException", ProviderUnavailableError), ("InvalidSsmlException", ProviderError)]
)
def test_polly_errors_are_retryable_or_not_by_their_code(
    polly: tuple[Any, Stubber, list[dict[str, Any]]], code: str, error: type[Exception]
) -> None:
    client, stubber, _ = polly
    stubber.add_client_error("synthesize_speech", service_error_code=code, service_message="nope", http_status_code=400)

    with pytest.raises(error, match=code):
        PollyNarrator("Amy", client).narrate("Goodnight, moon.")


def test_usage_survives_a_json_round_trip(openai_settings: Settings) -> None:
    usage = pricing.voice_usage("polly-neural/Amy", 1834, openai_settings.prices)

    assert json.loads(json.dumps(usage.model_dump())) == {
        "model": "polly-neural/Amy",
        "characters": 1834,
        "costUsd": 0.029344,
    }


def test_the_voice_is_priced_by_the_characters_polly_billed(
    polly: tuple[Any, Stubber, list[dict[str, Any]]], openai_settings: Settings
) -> None:
    client, stubber, _ = polly
    story = _long_story(2)
    parts = ssml_requests(story)
    for _ in parts:
        stubber.add_response("synthesize_speech", _audio(_mp3(0.2), 777))
    narrator = PollyNarrator("Amy", client)

    narrator.narrate(story)
    usage = pricing.narration_usage(narrator, narrator.model, story, openai_settings.prices)

    assert usage.characters == 777 * len(parts)  # Polly's own count, not the text's length
    assert usage.characters != len(story)


def test_without_pollys_count_the_billed_characters_are_our_own_ssml_count(
    polly: tuple[Any, Stubber, list[dict[str, Any]]], openai_settings: Settings
) -> None:
    client, stubber, _ = polly
    story = _long_story(1)
    parts = ssml_requests(story)
    for _ in parts:
        audio = _audio(_mp3(0.2), 0)
        del audio["RequestCharacters"]
        stubber.add_response("synthesize_speech", audio)
    narrator = PollyNarrator("Amy", client)

    narrator.narrate(story)

    assert narrator.billed_characters() == sum(billed_characters(part) for part in parts)
    fresh = PollyNarrator("Amy", client)  # a retry that found the MP3 stored made no request
    assert pricing.narration_usage(fresh, fresh.model, story, openai_settings.prices).characters == len(story)


# The thrifty profile: a low-quality picture and Polly's standard engine, priced by what they report.


def test_the_thrifty_profile_asks_for_a_low_quality_picture_priced_by_its_tokens(
    fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test")
    monkeypatch.setenv("STORYTELLER_OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("STORYTELLER_PROFILE", "thrifty")
    settings = Settings()
    cast, scene = characters_and_scene()
    illustrator = factory.illustrator(settings)

    illustrator.illustrate("Pip and the Moon", cast, scene)

    [request] = fake_openai.requests(IMAGES)
    assert request.body["quality"] == "low"
    usage = pricing.image_usage(illustrator, settings.prices)
    low_tokens = IMAGE_OUTPUT_TOKENS_BY_QUALITY["low"]
    assert usage.costUsd == pytest.approx((len(request.body["prompt"]) // 4 * 5 + low_tokens * 30) / 1e6, abs=1e-6)
    # A picture reused from S3 on a retry reports no tokens: the table's figure for its quality.
    assert pricing.image_cost(settings.prices, "gpt-image-2.6-flare", quality="low") == 0.014


def test_an_explicit_quality_wins_over_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYTELLER_PROFILE", "thrifty")
    monkeypatch.setenv("STORYTELLER_IMAGE_QUALITY", "high")
    settings = Settings()
    assert (settings.picture_quality, settings.polly_engine) == ("high", "standard")


def test_the_thrifty_profile_reads_with_pollys_standard_engine_at_a_quarter_of_the_price(
    polly: tuple[Any, Stubber, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, stubber, sent = polly
    monkeypatch.setenv("STORYTELLER_PROFILE", "thrifty")
    settings = Settings()
    text = _long_story(stanzas=4)
    [ssml] = ssml_requests(text)
    stubber.add_response("synthesize_speech", _audio(_mp3(1.0), billed_characters(ssml)))
    narrator = PollyNarrator(settings.voice, client, settings.polly_engine)

    narrator.narrate(text)

    assert [params["Engine"] for params in sent] == ["standard"]
    standard = pricing.narration_usage(narrator, narrator.model, text, settings.prices)
    neural = pricing.voice_usage("polly-neural/Amy", narrator.billed_characters(), settings.prices)
    assert standard.model == "polly-standard/Amy"
    assert standard.costUsd == pytest.approx(neural.costUsd / 4, abs=1e-6)


@pytest.mark.parametrize(
    ("age", "ages", "words"),
    [(3, "aged two to four", "210 to 300 words"), (9, "aged eight to twelve", "380 to 560 words")],
)
def test_the_listeners_age_sets_the_length_and_words_asked_for(
    openai_settings: Settings, fake_openai: FakeOpenAI, age: int, ages: str, words: str
) -> None:
    cast, scene = characters_and_scene()

    factory.story_writer(openai_settings, reading_level(age)).write(cast, scene)

    prompt = _prompt(fake_openai.requests(CHAT)[0].body)
    assert ages in prompt
    assert words in prompt
    assert reading_level(age).vocabulary in prompt
