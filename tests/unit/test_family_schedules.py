"""The local scheduler keeps one job per family at its bedtime, in its zone, as the Families table says."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from storyteller.households import new_family, next_night
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


def test_a_night_that_waits_for_a_thread_is_never_dropped_as_missed() -> None:
    """1,000 bedtimes in one minute wait minutes for one of the threads: APScheduler must still run each."""
    schedules = FamilySchedules(lambda: [SMITHS], lambda family_id, firing: None, resync_seconds=3600)
    schedules.start()
    try:
        job = schedules._scheduler.get_job("family:smiths")  # the job APScheduler runs
    finally:
        schedules.stop()
    assert job is not None
    assert job.misfire_grace_time is None  # APScheduler: None runs a job however late it starts
    assert job.coalesce is True  # a night missed twice over (a stop) runs once
