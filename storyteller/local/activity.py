"""A wake-up for the local pollers: the pump and `wait_for_story` act when a write is acknowledged,
not at their next poll.

The stream, the topic and the runs' ends are polled every PUMP_INTERVAL_SECONDS; each hop of a story
waited half an interval on average, a quarter of the flow's own time (bench/orchestration.py). The
endpoint counts each acknowledged write; a poller waits for the count to move, or for the interval.
"""

from __future__ import annotations

import threading


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
        """Something was written: wake every waiter. The count now."""
        with self._changed:
            self._count += 1
            self._changed.notify_all()
            return self._count

    def wait(self, seen: int, timeout: float) -> int:
        """Block until the count differs from `seen` or `timeout` passes; the count now."""
        with self._changed:
            self._changed.wait_for(lambda: self._count != seen, timeout)
            return self._count
