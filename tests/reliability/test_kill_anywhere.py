"""SIGKILL, not a mocked failure: the local stack dies at exact instants and at random ones, and loses nothing.

Each test runs real processes (tests/reliability/kill_anywhere.py): a driver making stories is killed,
a fresh stack starts on the same STORYTELLER_HOME, recovers, and retries what failed. `make bench`
runs the random kills at scale (bench/kill_anywhere.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.kill_anywhere import KILL_POINTS, die_at, die_during_start, run_kills


@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_a_kill_right_after_an_acknowledged_write_loses_nothing_and_emails_once(tmp_path: Path, point: str) -> None:
    report = die_at(tmp_path / "home", point)

    assert report.violations == []
    assert report.complete >= 1  # the story the driver was making when it died is finished and emailed
    assert report.emails == report.complete
    if point == "email-published":
        # SNS had accepted the message: recovery finishes the run after Notify, no retry, no second email.
        assert report.retried == 0


def test_a_kill_during_start_up_while_restoring_loses_nothing_and_emails_once(tmp_path: Path) -> None:
    report = die_during_start(tmp_path / "home")

    assert report.kills_during_start == 1  # the second life died before it had started
    assert report.violations == []
    assert report.acknowledged == 1
    assert report.complete == 1
    assert report.emails == 1
    assert report.retried == 0  # its email had gone out before the first kill: nothing to redo


def test_kills_at_random_instants_lose_no_acknowledged_story(tmp_path: Path) -> None:
    report = run_kills(tmp_path / "home", kills=4, seed=5, life_seconds=3.0)

    assert report.violations == []
    assert report.kills == 4
    assert report.acknowledged >= 1
    assert report.emails == report.complete >= report.acknowledged
