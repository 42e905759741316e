"""Each family's night, locally: one job per family at its bedtime in its own time zone.

In AWS each family has its own EventBridge Scheduler schedule; here one APScheduler keeps a job per row
of the Families table, and re-reads the table every few seconds, so `storyteller family add` in another
terminal is scheduled without a restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from storyteller.households.family import next_night
from storyteller.models import Family

log = logging.getLogger(__name__)
RESYNC_SECONDS = 5.0
# Bedtimes that fall in the same minute are written this many at a time (each waits for its writer).
FIRING_THREADS = 10


def nightly_trigger(cron: str, time_zone: str) -> CronTrigger:
    """A trigger from a five-field cron expression, in the family's time zone (summer time included)."""
    return CronTrigger.from_crontab(cron, timezone=time_zone)


def bedtime_trigger(family: Family) -> CronTrigger:
    """Every day at the family's bedtime, in its zone."""
    hour, minute = family.at.split(":")
    return CronTrigger(hour=int(hour), minute=int(minute), timezone=family.timeZone)


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


class FamilySchedules:
    """Runs `job(family_id, scheduled_time)` at every family's bedtime, in a background thread pool."""

    def __init__(
        self,
        families: Callable[[], list[Family]],
        job: Callable[[str, str], object],
        resync_seconds: float = RESYNC_SECONDS,
        on_removed: Callable[[str], object] | None = None,
    ) -> None:
        self._families = families
        self._job = job
        self._on_removed = on_removed  # a removed family's stories, emails and runs are forgotten (local/retention)
        self._scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(FIRING_THREADS)},
            # No grace limit: in a minute with more bedtimes than threads, a night waits for a thread and is
            # never dropped as "missed" (it was, after five minutes, for 400 of 1,000 families: bench/households).
            job_defaults={"misfire_grace_time": None, "coalesce": True},
        )
        self._stopping = threading.Event()
        self._resync: threading.Thread | None = None
        self._scheduled: dict[str, Family] = {}  # each family as its job was last scheduled
        self._resync_seconds = resync_seconds

    def start(self) -> None:
        self._scheduler.start()  # first: a job added to a scheduler not yet started is not replaced by id
        self.sync()
        # A thread of its own, one pass after the other: a burst of bedtimes can slow a pass, never stack them.
        self._resync = threading.Thread(target=self._keep_in_step, name="storyteller-families", daemon=True)
        self._resync.start()

    def _keep_in_step(self) -> None:
        while not self._stopping.wait(self._resync_seconds):
            self.sync()

    def sync(self) -> None:
        """Add, move and drop jobs so there is one per family at its current bedtime."""
        try:
            families = {family.id: family for family in self._families()}
        except Exception:  # a failed read keeps tonight's jobs; the next sync tries again
            log.exception("could not read the families; keeping the schedule as it was")
            return
        for family in families.values():
            scheduled = self._scheduled.get(family.id)
            if scheduled is None or (scheduled.at, scheduled.timeZone) != (family.at, family.timeZone):
                self._scheduler.add_job(
                    self._fire,
                    bedtime_trigger(family),
                    args=(family.id,),
                    id=f"family:{family.id}",
                    name=f"tonight for {family.id}",
                    replace_existing=True,
                    max_instances=1,
                )
                self._scheduled[family.id] = family
                log.info("family %s: nightly at %s %s", family.id, family.at, family.timeZone)
        for gone in set(self._scheduled) - set(families):
            self._scheduler.remove_job(f"family:{gone}")
            del self._scheduled[gone]
            log.info("family %s removed: its schedule too", gone)
            if self._on_removed is not None:
                self._on_removed(gone)

    def next_runs(self) -> dict[str, datetime]:
        """When each family's next story will be written."""
        runs: dict[str, datetime] = {}
        for family_id in self._scheduled:
            job = self._scheduler.get_job(f"family:{family_id}")
            trigger = job.trigger if job is not None else None
            moment = job.next_run_time if job is not None and self._scheduler.running else None
            if moment is None and trigger is not None:
                moment = trigger.get_next_fire_time(None, datetime.now(UTC))
            if moment is not None:
                runs[family_id] = moment
        return runs

    def stop(self) -> None:
        self._stopping.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def _fire(self, family_id: str) -> None:
        # The night's bedtime keys its idempotency record, as <aws.scheduler.scheduled-time> does in AWS: a
        # job that starts late (a minute full of bedtimes) or fires twice still names the same night.
        family = self._scheduled.get(family_id)
        now = datetime.now(UTC)
        bedtime = next_night(family, now - timedelta(days=1)) if family is not None else now.replace(second=0)
        self._job(family_id, bedtime.astimezone(UTC).replace(microsecond=0).isoformat())
