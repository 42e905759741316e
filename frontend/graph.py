"""The state machine as a picture: the ASL's states and transitions, laid out by Graphviz as SVG.

Graphviz does the layout (Parallel branches side by side in their own boxes); we only say which
states exist, how they connect and what colour each one's outcome is.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import graphviz  # type: ignore[import-untyped]

from frontend.history import RunHistory, StateRun, StateStatus

# fill, border, text: each outcome also says its name in the label, so colour is never the only cue.
PALETTE: dict[StateStatus, tuple[str, str, str]] = {
    StateStatus.SUCCEEDED: ("#dcf3e4", "#1f7a45", "#12351f"),
    StateStatus.RETRIED: ("#fff0c7", "#9a6200", "#3d2a00"),
    StateStatus.CAUGHT: ("#ece4ff", "#6b46c1", "#2d1a5c"),
    StateStatus.FAILED: ("#fde0e0", "#b42318", "#5c0f0a"),
    StateStatus.RUNNING: ("#dbeafe", "#1d4ed8", "#0f2a6b"),
    StateStatus.STOPPED: ("#eceff3", "#5b6270", "#2b2f38"),
    StateStatus.NOT_REACHED: ("#ffffff", "#9aa0ad", "#5b6270"),
}
_FONT = "DejaVu Sans"
_EDGE_TAKEN, _EDGE_IDLE = "#4a4f63", "#b8bcc8"
_LABEL_ERROR_CHARS = 28


@dataclass(frozen=True)
class Transition:
    """An arrow from one state to another; `kind` is '' for Next, or 'catch', 'choice', 'default'."""

    target: str
    kind: str = ""


@dataclass(frozen=True)
class StateNode:
    """A state of the definition, with its branches when it is a Parallel (or Map)."""

    name: str
    type: str
    transitions: tuple[Transition, ...]
    terminal: bool
    branches: tuple[Flow, ...] = ()
    comment: str | None = None


@dataclass(frozen=True)
class Flow:
    """A list of states with a start: the whole machine, or one branch."""

    start: str
    states: tuple[StateNode, ...]

    def walk(self, depth: int = 0) -> Iterator[tuple[StateNode, int]]:
        """Every state in definition order, branch states right after their Parallel, with nesting depth."""
        for state in self.states:
            yield state, depth
            for branch in state.branches:
                yield from branch.walk(depth + 1)


def parse_flow(definition: Mapping[str, Any]) -> Flow:
    """The ASL document (or a branch of it) as a Flow."""
    states: list[StateNode] = []
    for name, body in definition["States"].items():
        transitions: list[Transition] = []
        if "Next" in body:
            transitions.append(Transition(body["Next"]))
        for choice in body.get("Choices", []):
            if "Next" in choice:
                transitions.append(Transition(choice["Next"], "choice"))
        if "Default" in body:
            transitions.append(Transition(body["Default"], "default"))
        for catcher in body.get("Catch", []):
            transitions.append(Transition(catcher["Next"], "catch"))
        transitions = _merged(transitions)
        inner = body.get("Branches") or [body[key] for key in ("ItemProcessor", "Iterator") if key in body]
        states.append(
            StateNode(
                name=name,
                type=body["Type"],
                transitions=tuple(transitions),
                terminal=bool(body.get("End")) or body["Type"] in ("Succeed", "Fail"),
                branches=tuple(parse_flow(branch) for branch in inner),
                comment=body.get("Comment"),
            )
        )
    return Flow(start=definition["StartAt"], states=tuple(states))


def _merged(transitions: list[Transition]) -> list[Transition]:
    """One arrow per target: a Choice with two rules and a Default to one state gets 'choice, default'."""
    kinds: dict[str, list[str]] = {}
    for transition in transitions:
        kinds.setdefault(transition.target, [])
        if transition.kind not in kinds[transition.target]:
            kinds[transition.target].append(transition.kind)
    return [Transition(target, ", ".join(kind for kind in found if kind)) for target, found in kinds.items()]


def anchors(flow: Flow) -> dict[str, str]:
    """State name → an HTML id, shared by the graph's links and the table's rows."""
    return {state.name: f"state-{index}" for index, (state, _) in enumerate(flow.walk())}


def state_link(name: str) -> str:
    """The run page with this state selected: its input, output and attempts below the graph."""
    return f"?state={quote(name, safe='')}#state"


def status_line(run: StateRun) -> str:
    """The second line of a state's box: its outcome, in words."""
    parts = [run.status.value.replace("-", " ")]
    if run.retries:
        parts.append(f"{run.retries} {'retry' if run.retries == 1 else 'retries'}")
    duration = run.duration()
    if duration is not None and run.status is not StateStatus.RUNNING:
        parts.append(format_seconds(duration.total_seconds()))
    if run.error and run.status in (StateStatus.FAILED, StateStatus.CAUGHT):
        parts.append(run.error if len(run.error) <= _LABEL_ERROR_CHARS else run.error[: _LABEL_ERROR_CHARS - 1] + "…")
    return " · ".join(parts)


