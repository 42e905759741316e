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


def test_the_pumps_sleep_through_writes_that_give_them_no_work_and_through_their_own_news() -> None:
    wakeups = Wakeups()
    stream, outbox = wakeups.stream.count, wakeups.outbox.count
    news, anything = wakeups.news.count, wakeups.anything.count

    wakeups.written()  # e.g. a picture stored in S3
    wakeups.reported()  # e.g. the outbox pump wrote an email

    assert wakeups.stream.wait(stream, timeout=0.01) == stream  # back at its timeout, not woken
    assert wakeups.outbox.wait(outbox, timeout=0.01) == outbox
    assert wakeups.news.wait(news, timeout=120) == news + 1  # the waiter hears the email at once
    assert wakeups.anything.wait(anything, timeout=120) == anything + 2  # progress output hears both


def test_a_new_item_wakes_the_stream_pump_only_and_is_no_news_for_a_waiter() -> None:
    wakeups = Wakeups()
    outbox, news = wakeups.outbox.count, wakeups.news.count

    wakeups.written(stream=True)  # e.g. a story put: a stream INSERT for the pipe

    assert wakeups.stream.count == 1
    assert wakeups.anything.count == 1
    assert wakeups.outbox.wait(outbox, timeout=0.01) == outbox  # a new item is no email to write
    assert wakeups.news.wait(news, timeout=0.01) == news


def test_a_published_message_wakes_the_outbox_pump_only() -> None:
    wakeups = Wakeups()
    stream = wakeups.stream.count

    wakeups.written(outbox=True)  # e.g. the run's Notify: an email to write

    assert wakeups.outbox.count == 1
    assert wakeups.stream.wait(stream, timeout=0.01) == stream  # the stream has nothing new for it


def test_stopping_wakes_both_pumps() -> None:
    wakeups = Wakeups()
    wakeups.stopping()
    assert (wakeups.stream.count, wakeups.outbox.count) == (1, 1)
