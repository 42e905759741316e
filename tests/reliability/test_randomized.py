"""Hundreds of runs with random faults in every provider and AWS call, in two processes at once.

The promises hold however the faults fall: an email exists ⇒ the story is COMPLETE with both media
in S3; never two emails for a story; and once the faults stop and failed runs are retried, every
story has its email. This is make test's short share, with a fixed seed; bench/reliability_soak.py runs
the same for longer, and bench/soak_under_load.py five times beside two busy processes.
"""

from __future__ import annotations

import os

from tests.figures import FIGURES
from tests.reliability.soak import SoakSettings, run_soak

# Two workers of 150 stories: ~350 runs with the duplicate deliveries, ~40 s on two quiet cores.
STORIES_PER_WORKER = 150
WORKERS = 2


def test_hundreds_of_runs_with_random_faults_keep_every_promise() -> None:
    report = run_soak(SoakSettings(stories=STORIES_PER_WORKER, seed=int(os.environ.get("SOAK_SEED", "7"))), WORKERS)
    FIGURES["randomized"] = (
        f"{report.executions} runs ({report.redrives} redrives), {report.stories} stories, "
        f"{report.faults} faults injected, {report.emails} emails, {report.resent} resent after a check, "
        f"{report.seconds:.0f} s"
    )

    assert report.violations == []
    assert report.executions >= 300
    assert report.emails == report.stories == report.complete
    assert report.faults >= 60
    kinds = {name.rsplit(" ", 1)[1] for name in report.faults_by_kind}
    assert kinds == {"throttle", "server-error", "timeout", "malformed"}
