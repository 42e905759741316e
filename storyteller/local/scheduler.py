"""The nightly schedule: the same cron expression and IANA time zone the CDK schedule uses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger


def nightly_trigger(cron: str, time_zone: str) -> CronTrigger:
    """A trigger from a five-field cron expression, in the family's time zone (summer time included)."""
    return CronTrigger.from_crontab(cron, timezone=time_zone)


def schedule_problem(cron: str, time_zone: str) -> str | None:
    """Why the schedule cannot work (a value out of range, a night that never comes), or None."""
    try:
        trigger = nightly_trigger(cron, time_zone)
    except ValueError as error:
        return f"cron {cron!r}: {error}"
    now = datetime.now(trigger.timezone)
    if trigger.get_next_fire_time(None, now) is None:
        return f"cron {cron!r} never fires (no such date)"
    return None


class NightlySchedule:
    """Runs `job` at every firing of the schedule, in a background thread."""

    def __init__(self, cron: str, time_zone: str, job: Callable[[], object]) -> None:
        self._scheduler = BackgroundScheduler(timezone=time_zone)
        self._job = self._scheduler.add_job(job, nightly_trigger(cron, time_zone), name="tonight", max_instances=1)

    def start(self) -> None:
        self._scheduler.start()

    def next_run(self) -> datetime | None:
        """When the next story will be written."""
        moment: datetime | None = self._job.next_run_time
        return moment

    def stop(self) -> None:
        self._scheduler.shutdown(wait=False)
