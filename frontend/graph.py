"""The state machine as a picture's model: the ASL's states and transitions, and what colour each outcome is.

frontend/graph_drawing.py lays it out as SVG (no Graphviz: the same drawing in Lambda and locally).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from frontend.history import StateRun, StateStatus

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
