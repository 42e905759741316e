"""The local scheduler keeps one job per family at its bedtime, in its zone, as the Families table says."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from storyteller.households.family import new_family, next_night
from storyteller.local.scheduler import FamilySchedules

SMITHS = new_family("smiths", ["mum@smiths.example"], "Europe/Paris", "19:30")
OKAFOR = new_family("okafor", ["dad@okafor.example"], "America/New_York", "18:45")


def test_each_family_gets_a_job_at_its_bedtime_which_moves_and_goes_with_it() -> None:
    table = [SMITHS, OKAFOR]
    schedules = FamilySchedules(lambda: list(table), lambda family_id, firing: None, resync_seconds=3600)

    schedules.start()
    try:
        first = schedules.next_runs()
        table[0] = SMITHS.model_copy(update={"at": "20:10"})
        del table[1]
        schedules.sync()
        second = schedules.next_runs()
    finally:
        schedules.stop()

    assert set(first) == {"smiths", "okafor"}
    assert first["smiths"].astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M") == "19:30"
    assert first["okafor"].astimezone(ZoneInfo("America/New_York")).strftime("%H:%M") == "18:45"
    assert first["smiths"] == next_night(SMITHS)
    assert set(second) == {"smiths"}
    assert second["smiths"].astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M") == "20:10"


def test_a_failed_read_keeps_tonights_jobs() -> None:
    answers: list[object] = [[SMITHS], RuntimeError("the table is away")]

    def families() -> list:  # type: ignore[type-arg]
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[return-value]

    schedules = FamilySchedules(families, lambda family_id, firing: None)
    schedules.sync()
    schedules.sync()

    assert set(schedules.next_runs()) == {"smiths"}


def test_a_late_or_repeated_firing_names_the_same_night() -> None:
    fired: list[tuple[str, str]] = []
    schedules = FamilySchedules(lambda: [SMITHS], lambda family_id, firing: fired.append((family_id, firing)))
    schedules.sync()

    schedules._fire("smiths")
    schedules._fire("smiths")

    assert len({firing for _, firing in fired}) == 1
    night = datetime.fromisoformat(fired[0][1])
    assert night.tzinfo is not None
    assert night <= datetime.now(UTC)
    assert night.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M") == "19:30"


def test_a_night_that_starts_late_is_still_made_and_nights_missed_together_make_one() -> None:
    """1,000 bedtimes in one minute wait minutes for one of the threads: APScheduler must still run each."""
    made: list[tuple[str, str]] = []
    fired = threading.Event()

    def job(family_id: str, firing: str) -> None:
        made.append((family_id, firing))
        fired.set()

    schedules = FamilySchedules(lambda: [SMITHS], job, resync_seconds=3600)
    schedules.start()
    try:
        # As if no thread had been free since three bedtimes ago (or the stack had been stopped): by default
        # APScheduler drops a run that starts more than a second late.
        late = next_night(SMITHS, datetime.now(UTC) - timedelta(days=3))
        schedules._scheduler.modify_job("family:smiths", next_run_time=late)
        assert fired.wait(timeout=60), "the late night was dropped as missed"
    finally:
        schedules._scheduler.shutdown(wait=True)  # every run it started has ended
        schedules.stop()

    assert len(made) == 1  # three nights missed make one story, not three
    assert datetime.fromisoformat(made[0][1]) > late  # and it is the latest night's
