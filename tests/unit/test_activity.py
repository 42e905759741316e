"""The pollers' wake-up: a write wakes every waiter at once, and nothing wakes one that saw it already."""

from __future__ import annotations

import threading

from storyteller.local.activity import Activity


def test_a_write_wakes_every_waiter_long_before_their_timeout() -> None:
    activity = Activity()
    seen = activity.count
    woke: list[int] = []
    waiters = [threading.Thread(target=lambda: woke.append(activity.wait(seen, timeout=120))) for _ in range(3)]
    for waiter in waiters:
        waiter.start()

    activity.happened()

    for waiter in waiters:
        waiter.join(timeout=60)
    assert not any(waiter.is_alive() for waiter in waiters)  # they would sleep two minutes unwoken
    assert woke == [seen + 1] * 3


def test_a_waiter_that_saw_the_last_write_waits_for_the_next_or_its_timeout() -> None:
    activity = Activity()
    activity.happened()
    assert activity.wait(activity.count, timeout=0.01) == 1  # nothing new: back at the timeout
    assert activity.wait(0, timeout=120) == 1  # already moved since 0: returns at once
