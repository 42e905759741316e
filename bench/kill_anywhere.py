"""Kill anywhere, at scale: SIGKILL the local stack at 50+ random instants while it makes stories.

The harness is tests/reliability/kill_anywhere.py (make test runs 4 kills of it, and one kill at each
exact instant after an acknowledged write); this runs it long enough to hit start-up, recovery, every
state of a run and the outbox many times. Counted: acknowledged stories lost, stories with two emails,
emails gone, emailed pages that do not answer 200 with their media. All must be 0.

    python -m bench.kill_anywhere [--kills 50] [--seed 3]
"""

from __future__ import annotations

import argparse
import sys

from bench.common import isolated_home, write_result
from tests.reliability.kill_anywhere import run_kills


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=3)
    options = parser.parse_args(argv)

    with isolated_home("kill-anywhere") as home:
        report = run_kills(home, kills=options.kills, seed=options.seed, life_seconds=4.0)

    print(f"kills              {report.kills} ({report.kills_during_start} during start-up or recovery)")
    print(f"acknowledged       {report.acknowledged} stories")
    print(f"lost               {len(report.lost)}")
    print(f"emails             {report.emails} ({report.complete} stories complete and emailed)")
    print(f"two emails         {len(report.duplicate_emails)}")
    print(f"emails gone        {len(report.emails_gone)}")
    print(f"pages broken       {len(report.pages_broken)}")
    print(f"retried            {report.retried} (runs the kills interrupted)")
    print(f"time               {report.seconds:.0f} s")
    for violation in report.violations[:20]:
        print(f"  {violation}")
    write_result(
        "kill_anywhere",
        {
            "kills": report.kills,
            "kills_during_start": report.kills_during_start,
            "acknowledged": report.acknowledged,
            "lost_acknowledged": len(report.lost),
            "duplicate_emails": len(report.duplicate_emails),
            "emails_gone": len(report.emails_gone),
            "pages_broken": len(report.pages_broken),
            "emails": report.emails,
            "complete": report.complete,
            "retried": report.retried,
            "seconds": report.seconds,
            "violations": report.violations,
        },
    )
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(main())
