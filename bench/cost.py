"""Cost per story in AWS: what the flow records on each story, priced by the documented price table.

Stories go through the whole local flow with the cloud providers' own code: the OpenAI writer and
illustrator talk over real HTTP to the project's fake OpenAI (tests/fakes/openai_server.py), which reports
token usage at four characters a token and 1,756 output tokens a picture, as docs/providers.md estimates.
Polly cannot speak locally, so a stand-in narrator answers with Polly's model name; the Narrate handler
prices the narration by the characters read, exactly as it does in AWS. Each story's recorded usage is
priced by `storyteller/providers/pricing.py` with the settings' `prices` (DEFAULT_PRICES). Reasoning tokens (which
a real model may add, billed as output) are not modelled by the fake: this is the floor of the range.

Both profiles are measured (STORYTELLER_PROFILE): `standard` (medium picture, Polly's neural voice) and
`thrifty` (low-quality picture, Polly's standard engine); the fake answers a picture with the tokens of
the quality asked (in gpt-image-1's published proportions).

The AWS services a story uses are counted from the same run (state transitions from the execution's
history, function invocations, messages) and priced at the public list prices below; Lambda's GB-seconds
are left out, since offline they measure the fake, not OpenAI's latency.

    python -m bench.cost
"""

from __future__ import annotations

import os
import statistics
from typing import Any

from bench.common import MP3, isolated_home, table, verdict, write_result
from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.stories import StoryStore
from storyteller.households.seed import seed
from storyteller.local.runtime import LocalRuntime
from storyteller.models import Character
from storyteller.providers.factory import ProviderOverrides
from storyteller.providers.openai_client import reset_openai_clients
from storyteller.providers.polly_narrator import PollyNarrator
from storyteller.settings import DEFAULT_PRICES, get_settings
from tests.fakes.openai_server import FakeOpenAI

STORIES = 5
PROFILES = ("standard", "thrifty")
MAX_THRIFTY_USD = 0.03
# USD list prices, us-east-1, checked against the AWS price pages (London is within ~10 %).
STATE_TRANSITION_USD = 0.025 / 1000  # Step Functions Standard
LAMBDA_REQUEST_USD = 0.20 / 1_000_000
EVENTBRIDGE_EVENT_USD = 1.00 / 1_000_000  # custom bus events
PIPES_REQUEST_USD = 0.40 / 1_000_000
SNS_PUBLISH_USD = 0.50 / 1_000_000
SNS_EMAIL_USD = 2.00 / 100_000
DYNAMODB_WRITE_USD = 0.625 / 1_000_000  # on-demand write request unit
SCHEDULER_INVOCATION_USD = 1.00 / 1_000_000
# Per story: create_story (schedule), the pipe's enrichment, Illustrate, Narrate.
LAMBDA_INVOCATIONS = 4
# create_story's put, Claim, SaveMedia, MarkNotified; the schedule's idempotency record (put and update).
DYNAMODB_WRITES = 6


class PollyModelNarrator:
    """Answers at once with a tiny MP3, under the model name the real Polly narrator reports."""

    def __init__(self, model: str) -> None:
        self.model = model

    def narrate(self, text: str) -> bytes:
        return MP3


def _aws_services(state_transitions: float) -> dict[str, float]:
    parts = {
        "step_functions": state_transitions * STATE_TRANSITION_USD,
        "lambda_requests": LAMBDA_INVOCATIONS * LAMBDA_REQUEST_USD,
        "eventbridge": EVENTBRIDGE_EVENT_USD,
        "pipes": PIPES_REQUEST_USD,
        "sns": SNS_PUBLISH_USD + SNS_EMAIL_USD,
        "dynamodb_writes": DYNAMODB_WRITES * DYNAMODB_WRITE_USD,
        "scheduler": SCHEDULER_INVOCATION_USD,
    }
    return {name: round(value, 8) for name, value in parts.items()}


def measure() -> dict[str, Any]:
    """Both profiles' cost per story; the standard one's figures stay at the top level, as before."""
    profiles = {profile: measure_profile(profile) for profile in PROFILES}
    standard, thrifty = profiles["standard"], profiles["thrifty"]
    return {
        **standard,
        "profiles": profiles,
        "cost_per_story_thrifty_usd": thrifty["cost_per_story_usd"],
        "cost_per_story_thrifty_with_services_usd": thrifty["cost_per_story_with_services_usd"],
        "thrifty_vs_standard": round(thrifty["cost_per_story_usd"] / standard["cost_per_story_usd"], 3),
        "targets": {
            "cost_per_story_thrifty_usd": {
                "max": MAX_THRIFTY_USD,
                "met": thrifty["cost_per_story_usd"] <= MAX_THRIFTY_USD,
            }
        },
    }


