"""The state machine drawn from the ASL, each state coloured by its outcome."""

from __future__ import annotations

import json

import pytest

from frontend.graph import PALETTE, anchors, format_seconds, parse_flow, render_svg, status_line, to_dot
from frontend.history import StateRun, StateStatus, read_history
from storyteller.workflow import definition_text
from tests.unit.frontend_histories import recorded

FLOW = parse_flow(json.loads(definition_text()))


def _history(name: str):  # type: ignore[no-untyped-def]
    execution, events = recorded(name)
    return read_history(events, execution["status"])


def test_the_asl_becomes_a_flow_with_the_parallel_branches_inside_it() -> None:
    top = [state.name for state in FLOW.states]
    make_media = next(state for state in FLOW.states if state.name == "MakeMedia")
    claim = next(state for state in FLOW.states if state.name == "Claim")

    assert FLOW.start == top[0]
    assert "Illustrate" not in top
    assert [branch.start for branch in make_media.branches] == ["Illustrate", "Narrate"]
    assert {(t.target, t.kind) for t in claim.transitions} >= {("MakeMedia", ""), ("AlreadyClaimed", "catch")}
    walked = [(state.name, depth) for state, depth in FLOW.walk()]
    assert walked[walked.index(("MakeMedia", 0)) + 1 : walked.index(("MakeMedia", 0)) + 3] == [
        ("Illustrate", 1),
        ("Narrate", 1),
    ]
    assert len(set(anchors(FLOW).values())) == len(walked)


def test_each_state_is_coloured_by_its_outcome() -> None:
    dot = to_dot(FLOW, _history("failed"))
    ids = anchors(FLOW)

    def line(name: str) -> str:
        return next(row for row in dot.splitlines() if row.strip().startswith(f'"{ids[name]}" ['))

    assert f'fillcolor="{PALETTE[StateStatus.FAILED][0]}"' in line("Narrate")
    assert "failed · RuntimeError" in line("Narrate")
    assert f'fillcolor="{PALETTE[StateStatus.SUCCEEDED][0]}"' in line("Illustrate")
    assert "dashed" in line("SaveMedia")
    assert "not reached" in line("SaveMedia")
    assert 'subgraph "cluster_' in dot


def test_the_box_says_the_outcome_in_words() -> None:
    run = StateRun("Illustrate", status=StateStatus.RETRIED, retries=2, attempts=3)
    assert status_line(run) == "retried · 2 retries"
    failed = StateRun("Narrate", status=StateStatus.FAILED, error="A" * 40)
    assert status_line(failed).endswith("…")
    assert [format_seconds(s) for s in (0.062, 1.234, 75, 120)] == ["62 ms", "1.2 s", "1 min 15 s", "2 min"]


@pytest.mark.usefixtures("graphviz_dot")
def test_graphviz_draws_an_svg_that_scales_and_links_to_each_state_s_details() -> None:
    svg = render_svg(to_dot(FLOW, _history("redriven")))

    assert svg is not None
    assert svg.startswith('<svg role="img" aria-labelledby="graph-title"')
    assert 'width="' not in svg.split(">", 1)[0]  # CSS sizes it; the viewBox keeps its shape
    assert 'href="?state=Narrate#state"' in svg
    assert PALETTE[StateStatus.SUCCEEDED][0] in svg
    assert "<!--" not in svg


@pytest.mark.usefixtures("graphviz_dot")
def test_names_and_errors_in_the_svg_are_text_not_markup() -> None:
    definition = {
        "StartAt": "<script>alert(1)</script>",
        "States": {
            "<script>alert(1)</script>": {"Type": "Pass", "Next": 'a "quoted" \\ name'},
            'a "quoted" \\ name': {"Type": "Succeed"},
        },
    }
    flow = parse_flow(definition)
    history = read_history([], "RUNNING")
    history.states["<script>alert(1)</script>"] = StateRun(
        "<script>alert(1)</script>", status=StateStatus.FAILED, error="<img src=x onerror=alert(1)>"
    )

    svg = render_svg(to_dot(flow, history))

    assert svg is not None
    assert "<script>" not in svg
    assert "<img" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "a &quot;quoted&quot; \\ name" in svg or 'a "quoted" \\ name' in svg


def test_without_graphviz_there_is_no_svg_and_no_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    from frontend import graph

    graph._render.cache_clear()
    assert render_svg("digraph { a }") is None
