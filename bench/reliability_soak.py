"""The long randomized run: tens of thousands of calls with random faults, then the promises checked.

The same soak as tests/reliability/test_randomized.py (tests/reliability/soak.py), longer and with
knobs: every provider and AWS call of the flow fails at random (throttle, 5xx, timeout, malformed),
some StoryCreated events are delivered three times, failed runs are redriven while faults still fly
and again once they stop. It then checks, for every story: an email exists ⇒ the story is COMPLETE
with both media in S3; at most one email; every story emailed. Exit status 1 if any promise broke.

Stories go through fresh stacks of a few hundred each (a stack holds what two days of a family's
stories would), `--workers` stacks at a time, one process each.

    python -m bench.reliability_soak                      # 12 stacks x 450 stories, ~6,300 runs
    python -m bench.reliability_soak --stacks 4 --rate 0.1 --seed 3
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict

from tests.reliability.soak import SoakSettings, run_soak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=450, help="stories per stack")
    parser.add_argument("--stacks", type=int, default=12, help="fresh local stacks, one process each")
    parser.add_argument("--workers", type=int, default=min(os.cpu_count() or 2, 4), help="stacks at a time")
    parser.add_argument("--wave", type=int, default=50, help="stories started at once in a worker")
    parser.add_argument("--rate", type=float, default=0.04, help="chance that any one call fails")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
    options = parser.parse_args(argv)

    settings = SoakSettings(stories=options.stories, wave=options.wave, fault_rate=options.rate, seed=options.seed)
    report = run_soak(settings, workers=options.workers, stacks=options.stacks)

    if options.json:
        print(json.dumps(asdict(report), indent=1))
    else:
        print(f"stacks             {options.stacks} x {options.stories} stories, {options.workers} at a time")
        print(f"fault rate         {options.rate:.0%} of every provider and AWS call")
        print(f"stories            {report.stories}")
        print(f"runs               {report.executions} started, {report.redrives} redrives")
        print(f"faults injected    {report.faults}")
        for name, count in sorted(report.faults_by_kind.items(), key=lambda item: (-item[1], item[0])):
            print(f"  {name:<32} {count:>6}")
        print(f"emails             {report.emails} ({report.complete} stories COMPLETE)")
        print(f"resent             {report.resent} (failed in Notify, no email had arrived: --resend)")
        print(f"left failed        {report.left_failed} (failed in Notify after SNS took the message)")
        print(f"create_story lost  {report.writer_failures} nights (the writer failed; nothing stored)")
        rate = report.executions / report.seconds if report.seconds else 0.0
        print(f"time               {report.seconds:.0f} s, {rate:.1f} runs/s")
        print(f"violations         {len(report.violations)}")
        for violation in report.violations[:20]:
            print(f"  {violation}")
    return 1 if report.violations else 0


if __name__ == "__main__":
    sys.exit(main())
