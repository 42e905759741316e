"""How `make test` shares the suite between its two pytest-xdist workers (`-n 2`, Makefile PYTEST_WORKERS).

A file's tests run on one worker, in order: many share a module fixture (a local stack, a drill, a batch
of offline stories), which a second worker would only build again. tests/infrastructure goes to one worker
as a whole, so the CDK app is synthesized and the Lambda asset built once per run, not once per worker.
Files are handed out slowest folders first and the many short unit tests last, so both workers finish
together instead of one waiting for a drill that started late.
"""

from __future__ import annotations

import pytest
from xdist.remote import Producer
from xdist.scheduler import LoadScopeScheduling

SLOWEST_FIRST = ("reliability", "e2e", "browser", "integration", "infrastructure", "contract", "unit")
ONE_WORKER = ("infrastructure",)


def folder(nodeid: str) -> str:
    """The folder under tests/ a test lives in ("" for anything else)."""
    parts = nodeid.split("::", 1)[0].split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "tests" else ""


def rank(nodeid: str) -> int:
    """Where a test's folder comes in the handing-out order."""
    name = folder(nodeid)
    return SLOWEST_FIRST.index(name) if name in SLOWEST_FIRST else len(SLOWEST_FIRST)


def unit_of_work(nodeid: str) -> str:
    """The tests a worker takes together: a file, or the whole of tests/infrastructure."""
    name = folder(nodeid)
    return f"tests/{name}" if name in ONE_WORKER else nodeid.split("::", 1)[0]


class FileScheduling(LoadScopeScheduling):
    """xdist's `--dist loadfile`, with tests/infrastructure as one unit of work."""

    def __init__(self, config: pytest.Config, log: Producer | None = None) -> None:
        super().__init__(config, log)
        # Hand files out in collection order (slowest folders first, see tests/conftest.py), not xdist's
        # default of most tests first, which would start a three-test drill of minutes last.
        config.option.loadscopereorder = False

    def _split_scope(self, nodeid: str) -> str:
        return unit_of_work(nodeid)
