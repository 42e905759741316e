"""The state machine drawn from the ASL, each state coloured by its outcome."""

from __future__ import annotations

import json
import re
import shutil
from xml.etree import ElementTree

import pytest

from frontend.graph import PALETTE, anchors, format_seconds, parse_flow, state_link, status_line
from frontend.graph_drawing import draw
from frontend.history import StateRun, StateStatus, read_history
from storyteller.flow.workflow import definition_text
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


def _boxes(svg: str) -> dict[str, str]:
    """Each state's link element (its title names the state) → the SVG inside it."""
    return {
        match.group(1).split(":")[0]: match.group(2)
        for match in re.finditer(r'<a href="[^"]*" target="_self" title="([^"]*)">(.*?)</a>', svg, flags=re.S)
    }


def test_each_state_is_coloured_by_its_outcome() -> None:
    boxes = _boxes(draw(FLOW, _history("failed")))

    assert f'fill="{PALETTE[StateStatus.FAILED][0]}"' in boxes["Narrate"]
    assert "failed · RuntimeError" in boxes["Narrate"]
    assert f'fill="{PALETTE[StateStatus.SUCCEEDED][0]}"' in boxes["Illustrate"]
    assert "stroke-dasharray" in boxes["SaveMedia"]
    assert "not reached" in boxes["SaveMedia"]
    assert "MakeMedia (parallel)" in boxes["MakeMedia"]


def test_every_state_of_our_asl_is_drawn_and_linked_with_no_dot_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert shutil.which("dot") is None
    svg = draw(FLOW, _history("redriven"))

    assert svg.startswith('<svg role="img" aria-labelledby="graph-title"')
    assert 'width="' not in svg.split(">", 1)[0]  # CSS sizes it; the viewBox keeps its shape
    ElementTree.fromstring(svg)  # well-formed: the browser gets one SVG element, not a fragment
    assert set(_boxes(svg)) == {state.name for state, _ in FLOW.walk()}
    for state, _ in FLOW.walk():
        assert f'href="{state_link(state.name)}"' in svg
    assert PALETTE[StateStatus.SUCCEEDED][0] in svg


def test_parallel_branches_sit_side_by_side_below_their_fork_and_the_main_line_runs_down() -> None:
    svg = draw(FLOW, _history("succeeded"))
    positions = _positions(svg)

    assert positions["Illustrate"][1] == positions["Narrate"][1]  # one row
    assert positions["Illustrate"][0] < positions["Narrate"][0]  # side by side, in definition order
    assert positions["MakeMedia"][1] < positions["Illustrate"][1] < positions["SaveMedia"][1]
    spine = [positions[name][0] for name in ("CheckEvent", "Claim", "MakeMedia", "SaveMedia", "MarkNotified")]
    assert max(spine) - min(spine) < 0.5  # the main line runs straight down
    assert positions["CheckEvent"][1] < positions["Claim"][1] < positions["Notify"][1] < positions["MarkNotified"][1]


def _positions(svg: str) -> dict[str, tuple[float, float]]:
    """Each state's name label's (x, y) in the drawing's coordinates (translations added up)."""
    found: dict[str, tuple[float, float]] = {}
    offsets: list[tuple[float, float]] = [(0.0, 0.0)]
    for token in re.finditer(
        r'<g transform="translate\(([-\d.]+),([-\d.]+)\)">|</g>|<text x="([-\d.]+)" '
        r'y="([-\d.]+)"[^>]*font-size="12"[^>]*>([^<]*)</text>',
        svg,
    ):
        if token.group(0) == "</g>":
            offsets.pop()
        elif token.group(1) is not None:
            x, y = offsets[-1]
            offsets.append((x + float(token.group(1)), y + float(token.group(2))))
        else:
            x, y = offsets[-1]
            name = token.group(5).split(" (")[0]
            found[name] = (round(x + float(token.group(3)), 1), round(y + float(token.group(4)), 1))
    return found


def test_the_box_says_the_outcome_in_words() -> None:
    run = StateRun("Illustrate", status=StateStatus.RETRIED, retries=2, attempts=3)
    assert status_line(run) == "retried · 2 retries"
    failed = StateRun("Narrate", status=StateStatus.FAILED, error="A" * 40)
    assert status_line(failed).endswith("…")
    assert [format_seconds(s) for s in (0.062, 1.234, 75, 120)] == ["62 ms", "1.2 s", "1 min 15 s", "2 min"]


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

    svg = draw(flow, history)

    assert "<script>" not in svg
    assert "<img" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "a &quot;quoted&quot; \\ name" in svg
    ElementTree.fromstring(svg)
