"""Figures some tests report at the end of the run (faults injected, runs, emails, time).

Under pytest-xdist the tests run in worker processes: each worker hands its figures to the controller
(tests/conftest.py), which prints them, so `make test` shows them as a plain `python -m pytest` does.
"""

from __future__ import annotations

FIGURES: dict[str, str] = {}
# The key a worker's figures travel under in xdist's workeroutput.
WORKER_OUTPUT_KEY = "storyteller_figures"
