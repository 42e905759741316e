"""`python -m bench` (`make bench`): every benchmark in its own process, then the summary.

A benchmark that fails is reported and the others still run; the exit status is 1 if any failed.
Missed targets do not fail the run: they are figures, shown as MISSED.
"""

from __future__ import annotations

import subprocess
import sys
import time

from bench import summary
from bench.common import REPO_ROOT

BENCHMARKS = (
    "orchestration",
    "concurrency",
    "households",
    "frontend",
    "cold_start",
    "web_cold_start",
    "offline_providers",
    "story_variety",
    "family_stories",
    "cost",
    "console",
    "durability",
    "kill_anywhere",
    "soak_under_load",
)


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"\n=== {name} ===", flush=True)
        started = time.monotonic()
        done = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=REPO_ROOT, check=False)
        print(f"({name}: {time.monotonic() - started:.0f} s)", flush=True)
        if done.returncode != 0:
            failed.append(name)
    print("\n=== summary ===")
    summary.main()
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
