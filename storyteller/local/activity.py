"""Wake-ups for the local pollers: the pump and `wait_for_story` act when something happens for them,
not at their next poll, and are not woken by what is none of their business.

Each hop of a story waited half a poll interval on average, a quarter of the flow's own time
(bench/orchestration.py). Waking every poller at every write was the next cost: each write's answer then
raced the pump's six requests and the waiter's two for the interpreter (a DynamoDB put took 12.6 ms
instead of 5.2 ms). So the pump hears only what makes work for it, and a waiter only what it waits for.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


class Activity:
    """A counter that pollers can wait on; thread-safe."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._count = 0

    @property
    def count(self) -> int:
        with self._changed:
            return self._count

    def happened(self) -> int:
        """Something happened: wake every waiter. The count now."""
        with self._changed:
            self._count += 1
            self._changed.notify_all()
            return self._count

    def wait(self, seen: int, timeout: float) -> int:
        """Block until the count differs from `seen` or `timeout` passes; the count now."""
        with self._changed:
            self._changed.wait_for(lambda: self._count != seen, timeout)
            return self._count


@dataclass(frozen=True)
class Wakeups:
    """Who is woken by what. Each poller still polls at its interval, so a missed wake-up only delays.

    The stream and the outbox have a pump each: a published message (the run's Notify) used to wake one
    pump that read the stream too, and that read raced the run's last state for the interpreter.
    """

    # Work for the stream pump: an item put (a stream INSERT, what the pipe's filter passes), a stop.
    stream: Activity = field(default_factory=Activity)
    # Work for the outbox pump: a published message (an email to write), a failed run's end (the status
    # rule's to deliver), a stop.
    outbox: Activity = field(default_factory=Activity)
    # What `wait_for_story` waits for: the pumps moved something (an email written, a failure marked), a run ended.
    news: Activity = field(default_factory=Activity)
    # Any of those or any acknowledged write: progress output follows every state of a run.
    anything: Activity = field(default_factory=Activity)

    def written(self, *, stream: bool = False, outbox: bool = False) -> None:
        """A write was acknowledged; `stream`: it put an item, `outbox`: it published a message."""
        if stream:
            self.stream.happened()
        if outbox:
            self.outbox.happened()
        self.anything.happened()

    def stopping(self) -> None:
        """Both pumps stop now, not at their next interval."""
        self.stream.happened()
        self.outbox.happened()

    def reported(self) -> None:
        """News for waiters: never wakes the pump, which reports it."""
        self.news.happened()
        self.anything.happened()
