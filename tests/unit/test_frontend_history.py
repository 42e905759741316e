"""Each state's outcome, read from recorded execution histories."""

from __future__ import annotations

import random
from datetime import timedelta

from frontend.history import RunHistory, StateStatus, read_history
from tests.unit.frontend_histories import recorded

S = StateStatus


def _read(name: str) -> RunHistory:
    execution, events = recorded(name)
    return read_history(events, execution["status"])


def _statuses(history: RunHistory) -> dict[str, StateStatus]:
    return {name: run.status for name, run in history.states.items()}


def test_a_successful_run_succeeds_state_by_state_and_skips_the_exits_it_did_not_take() -> None:
    history = _read("succeeded")

    assert _statuses(history) == {
        "CheckEvent": S.SUCCEEDED,
        "Claim": S.SUCCEEDED,
        "MakeMedia": S.SUCCEEDED,
        "Illustrate": S.SUCCEEDED,
        "Narrate": S.SUCCEEDED,
        "SaveMedia": S.SUCCEEDED,
        "Notify": S.SUCCEEDED,
        "MarkNotified": S.SUCCEEDED,
    }
    assert history.state("AlreadyClaimed").status is S.NOT_REACHED
    assert history.state("RejectEvent").entries == 0
    illustrate = history.state("Illustrate")
    assert (illustrate.entries, illustrate.attempts, illustrate.retries) == (1, 1, 0)
    duration = illustrate.duration()
    assert duration is not None
    assert timedelta(0) < duration < timedelta(seconds=5)
    assert history.redrives == []


def test_a_failed_branch_fails_its_state_and_the_parallel_and_stops_the_run() -> None:
    history = _read("failed")

    narrate, make_media = history.state("Narrate"), history.state("MakeMedia")
    assert narrate.status is S.FAILED
    assert narrate.error == "RuntimeError"
    assert narrate.cause_message == "speech engine crashed"
    assert make_media.status is S.FAILED
    assert make_media.error == "RuntimeError"  # the Parallel fails with its branch's error
    assert history.state("Illustrate").status is S.SUCCEEDED
    assert history.state("SaveMedia").status is S.NOT_REACHED


def test_a_retry_that_worked_shows_as_retried_with_its_error() -> None:
    illustrate = _read("retried").state("Illustrate")

    assert illustrate.status is S.RETRIED
    assert (illustrate.attempts, illustrate.retries) == (2, 1)
    assert illustrate.error == "ProviderUnavailableError"
    assert illustrate.cause_message == "the painter is busy, try again"


def test_retries_that_ran_out_fail_the_state_with_every_attempt_counted() -> None:
    history = _read("retries_exhausted")

    illustrate = history.state("Illustrate")
    assert illustrate.status is S.FAILED
    assert (illustrate.attempts, illustrate.retries) == (4, 3)  # MaxAttempts 3 after the first
    assert history.state("Narrate").status is S.SUCCEEDED


def test_a_running_run_shows_what_is_still_running() -> None:
    history = _read("running")

    assert history.state("Illustrate").status is S.RUNNING
    assert history.state("MakeMedia").status is S.RUNNING
    assert history.state("Narrate").status is S.SUCCEEDED
    started = history.state("Illustrate").started
    assert started is not None
    duration = history.state("Illustrate").duration(now=started + timedelta(seconds=3))
    assert duration == timedelta(seconds=3)


def test_a_stopped_run_leaves_its_open_states_stopped_not_failed() -> None:
    history = _read("aborted")

    assert history.state("Illustrate").status is S.STOPPED
    assert history.state("MakeMedia").status is S.STOPPED
    assert history.state("Narrate").status is S.SUCCEEDED


def test_a_timed_out_run_fails_the_states_it_was_in() -> None:
    _, events = recorded("running")
    last = events[-1]
    events.append(
        {
            "id": last["id"] + 1,
            "previousEventId": last["id"],
            "timestamp": last["timestamp"] + timedelta(minutes=5),
            "type": "ExecutionTimedOut",
            "executionTimedOutEventDetails": {"error": "States.Timeout", "cause": "too slow"},
        }
    )

    history = read_history(events, "TIMED_OUT")

    assert history.state("Illustrate").status is S.FAILED
    assert history.state("Illustrate").error == "States.Timeout"
    assert history.state("Narrate").status is S.SUCCEEDED


def test_a_duplicate_run_shows_claim_caught_and_the_quiet_exit() -> None:
    history = _read("duplicate")

    claim = history.state("Claim")
    assert claim.status is S.CAUGHT
    assert claim.error == "DynamoDB.ConditionalCheckFailedException"
    assert history.state("AlreadyClaimed").status is S.SUCCEEDED
    assert history.state("MakeMedia").status is S.NOT_REACHED


def test_a_redriven_run_shows_the_redrive_and_its_new_outcome() -> None:
    history = _read("redriven")

    assert len(history.redrives) == 1
    assert [line.type for line in history.lines].count("ExecutionRedriven") == 1
    narrate = history.state("Narrate")
    assert (narrate.status, narrate.entries, narrate.error) == (S.SUCCEEDED, 2, None)
    assert history.state("MakeMedia").entries == 2
    assert history.state("Claim").entries == 1  # the first run's claim stands
    assert history.state("MarkNotified").status is S.SUCCEEDED


def test_a_redrive_that_reruns_only_the_failed_branch_as_aws_does() -> None:
    execution, events = recorded("redriven")
    redrive = next(event["id"] for event in events if event["type"] == "ExecutionRedriven")
    second_illustrate = next(
        event["id"]
        for event in events
        if event["id"] > redrive and event.get("stateEnteredEventDetails", {}).get("name") == "Illustrate"
    )
    chain = {second_illustrate}
    for event in events:
        if event.get("previousEventId") in chain and "stateEnteredEventDetails" not in event:
            chain.add(event["id"])
    kept = [event for event in events if event["id"] not in chain]

    history = read_history(kept, execution["status"])

    assert history.state("Illustrate").entries == 1
    assert history.state("Illustrate").status is S.SUCCEEDED
    assert history.state("Narrate").status is S.SUCCEEDED


def test_the_order_events_arrive_in_does_not_matter() -> None:
    execution, events = recorded("retried")
    shuffled = events[:]
    random.Random(7).shuffle(shuffled)

    assert _statuses(read_history(shuffled, execution["status"])) == _statuses(read_history(events, "SUCCEEDED"))