def format_seconds(seconds: float) -> str:
    """0.062 → '62 ms', 1.234 → '1.2 s', 75 → '1 min 15 s'."""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def to_dot(flow: Flow, history: RunHistory) -> str:
    """The Graphviz description of the machine, each state coloured by its outcome in `history`."""
    ids = anchors(flow)
    dot = graphviz.Digraph("run", graph_attr={"rankdir": "TB", "bgcolor": "transparent", "compound": "true"})
    dot.attr("graph", fontname=_FONT, fontsize="11", nodesep="0.3", ranksep="0.42", pad="0.15")
    dot.attr("node", shape="box", style="rounded,filled", fontname=_FONT, fontsize="12", margin="0.18,0.08")
    dot.attr("edge", color=_EDGE_IDLE, arrowsize="0.7", fontname=_FONT, fontsize="9", fontcolor="#5b6270")
    dot.node("start", label="", shape="circle", width="0.16", style="filled", fillcolor=_EDGE_TAKEN, color=_EDGE_TAKEN)
    dot.node("end", label="", shape="doublecircle", width="0.12", style="filled", fillcolor=_EDGE_TAKEN)
    _add_flow(dot, flow, history, ids, end="end")
    dot.edge("start", _entry(flow, flow.start, ids), color=_EDGE_TAKEN)
    return str(dot.source)


def _entry(flow: Flow, name: str, ids: dict[str, str]) -> str:
    """The node an arrow into state `name` points at: the state, or a Parallel's fork bar."""
    state = next(state for state in flow.states if state.name == name)
    return f"{ids[name]}-fork" if state.branches else ids[name]


def _exit(state: StateNode, ids: dict[str, str]) -> str:
    return f"{ids[state.name]}-join" if state.branches else ids[state.name]


def _finished(run: StateRun) -> bool:
    return run.status in (StateStatus.SUCCEEDED, StateStatus.RETRIED, StateStatus.CAUGHT)


def _add_flow(dot: Any, flow: Flow, history: RunHistory, ids: dict[str, str], end: str) -> None:
    for state in flow.states:
        run = history.state(state.name)
        fill, border, text = PALETTE[run.status]
        link = {
            "URL": _text(state_link(state.name)),
            "target": "_self",
            "tooltip": _text(f"{state.name}: {status_line(run)}"),
        }
        if state.branches:
            _add_parallel(dot, state, run, history, ids, link)
        else:
            shape = "ellipse" if state.type in ("Succeed", "Fail") else "diamond" if state.type == "Choice" else "box"
            dot.node(
                ids[state.name],
                label=_label(state.name, status_line(run)),
                shape=shape,
                fillcolor=fill,
                color=border,
                fontcolor=text,
                penwidth="2.4" if run.status is StateStatus.FAILED else "1.3",
                style="rounded,filled,dashed" if run.status is StateStatus.NOT_REACHED else "rounded,filled",
                **link,
            )
        for transition in state.transitions:
            taken = run.entries > 0 and history.state(transition.target).entries > 0
            dot.edge(
                _exit(state, ids),
                _entry(flow, transition.target, ids),
                label=transition.kind,
                color=_EDGE_TAKEN if taken else _EDGE_IDLE,
                style="solid" if taken else "dashed",
                penwidth="1.4" if taken else "1",
                weight="1" if transition.kind else "4",  # the main line straight, detours to the side
            )
        if state.terminal:
            dot.edge(_exit(state, ids), end, color=_EDGE_TAKEN if _finished(run) else _EDGE_IDLE)


def _label(name: str, detail: str) -> Any:
    """Two lines; "\\n" is DOT's line break, the only escape we add."""
    return graphviz.nohtml(graphviz.escape(name) + "\\n" + graphviz.escape(detail))


def _text(text: str) -> Any:
    """Escaped so a state's name or error cannot add Graphviz escapes or become an HTML-like label."""
    return graphviz.nohtml(graphviz.escape(text))


def _add_parallel(
    dot: Any, state: StateNode, run: StateRun, history: RunHistory, ids: dict[str, str], link: dict[str, str]
) -> None:
    fill, border, text = PALETTE[run.status]
    anchor = ids[state.name]
    bar = {"shape": "box", "label": "", "height": "0.05", "width": "0.9", "style": "filled"}
    with dot.subgraph(name=f"cluster_{anchor}") as box:
        box.attr(
            label="",
            style="rounded,filled,dashed" if run.status is StateStatus.NOT_REACHED else "rounded,filled",
            fillcolor="#f5f6fa",
            color=border,
            fontcolor=text,
            penwidth="2.4" if run.status is StateStatus.FAILED else "1.3",
            margin="12",
            **link,
        )
        # The Parallel's own box opens the lane (as the cluster's label, arrows into it would cross it).
        box.node(
            f"{anchor}-fork",
            label=_label(f"{state.name} ({state.type.lower()})", status_line(run)),
            fillcolor=fill,
            color=border,
            fontcolor=text,
            penwidth="2.4" if run.status is StateStatus.FAILED else "1.3",
            style="rounded,filled,dashed" if run.status is StateStatus.NOT_REACHED else "rounded,filled",
            **link,
        )
        box.node(f"{anchor}-join", fillcolor=border, color=border, **bar)
        for branch in state.branches:
            _add_flow(box, branch, history, ids, end=f"{anchor}-join")
            taken = history.state(branch.start).entries > 0
            box.edge(f"{anchor}-fork", _entry(branch, branch.start, ids), color=_EDGE_TAKEN if taken else _EDGE_IDLE)


def render_svg(dot_source: str) -> str | None:
    """Inline SVG for the page, or None when Graphviz's `dot` is not installed (the table says it all)."""
    try:
        return _render(dot_source)
    except graphviz.ExecutableNotFound:
        return None


@functools.lru_cache(maxsize=128)
def _render(dot_source: str) -> str:
    svg = graphviz.Source(dot_source).pipe(format="svg", encoding="utf-8")
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    # Drop the fixed size so CSS can scale it; the viewBox keeps the proportions.
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', "<svg", svg, count=1)
    return svg.replace("<svg", '<svg role="img" aria-labelledby="graph-title"', 1)
