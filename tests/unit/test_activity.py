"""The pollers' wake-ups: at once for every waiter, never for one that saw it, each only for its own business."""

from __future__ import annotations

import threading

from storyteller.local.activity import Activity, Wakeups


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


def test_the_pump_sleeps_through_writes_that_give_it_no_work_and_through_its_own_news() -> None:
    wakeups = Wakeups()
    pump, news, anything = wakeups.pump.count, wakeups.news.count, wakeups.anything.count

    wakeups.written(pump_work=False)  # e.g. a picture stored in S3
    wakeups.reported()  # e.g. the pump wrote an email

    assert wakeups.pump.wait(pump, timeout=0.01) == pump  # back at its timeout, not woken
    assert wakeups.news.wait(news, timeout=120) == news + 1  # the waiter hears the email at once
    assert wakeups.anything.wait(anything, timeout=120) == anything + 2  # progress output hears both


def test_a_new_item_wakes_the_pump_and_progress_output_but_is_no_news_for_a_waiter() -> None:
    wakeups = Wakeups()
    news = wakeups.news.count

    wakeups.written(pump_work=True)  # e.g. a story put: a stream INSERT for the pipe

    assert wakeups.pump.count == 1
    assert wakeups.anything.count == 1
    assert wakeups.news.wait(news, timeout=0.01) == news
