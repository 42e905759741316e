"""The console across runs: the nights page for 200 recorded runs, against the story page, in one run.

A local stack makes 200 stories with quick providers (every run recorded in the engine, as after two
hundred nights), then the nights page (`/console/nights?limit=200`) and a story page are each fetched
40 times through the app in this process. The first nights page reads every run's history once
(finished runs are cached: their history never changes); the figure is the p50 after it, and the
first, cold one is reported beside it.

    python -m bench.console
"""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient

from bench.common import isolated_home, median, percentile, write_result
from frontend.app import create_app
from frontend.settings import FrontendSettings
from storyteller.dal.catalog import CatalogStore
from storyteller.households.seed import seed
from storyteller.local.faults import FaultPlan
from storyteller.local.runtime import LocalRuntime
from storyteller.settings import get_settings

RUNS = 200
FETCHES = 40
PASSWORD = "bench-operator-password"


def _timed(client: TestClient, path: str, times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        answer = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (path, answer.status_code)
    return samples


def main() -> None:
    with isolated_home("console"), LocalRuntime(get_settings(), providers=FaultPlan().providers()) as runtime:
        seed(CatalogStore(runtime.settings))
        ids = [runtime.create_story() for _ in range(RUNS)]
        outcomes = [runtime.wait_for_story(story_id, timeout=300) for story_id in ids]
        assert runtime.resources is not None
        app = create_app(
            runtime.settings,
            FrontendSettings(console_password=PASSWORD, state_machine_arn=runtime.resources.state_machine_arn),
        )
        client = TestClient(app, base_url="http://127.0.0.1")
        form = client.get("/console/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert token is not None
        client.post("/console/login", data={"csrf": token.group(1), "password": PASSWORD, "next": "/console"})

        nights_path = f"/console/nights?limit={RUNS}"
        started = time.perf_counter()
        first = client.get(nights_path)
        cold_ms = (time.perf_counter() - started) * 1000
        assert f"{RUNS} runs over" in first.text, first.text[:500]
        nights = _timed(client, nights_path, FETCHES)
        story = _timed(client, f"/stories/{ids[0]}", FETCHES)

    ratio = median(nights) / median(story)
    complete = sum(1 for outcome in outcomes if outcome.execution_status == "SUCCEEDED")
    print(f"runs recorded         {RUNS} ({complete} succeeded)")
    print(f"nights page, first    {cold_ms:.0f} ms (every history read once)")
    print(f"nights page p50/p95   {median(nights):.1f} / {percentile(nights, 0.95):.1f} ms")
    print(f"story page p50/p95    {median(story):.1f} / {percentile(story, 0.95):.1f} ms")
    print(f"nights ÷ story (p50)  {ratio:.2f}")
    write_result(
        "console",
        {
            "runs": RUNS,
            "nights_page_first_ms": cold_ms,
            "nights_page_p50_ms": median(nights),
            "nights_page_p95_ms": percentile(nights, 0.95),
            "story_page_p50_ms": median(story),
            "nights_vs_story_p50": ratio,
        },
    )


if __name__ == "__main__":
    main()
