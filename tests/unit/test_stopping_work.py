"""What a stop does to work in progress (issue 32): narrations are interrupted, new calls are refused,
and the calls in progress are waited for. The whole command is tested in tests/e2e/test_failed_night_exits.py."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from storyteller import names
from storyteller.errors import NarrationInterruptedError
from storyteller.flow.media import is_mp3
from storyteller.local.lambdas import STOPPING_ERROR, LocalLambdas, running
from storyteller.providers import factory
from storyteller.providers.offline.narrator import HibariNarrator

WAIT_SECONDS = 120  # a loaded machine; the waits below end as soon as what they wait for happens
LONG_STORY = "\n\n".join("The moon came up above the hill,\nand all the little town was still." for _ in range(40))


def test_a_stop_interrupts_a_narration_in_progress_and_not_the_next() -> None:
    outcome: dict[str, Any] = {}

    def narrate() -> None:
        try:
            outcome["audio"] = HibariNarrator().narrate(LONG_STORY)
        except Exception as error:  # noqa: BLE001 - what the narration ended with is the test's subject
            outcome["error"] = error

    speaking = threading.Thread(target=narrate)
    speaking.start()
    # interrupt() reaches only narrations in progress: repeated until this one has begun.
    while factory.interrupt() == 0:
        assert speaking.is_alive(), outcome
        speaking.join(timeout=0.01)
    speaking.join(timeout=WAIT_SECONDS)
    assert not speaking.is_alive()
    assert isinstance(outcome.get("error"), NarrationInterruptedError), outcome
    assert "audio" not in outcome
    assert is_mp3(HibariNarrator().narrate("Good night, little owl."))  # the interruption is not sticky


def test_after_close_no_new_call_starts() -> None:
    lambdas = LocalLambdas()
    called: list[Any] = []
    lambdas.override(names.GENERATE_AUDIO_FUNCTION, lambda event, context: called.append(event))
    lambdas.close()
    body, errored, _ = lambdas.invoke(names.GENERATE_AUDIO_FUNCTION, {"id": "s1"})
    assert errored
    assert json.loads(body)["errorType"] == STOPPING_ERROR
    assert called == []


def test_wait_idle_waits_for_the_calls_in_progress() -> None:
    lambdas = LocalLambdas()
    entered, release = threading.Event(), threading.Event()

    def slow(event: Any, context: Any) -> dict[str, str]:
        entered.set()
        release.wait(WAIT_SECONDS)
        return {"audioKey": "k"}

    lambdas.override(names.GENERATE_AUDIO_FUNCTION, slow)
    call = threading.Thread(target=lambdas.invoke, args=(names.GENERATE_AUDIO_FUNCTION, {}))
    call.start()
    try:
        assert entered.wait(WAIT_SECONDS)
        lambdas.close()
        assert running() == 1
        assert lambdas.wait_idle(timeout=0.05) is False  # the call is held: it cannot have ended
    finally:
        release.set()
    assert lambdas.wait_idle(timeout=WAIT_SECONDS) is True
    call.join(timeout=WAIT_SECONDS)
    assert running() == 0


@pytest.fixture(autouse=True)
def _no_call_left_running() -> Any:
    yield
    assert running() == 0