def measure_profile(profile: str) -> dict[str, Any]:
    """Make STORIES stories through the cloud providers' code and price what they recorded."""
    stories = []
    with isolated_home("cost"), FakeOpenAI() as fake_openai:
        os.environ.update(
            OPENAI_API_KEY="bench-not-a-key",
            STORYTELLER_OPENAI_BASE_URL=fake_openai.base_url,
            STORYTELLER_WRITER="openai",
            STORYTELLER_ILLUSTRATOR="openai",
            STORYTELLER_PROFILE=profile,
        )
        get_settings.cache_clear()
        reset_openai_clients()
        settings = get_settings()
        polly_model = PollyNarrator(settings.voice, client("polly", settings.aws_region), settings.polly_engine).model
        overrides = ProviderOverrides(narrator=PollyModelNarrator(polly_model))
        try:
            with LocalRuntime(settings, providers=overrides) as runtime:
                seed(CatalogStore(runtime.settings))
                sfn = client("stepfunctions", settings.aws_region)
                for _ in range(STORIES):
                    story_id = runtime.create_story()
                    outcome = runtime.wait_for_story(story_id, timeout=60)
                    story = StoryStore(settings).get(story_id)
                    if story is None or outcome.status != "COMPLETE" or outcome.execution_arn is None:
                        raise RuntimeError(f"story {story_id} did not complete: {outcome}")
                    history = sfn.get_execution_history(executionArn=outcome.execution_arn, maxResults=1000)
                    stories.append((story, _transitions(history["events"]), _names(story.characters)))
        finally:
            reset_openai_clients()

    rows: list[dict[str, Any]] = []
    for story, transitions, cast in stories:
        assert story.usage is not None
        assert story.imageUsage is not None
        assert story.voiceUsage is not None
        rows.append(
            {
                "words": story.words,
                "cast": cast,
                "text_model": story.provenance.text if story.provenance else None,
                "text_input_tokens": story.usage.inputTokens,
                "text_output_tokens": story.usage.outputTokens,
                "text_usd": story.usage.costUsd,
                "image_model": story.imageUsage.model,
                "image_usd": story.imageUsage.costUsd,
                "voice_model": story.voiceUsage.model,
                "voice_characters": story.voiceUsage.characters,
                "voice_usd": story.voiceUsage.costUsd,
                "recorded_usd": story.cost_usd(),
                "state_transitions": transitions,
            }
        )
    providers = statistics.mean(row["recorded_usd"] for row in rows)
    transitions = statistics.mean(row["state_transitions"] for row in rows)
    services = _aws_services(transitions)
    services_total = round(sum(services.values()), 6)
    return {
        "profile": profile,
        "image_quality": settings.picture_quality,
        "voice_engine": settings.polly_engine,
        "stories": len(rows),
        "prices": {model: price.model_dump() for model, price in DEFAULT_PRICES.items()},
        "per_story": rows,
        "mean": {
            "text_usd": round(statistics.mean(row["text_usd"] for row in rows), 6),
            "image_usd": round(statistics.mean(row["image_usd"] for row in rows), 6),
            "voice_usd": round(statistics.mean(row["voice_usd"] for row in rows), 6),
            "voice_characters": round(statistics.mean(row["voice_characters"] for row in rows)),
            "state_transitions": transitions,
        },
        "cost_per_story_usd": round(providers, 6),
        "aws_services_per_story_usd": services_total,
        "aws_services_breakdown_usd": services,
        "cost_per_story_with_services_usd": round(providers + services_total, 6),
        "not_included": [
            "reasoning tokens (0-1,000 a draft, up to ~$0.0045)",
            "rewritten drafts (~$0.003-0.007 each)",
            "Lambda GB-seconds",
            "fixed monthly costs: Secrets Manager and alarms; the pages cost nothing at idle (docs/deploy.md)",
        ],
    }


def _transitions(events: list[dict[str, Any]]) -> int:
    """Standard workflows bill each state entered (Parallel branches' states included)."""
    return sum(1 for event in events if "stateEnteredEventDetails" in event)


def _names(characters: list[Character]) -> str:
    return ", ".join(character.name for character in characters)


def _usd(value: float) -> str:
    return f"{value:.6f}"


def report(result: dict[str, Any]) -> str:
    """Each profile's table, then the two side by side."""
    standard, thrifty = result["profiles"]["standard"], result["profiles"]["thrifty"]
    met = result["targets"]["cost_per_story_thrifty_usd"]["met"]
    return "\n\n".join(
        [
            *(report_profile(figures) for figures in result["profiles"].values()),
            f"thrifty {_usd(thrifty['cost_per_story_usd'])} vs standard {_usd(standard['cost_per_story_usd'])} USD "
            f"a story ({result['thrifty_vs_standard']}x; target thrifty <= {MAX_THRIFTY_USD}: {verdict(met)})",
        ]
    )


def report_profile(result: dict[str, Any]) -> str:
    """One profile's figures as a text table."""
    mean = result["mean"]
    first = result["per_story"][0]
    rows = [
        [f"story ({first['text_model']})", _usd(mean["text_usd"]), "recorded tokens x price table"],
        [f"picture ({first['image_model']})", _usd(mean["image_usd"]), "recorded tokens x price table"],
        [f"narration ({first['voice_model']})", _usd(mean["voice_usd"]), f"{mean['voice_characters']} characters"],
        ["providers, recorded on the story", _usd(result["cost_per_story_usd"]), "StoryItem.cost_usd()"],
        [
            "AWS services (requests)",
            _usd(result["aws_services_per_story_usd"]),
            f"{mean['state_transitions']:.0f} state transitions, 4 invocations, 1 email",
        ],
        ["total", _usd(result["cost_per_story_with_services_usd"]), ""],
    ]
    return "\n".join(
        [
            f"Cost per story in AWS, profile {result['profile']} (picture {result['image_quality']}, "
            f"Polly {result['voice_engine']}), mean of {result['stories']} stories through the cloud providers' code",
            "",
            table(["part", "USD", "from"], rows),
            "",
            "not included: " + "; ".join(result["not_included"]),
        ]
    )


def main() -> None:
    result = measure()
    print(report(result))
    write_result("cost", result)


if __name__ == "__main__":
    main()
