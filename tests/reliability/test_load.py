"""A hundred stories at once on one laptop: none lost, none emailed twice."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from tests.figures import FIGURES
from tests.reliability.drill import Drill

STORIES = 100


def test_a_hundred_stories_at_once_are_all_made_and_emailed_once(drill: Drill) -> None:
    stories = [drill.new_story() for _ in range(STORIES)]
    started = time.monotonic()

    with ThreadPoolExecutor(max_workers=20) as pool:
        list(pool.map(drill.put_story, stories))
    stored = time.monotonic() - started
    for story in stories:
        drill.finished(drill.execution_arn(story.id, timeout=120), timeout=120)
    drill.settle(timeout=120)
    seconds = time.monotonic() - started

    found = drill.check({story.id for story in stories})
    FIGURES["load"] = (
        f"{STORIES} stories stored in {stored:.1f} s, all made and emailed in {seconds:.1f} s; "
        f"{found.emails} emails, {found.failed_runs} failed runs"
    )
    assert found.violations == []
    assert found.complete == STORIES  # 0 lost
    assert found.emails == STORIES  # 0 duplicate emails (and none missing)
    assert found.failed_runs == 0
