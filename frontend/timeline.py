"""Where a run's seconds went: a Gantt chart of its states, drawn as SVG on the server (no script).

One row per state that was entered, in definition order; a Parallel's branches get rows of their own
under it, so overlapping bars show the branches ran at once. The critical path is what the run had to
wait for: every top-level state, and inside a Parallel the branch that finished last (the Parallel
waits for it). Each bar links to the state's details, has a <title> for screen readers and carries
its start and end in seconds as data attributes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import quote

from frontend.graph import PALETTE, Flow, StateNode, format_seconds
from frontend.history import RunHistory

ROW_HEIGHT = 26
LABEL_WIDTH = 170
CHART_WIDTH = 560
AXIS_HEIGHT = 22


@dataclass(frozen=True)
class Bar:
    """One entry of one state, in seconds from the run's start."""

    state: str
    depth: int
    start: float
    end: float
    status: str
    critical: bool
    branch_of: str | None  # the Parallel this state is in, if any


def bars(flow: Flow, history: RunHistory, started: datetime, now: datetime) -> list[Bar]:
    """Every entered state's spans, with the critical path marked."""
    critical = _critical_states(flow, history, now)
    found: list[Bar] = []
    for state, depth, parallel in _walk(flow):
        run = history.states.get(state.name)
        if run is None:
            continue
        for entered, exited in run.spans:
            # A failed state has no exit: its last attempt's end is where it stopped.
            last_try = run.attempt_log[-1].ended if run.attempt_log else None
            end = exited or (now if run.status.value == "running" else max(entered, last_try or entered))
            found.append(
                Bar(
                    state=state.name,
                    depth=depth,
                    start=(entered - started).total_seconds(),
                    end=max((end - started).total_seconds(), (entered - started).total_seconds()),
                    status=run.status.value,
                    critical=state.name in critical,
                    branch_of=parallel,
                )
            )
    return found


def _walk(flow: Flow, depth: int = 0, parallel: str | None = None) -> list[tuple[StateNode, int, str | None]]:
    rows: list[tuple[StateNode, int, str | None]] = []
    for state in flow.states:
        rows.append((state, depth, parallel))
        for branch in state.branches:
            rows.extend(_walk(branch, depth + 1, state.name))
    return rows


def _critical_states(flow: Flow, history: RunHistory, now: datetime) -> set[str]:
    """Top-level states, and in each Parallel the branch whose last state ended last."""
    critical: set[str] = set()
    for state in flow.states:
        if state.name not in history.states:
            continue
        critical.add(state.name)
        latest: tuple[datetime, Flow] | None = None
        for branch in state.branches:
            ends = [
                exited or now
                for inner in branch.states
                if (run := history.states.get(inner.name)) is not None
                for _, exited in run.spans
            ]
            if ends and (latest is None or max(ends) > latest[0]):
                latest = (max(ends), branch)
        if latest is not None:
            critical |= _critical_states(latest[1], history, now)
    return critical


def render(found: list[Bar], total_seconds: float, link: str) -> str:
    """The chart as an SVG element; `link` is the run page's path (bars open `?state=`)."""
    if not found:
        return ""
    span = max(total_seconds, max(bar.end for bar in found), 0.001)
    rows: dict[str, int] = {}
    for bar in found:
        rows.setdefault(bar.state, len(rows))
    height = AXIS_HEIGHT + ROW_HEIGHT * len(rows) + 6
    width = LABEL_WIDTH + CHART_WIDTH + 10
    parts = [
        f'<svg class="timeline" role="img" aria-labelledby="timeline-title timeline-desc" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
        '<title id="timeline-title">Timeline of the run\'s states</title>',
        f'<desc id="timeline-desc">Bars from each state\'s entry to its exit over {escape(format_seconds(span))}; '
        "thick outlined bars are the critical path.</desc>",
    ]
    for tick in _ticks(span):
        x = LABEL_WIDTH + tick / span * CHART_WIDTH
        parts.append(f'<line class="tick" x1="{x:.1f}" y1="{AXIS_HEIGHT - 4}" x2="{x:.1f}" y2="{height}"/>')
        mark = format_seconds(tick) if tick else "0"
        parts.append(f'<text class="axis" x="{x:.1f}" y="{AXIS_HEIGHT - 8}">{escape(mark)}</text>')
    for name, index in rows.items():
        y = AXIS_HEIGHT + index * ROW_HEIGHT
        depth = next(bar.depth for bar in found if bar.state == name)
        parts.append(f'<text class="label" x="{8 + depth * 14}" y="{y + ROW_HEIGHT * 0.65:.1f}">{escape(name)}</text>')
    for bar in found:
        y = AXIS_HEIGHT + rows[bar.state] * ROW_HEIGHT + 5
        x = LABEL_WIDTH + bar.start / span * CHART_WIDTH
        w = max(2.0, (bar.end - bar.start) / span * CHART_WIDTH)
        fill, border, _ = PALETTE[next(status for status in PALETTE if status.value == bar.status)]
        took = format_seconds(bar.end - bar.start)
        path = " (critical path)" if bar.critical else ""
        href = f"{link}?state={quote(bar.state, safe='')}#state"
        kind = "tl-bar critical" if bar.critical else "tl-bar"
        label = f"{bar.state}: {bar.status}, {took} from +{format_seconds(bar.start)}{path}"
        parts.append(
            f'<a href="{escape(href)}" class="{kind}" data-state="{escape(bar.state)}" '
            f'data-start="{bar.start:.3f}" data-end="{bar.end:.3f}" data-critical="{str(bar.critical).lower()}">'
            f"<title>{escape(label)}</title>"
            f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{ROW_HEIGHT - 10}" rx="3" fill="{fill}" '
            f'stroke="{border}" stroke-width="{3 if bar.critical else 1}"/></a>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _ticks(span: float) -> list[float]:
    """At most seven round marks: 1, 2 or 5 times a power of ten."""
    rough = max(span, 1e-3) / 6
    magnitude = 10 ** math.floor(math.log10(rough))
    step = next(factor * magnitude for factor in (1, 2, 5, 10) if factor * magnitude >= rough)
    return [index * step for index in range(int(span / step) + 1)]
