"""Inside a run and across runs: a state's input, output and attempts, the timeline, the nights page, exports.

Recorded executions (tests/unit/frontend_histories) through the real app, and made-up runs for the
figures whose right answer is easy to work out by hand.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from frontend import exports, nights, state_details
from frontend.nights import Filters, NightRun
from tests.unit.test_frontend_console import FakeStepFunctions, log_in, make_client, run_name
from tests.unit.test_frontend_history import recorded

BAR = re.compile(
    r'class="(?P<kind>tl-bar[^"]*)" data-state="(?P<state>[^"]+)" data-start="(?P<start>[\d.]+)" '
    r'data-end="(?P<end>[\d.]+)" data-critical="(?P<critical>true|false)"'
)


@pytest.fixture
def sfn() -> FakeStepFunctions:
    return FakeStepFunctions("succeeded", "failed", "retried")


def _section(html: str, section_id: str) -> str:
    start = html.index(f'id="{section_id}"')
    return html[start : html.index("</section>", start)]


def test_selecting_a_state_shows_what_went_in_what_came_out_and_each_attempt(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)
    _, events = recorded("retried")
    entered = next(e for e in events if e.get("stateEnteredEventDetails", {}).get("name") == "Illustrate")
    story_id = json.loads(entered["stateEnteredEventDetails"]["input"])["id"]

    page = client.get(f"/console/runs/{run_name('retried')}", params={"state": "Illustrate"})

    details = _section(page.text, "state")
    assert 'id="state-title">Illustrate' in details
    assert story_id in details  # the input it was given
    assert f"stories/{story_id}/image.png" in details  # the output it passed on
    attempts = re.findall(r'<tr class="attempt ([\w-]+)">(.*?)</tr>', details, re.DOTALL)
    assert [outcome for outcome, _ in attempts] == ["failed", "succeeded"]
    assert "<strong>ProviderUnavailableError</strong>" in attempts[0][1]  # the failed attempt names its error
    assert "<strong>" not in attempts[1][1]
    assert 'aria-current="true">Illustrate</a>' in page.text  # the row says which state is selected


def test_a_failed_run_opens_on_the_state_that_failed(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)

    details = _section(client.get(f"/console/runs/{run_name('failed')}").text, "state")

    assert 'id="state-title">Narrate' in details
    assert "RuntimeError" in details
    assert re.findall(r'<tr class="attempt ([\w-]+)">', details)[-1] == "failed"


def test_an_unknown_state_in_the_link_is_ignored_not_an_error(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)

    page = client.get(f"/console/runs/{run_name('succeeded')}", params={"state": "<script>"})

    assert page.status_code == 200
    assert "Select a state in the graph" in page.text
    assert "<script>" not in page.text


def test_the_timeline_draws_both_branches_at_once_and_marks_the_one_the_run_waited_for(
    sfn: FakeStepFunctions,
) -> None:
    client = make_client(sfn)
    log_in(client)

    page = client.get(f"/console/runs/{run_name('retried')}").text
    found = {match["state"]: match for match in BAR.finditer(page)}

    illustrate, narrate = found["Illustrate"], found["Narrate"]
    assert float(illustrate["start"]) < float(narrate["end"])
    assert float(narrate["start"]) < float(illustrate["end"])  # the two branches overlap
    slower = max((illustrate, narrate), key=lambda bar: float(bar["end"]))
    faster = narrate if slower is illustrate else illustrate
    assert (slower["critical"], faster["critical"]) == ("true", "false")
    assert all(found[state]["critical"] == "true" for state in ("Claim", "MakeMedia", "SaveMedia", "Notify"))
    assert f'href="/console/runs/{run_name("retried")}?state=Narrate#state"' in page


def test_a_long_payload_is_cut_with_the_whole_one_a_click_away() -> None:
    text = json.dumps({"text": "la " * 1000})

    shown = state_details.shown(text, limit=200)

    assert shown is not None
    assert len(shown.head) <= 202
    assert shown.head.endswith("…")
    assert shown.whole is not None
    assert json.loads(shown.whole) == json.loads(text)
    assert state_details.shown('{"a": 1}') == state_details.Payload('{\n  "a": 1\n}', None, 12)


def _run(name: str, status: str, started: datetime, seconds: dict[str, float], **extra: Any) -> NightRun:
    return NightRun(
        name=name,
        story_id=f"story-{name}",
        title=extra.pop("title", f"The Night of {name}"),
        status=status,
        started=started,
        stopped=started + timedelta(seconds=sum(seconds.values())),
        redrives=extra.pop("redrives", 0),
        failed_state=extra.pop("failed_state", None),
        error=extra.pop("error", None),
        state_seconds=seconds,
    )


MONDAY = datetime(2026, 11, 30, 19, 15, tzinfo=UTC)
BOOM = {"failed_state": "Narrate", "error": "Boom"}


def test_nights_group_by_the_schedule_s_zone_with_percentiles_failures_and_redrives() -> None:
    runs = [
        _run("a", "SUCCEEDED", MONDAY, {"Illustrate": 1.0, "Narrate": 2.0}),
        _run("b", "SUCCEEDED", MONDAY + timedelta(days=1), {"Illustrate": 3.0, "Narrate": 2.0}, redrives=1),
        _run("c", "FAILED", MONDAY + timedelta(days=1), {"Illustrate": 2.0}, **BOOM),
        # 23:30 in London on Wednesday is already Thursday in Tokyo.
        _run(
            "d",
            "FAILED",
            MONDAY + timedelta(days=2, hours=4, minutes=15),
            {"Illustrate": 4.0},
            failed_state="Narrate",
            error="Boom",
        ),
    ]

    london = nights.summarize(runs, ZoneInfo("Europe/London"), ["Illustrate", "Narrate", "Unused"])
    tokyo = nights.summarize(runs, ZoneInfo("Asia/Tokyo"), ["Illustrate", "Narrate"])

    assert [(night.day, night.runs, night.succeeded) for night in london.nights] == [
        (date(2026, 11, 30), 1, 1),
        (date(2026, 12, 1), 2, 1),
        (date(2026, 12, 2), 1, 0),
    ]
    assert [night.day for night in tokyo.nights][-1] == date(2026, 12, 3)
    assert [(s.state, s.runs, s.p50, s.p95) for s in london.states] == [
        ("Illustrate", 4, 2.0, 4.0),
        ("Narrate", 2, 2.0, 2.0),
    ]
    assert london.failures == [("Narrate", "Boom", 2)]
    assert (london.redriven, london.redriven_succeeded) == (1, 1)
    assert london.success_rate == 0.5


def test_filters_keep_runs_by_status_night_and_title_or_id() -> None:
    zone = ZoneInfo("Europe/London")
    run = _run("x1", "FAILED", MONDAY, {}, title="Ember and the Lighthouse")

    assert Filters(status="FAILED").keeps(run, zone)
    assert not Filters(status="SUCCEEDED").keeps(run, zone)
    assert Filters(since=date(2026, 11, 30), until=date(2026, 11, 30)).keeps(run, zone)
    assert not Filters(since=date(2026, 12, 1)).keeps(run, zone)
    assert Filters(query="lighthouse").keeps(run, zone)
    assert Filters(query="story-x1").keeps(run, zone)
    assert not Filters(query="dragon").keeps(run, zone)


def test_the_nights_page_filters_and_exports_what_it_shows(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)

    everything = client.get("/console/nights")
    failed = client.get("/console/nights", params={"status": "FAILED"})
    exported = client.get("/console/nights.csv", params={"status": "FAILED"})
    as_json = client.get("/console/nights.json")

    assert everything.status_code == 200
    assert "3 runs over 1 night" in everything.text
    assert "<td>Narrate</td><td>RuntimeError</td>" in everything.text
    assert "1 run over 1 night" in failed.text
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(row["status"], row["failed_state"]) for row in rows] == [("FAILED", "Narrate")]
    assert exported.headers["content-disposition"] == 'attachment; filename="nights.csv"'
    assert sorted(record["status"] for record in as_json.json()) == ["FAILED", "SUCCEEDED", "SUCCEEDED"]


def test_a_finished_run_is_read_once_however_often_the_nights_page_is_opened(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)
    described: list[str] = []
    original = sfn.describe_execution

    def counting(executionArn: str) -> dict[str, Any]:  # noqa: N803 - boto3's names
        described.append(executionArn)
        return original(executionArn)

    sfn.describe_execution = counting  # type: ignore[method-assign]
    for _ in range(3):
        assert client.get("/console/nights").status_code == 200

    assert len(described) == 3  # three finished runs, each described once


def test_a_title_that_looks_like_a_formula_stays_text_in_the_csv() -> None:
    run = _run("f", "SUCCEEDED", MONDAY, {"Notify": 0.1}, title='=HYPERLINK("https://evil.example")')

    body = exports.nights_csv([run], "nights.csv").body

    row = next(csv.DictReader(io.StringIO(bytes(body).decode())))
    assert row["title"].startswith("'=")


def test_a_run_s_history_downloads_as_json_with_every_event(sfn: FakeStepFunctions) -> None:
    client = make_client(sfn)
    log_in(client)
    _, events = recorded("failed")

    answer = client.get(f"/console/runs/{run_name('failed')}/history.json")

    assert answer.status_code == 200
    document = answer.json()
    assert len(document["events"]) == len(events)
    assert document["execution"]["status"] == "FAILED"
    assert client.get("/console/runs/no-such-run/history.json").status_code == 404
