"""The state machine drawn as SVG in pure Python: no Graphviz `dot`, so the same drawing in Lambda and locally.

A layered layout made for the shapes our ASL has: each flow's states in rows by their longest distance
from the start (so the main line runs down the middle), a Choice's targets side by side, and a Parallel
as a box with its branches laid out the same way, side by side between a fork and a join bar. Text sizes
are estimated, not measured: boxes are sized generously for DejaVu Sans or any sans-serif.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

from frontend.graph import PALETTE, Flow, StateNode, anchors, state_link, status_line
from frontend.history import RunHistory, StateRun, StateStatus

_EDGE_TAKEN, _EDGE_IDLE = "#4a4f63", "#b8bcc8"
_CLUSTER_FILL = "#f5f6fa"
_LABEL_COLOUR = "#5b6270"
_NAME_CHAR, _DETAIL_CHAR = 7.6, 6.3  # average advance of a 12 px and an 11 px sans-serif character
_BOX_HEIGHT = 40.0
_CHOICE_HEIGHT = 58.0
_ROW_GAP = 34.0  # room for an arrow and its label between two rows
_SIDE_GAP = 44.0  # between boxes of a row: an arrow with a short label passes between them
_CLUSTER_PAD = 14.0
_BAR_HEIGHT = 5.0
_DOT = 7.0  # radius of the start and end marks


@dataclass
class Drawn:
    """A laid-out piece in its own coordinates: its size, its SVG, where arrows enter and leave it."""

    width: float
    height: float
    svg: list[str]
    entry: tuple[float, float]
    exit: tuple[float, float]
    # Points whose arrows go to what follows the flow (the end mark, or a Parallel's join bar).
    ends: list[tuple[float, float, bool]] = field(default_factory=list)


def draw(flow: Flow, history: RunHistory) -> str:
    """Inline SVG of the whole machine, each state coloured by its outcome, each linking to its details."""
    ids = anchors(flow)
    body = _flow(flow, history, ids)
    width = body.width + 2 * _CLUSTER_PAD
    top = 2 * _DOT + _ROW_GAP
    height = top + body.height + _ROW_GAP + 2 * _DOT + 4
    svg = [_defs()]
    start = (width / 2, _DOT + 2)
    svg.append(f'<circle cx="{start[0]:.1f}" cy="{start[1]:.1f}" r="{_DOT}" fill="{_EDGE_TAKEN}"/>')
    svg.append(f'<g transform="translate({_CLUSTER_PAD:.1f},{top:.1f})">')
    svg.extend(body.svg)
    svg.append("</g>")
    entry = (_CLUSTER_PAD + body.entry[0], top + body.entry[1])
    svg.append(_arrow((start[0], start[1] + _DOT), entry, taken=True))
    end = (width / 2, height - _DOT - 2)
    svg.append(f'<circle cx="{end[0]:.1f}" cy="{end[1]:.1f}" r="{_DOT}" fill="none" stroke="{_EDGE_TAKEN}"/>')
    svg.append(f'<circle cx="{end[0]:.1f}" cy="{end[1]:.1f}" r="{_DOT - 2.5}" fill="{_EDGE_TAKEN}"/>')
    for x, y, taken in body.ends:
        svg.append(_arrow((_CLUSTER_PAD + x, top + y), (end[0], end[1] - _DOT), taken=taken))
    return (
        f'<svg role="img" aria-labelledby="graph-title" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width:.1f} {height:.1f}" font-family="DejaVu Sans, Verdana, sans-serif">'
        + "".join(svg)
        + "</svg>"
    )


def _flow(flow: Flow, history: RunHistory, ids: dict[str, str]) -> Drawn:
    """One flow's states in rows; arrows between them; its terminal states' exits left to the caller."""
    pieces = {state.name: _state(state, history, ids) for state in flow.states}
    rows, spine = _rows(flow)
    # The spine (the longest path) runs down the centre line; a row's other states sit beside its spine
    # state, those defined before it on the left, those after on the right.
    offsets: dict[str, float] = {}  # each state's left edge, relative to the centre line
    half = 0.0
    for row in rows:
        middle = next((index for index, name in enumerate(row) if name in spine), None)
        if middle is None:
            row_width = sum(pieces[name].width for name in row) + _SIDE_GAP * (len(row) - 1)
            x = -row_width / 2
            for name in row:
                offsets[name] = x
                x += pieces[name].width + _SIDE_GAP
        else:
            centre = row[middle]
            offsets[centre] = -pieces[centre].width / 2
            x = pieces[centre].width / 2 + _SIDE_GAP
            for name in row[middle + 1 :]:
                offsets[name] = x
                x += pieces[name].width + _SIDE_GAP
            x = -pieces[centre].width / 2 - _SIDE_GAP
            for name in reversed(row[:middle]):
                x -= pieces[name].width
                offsets[name] = x
                x -= _SIDE_GAP
        half = max(half, *(max(-offsets[name], offsets[name] + pieces[name].width) for name in row))
    width = 2 * half
    origin: dict[str, tuple[float, float]] = {}
    spans: list[tuple[float, float]] = []  # each row's top and bottom
    y = 0.0
    for row in rows:
        row_height = max(pieces[name].height for name in row)
        for name in row:
            origin[name] = (half + offsets[name], y + (row_height - pieces[name].height) / 2)
        spans.append((y, y + row_height))
        y += row_height + _ROW_GAP
    height = y - _ROW_GAP
    row_of = {name: index for index, row in enumerate(rows) for name in row}

    def lanes(source: str, target: str, x: float) -> list[tuple[float, float, float]]:
        """Where an arrow that skips rows passes each of them: beside their states, never through one."""
        via = []
        for index in range(row_of[source] + 1, row_of[target]):
            blocked = True
            while blocked:
                blocked = False
                for name in rows[index]:
                    left = origin[name][0]
                    if left - 6 <= x <= left + pieces[name].width + 6:
                        x, blocked = left + pieces[name].width + _SIDE_GAP / 2, True
            via.append((x, *spans[index]))
        return via

    def at(name: str, point: tuple[float, float]) -> tuple[float, float]:
        return origin[name][0] + point[0], origin[name][1] + point[1]

    svg: list[str] = []
    ends: list[tuple[float, float, bool]] = []
    for state in flow.states:
        piece = pieces[state.name]
        ox, oy = origin[state.name]
        svg.append(f'<g transform="translate({ox:.1f},{oy:.1f})">')
        svg.extend(piece.svg)
        svg.append("</g>")
        run = history.state(state.name)
        for transition in state.transitions:
            if transition.target not in pieces:
                continue
            taken = run.entries > 0 and history.state(transition.target).entries > 0
            source, target = at(state.name, piece.exit), at(transition.target, pieces[transition.target].entry)
            via = lanes(state.name, transition.target, source[0])
            svg.append(_arrow(source, target, taken=taken, label=transition.kind, via=via))
        # A Succeed or Fail is an end in itself (its own rounded shape); an arrow to the end mark would only
        # cross the drawing. A Task or Pass that ends the flow points at the end (or the join bar).
        if state.terminal and state.type not in ("Succeed", "Fail"):
            exit_x, exit_y = at(state.name, piece.exit)
            ends.append((exit_x, exit_y, _finished(run)))
    entry = at(flow.start, pieces[flow.start].entry)
    return Drawn(width, height, svg, entry=entry, exit=entry, ends=ends)


def _rows(flow: Flow) -> tuple[list[list[str]], set[str]]:
    """States by their longest path from the start (back edges ignored), in definition order within a row;
    and the spine: the longest path from the start to an end."""
    names = [state.name for state in flow.states]
    nexts = {state.name: [t.target for t in state.transitions if t.target in names] for state in flow.states}
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:  # depth-first post-order: a topological order of the forward edges
        seen.add(name)
        for target in nexts[name]:
            if target not in seen:
                visit(target)
        order.append(name)

    visit(flow.start)
    for name in names:
        if name not in seen:
            visit(name)
    position = {name: index for index, name in enumerate(reversed(order))}
    forward = {name: [t for t in nexts[name] if position[t] > position[name]] for name in names}
    rank = dict.fromkeys(names, 0)
    for name in reversed(order):
        for target in forward[name]:
            rank[target] = max(rank[target], rank[name] + 1)
    depth = dict.fromkeys(names, 0)  # longest path from here to an end
    for name in order:
        depth[name] = max((depth[target] + 1 for target in forward[name]), default=0)
    spine, step = {flow.start}, flow.start
    while forward[step]:
        step = max(forward[step], key=lambda target: (depth[target], -names.index(target)))
        spine.add(step)
    rows: list[list[str]] = [[] for _ in range(max(rank.values()) + 1)]
    for name in names:
        rows[rank[name]].append(name)
    return [row for row in rows if row], spine


def _state(state: StateNode, history: RunHistory, ids: dict[str, str]) -> Drawn:
    run = history.state(state.name)
    if state.branches:
        return _parallel(state, run, history, ids)
    detail = status_line(run)
    width = _text_width(state.name, detail)
    if state.type == "Choice":
        width, height = width + 56, _CHOICE_HEIGHT
        outline = (
            f"M{width / 2:.1f},0 L{width:.1f},{height / 2:.1f} L{width / 2:.1f},{height:.1f} L0,{height / 2:.1f} Z"
        )
    else:
        height = _BOX_HEIGHT
        radius = height / 2 if state.type in ("Succeed", "Fail") else 7.0
        outline = _rounded(0, 0, width, height, radius)
    svg = _linked(state.name, run, [_shape(outline, run), *_two_lines(state.name, detail, width / 2, height / 2, run)])
    return Drawn(width, height, svg, entry=(width / 2, 0), exit=(width / 2, height))


def _parallel(state: StateNode, run: StateRun, history: RunHistory, ids: dict[str, str]) -> Drawn:
    """The Parallel's own box on top, its branches side by side, a join bar below, all in one lane."""
    title, detail = f"{state.name} ({state.type.lower()})", status_line(run)
    head_width = _text_width(title, detail)
    branches = [_flow(branch, history, ids) for branch in state.branches]
    inner_width = sum(branch.width for branch in branches) + _SIDE_GAP * (len(branches) - 1)
    width = max(head_width, inner_width) + 2 * _CLUSTER_PAD
    branch_top = _CLUSTER_PAD + _BOX_HEIGHT + _ROW_GAP
    inner_height = max(branch.height for branch in branches)
    bar_y = branch_top + inner_height + _ROW_GAP
    height = bar_y + _BAR_HEIGHT + _CLUSTER_PAD
    border = PALETTE[run.status][1]
    dash = ' stroke-dasharray="5,3"' if run.status is StateStatus.NOT_REACHED else ""
    svg = [
        f'<path d="{_rounded(0, 0, width, height, 10)}" fill="{_CLUSTER_FILL}" stroke="{border}" '
        f'stroke-width="{_stroke(run)}"{dash}/>'
    ]
    head_x = (width - head_width) / 2
    head = [_shape(_rounded(head_x, _CLUSTER_PAD, head_width, _BOX_HEIGHT, 7), run)]
    head.extend(_two_lines(title, detail, width / 2, _CLUSTER_PAD + _BOX_HEIGHT / 2, run))
    svg.extend(_linked(state.name, run, head))
    fork = (width / 2, _CLUSTER_PAD + _BOX_HEIGHT)
    join = (width / 2, bar_y)
    x = (width - inner_width) / 2
    for branch, flow in zip(branches, state.branches, strict=True):
        svg.append(f'<g transform="translate({x:.1f},{branch_top:.1f})">')
        svg.extend(branch.svg)
        svg.append("</g>")
        taken = history.state(flow.start).entries > 0
        svg.append(_arrow(fork, (x + branch.entry[0], branch_top + branch.entry[1]), taken=taken))
        for end_x, end_y, finished in branch.ends:
            svg.append(_arrow((x + end_x, branch_top + end_y), join, taken=finished))
        x += branch.width + _SIDE_GAP
    bar_width = min(inner_width, 120.0)
    svg.append(
        f'<rect x="{(width - bar_width) / 2:.1f}" y="{bar_y:.1f}" width="{bar_width:.1f}" '
        f'height="{_BAR_HEIGHT}" rx="2" fill="{border}"/>'
    )
    return Drawn(width, height, svg, entry=(width / 2, _CLUSTER_PAD), exit=(width / 2, bar_y + _BAR_HEIGHT))


def _linked(name: str, run: StateRun, parts: list[str]) -> list[str]:
    """A state's shapes inside a link to its details; the title is the tooltip and the accessible name."""
    tip = escape(f"{name}: {status_line(run)}")
    return [f'<a href="{escape(state_link(name))}" target="_self" title="{tip}"><title>{tip}</title>', *parts, "</a>"]


def _shape(outline: str, run: StateRun) -> str:
    fill, border, _ = PALETTE[run.status]
    dash = ' stroke-dasharray="5,3"' if run.status is StateStatus.NOT_REACHED else ""
    return f'<path d="{outline}" fill="{fill}" stroke="{border}" stroke-width="{_stroke(run)}"{dash}/>'


def _two_lines(name: str, detail: str, cx: float, cy: float, run: StateRun) -> list[str]:
    text = PALETTE[run.status][2]
    return [
        f'<text x="{cx:.1f}" y="{cy - 3:.1f}" text-anchor="middle" font-size="12" fill="{text}">{escape(name)}</text>',
        f'<text x="{cx:.1f}" y="{cy + 12:.1f}" text-anchor="middle" font-size="11" fill="{text}">'
        f"{escape(detail)}</text>",
    ]


def _arrow(
    source: tuple[float, float],
    target: tuple[float, float],
    *,
    taken: bool,
    label: str = "",
    via: list[tuple[float, float, float]] | None = None,
) -> str:
    """Curves from the bottom of one piece to the top of another, straight past each row in `via` (x, top,
    bottom), arrowhead at the target."""
    colour = _EDGE_TAKEN if taken else _EDGE_IDLE
    style = f'stroke="{colour}" stroke-width="{1.4 if taken else 1}"' + ("" if taken else ' stroke-dasharray="4,3"')
    marker = "graph-arrow-taken" if taken else "graph-arrow-idle"
    x1, y1 = source
    steps = [f"M{x1:.1f},{y1:.1f}"]
    legs = [(x, top) for x, top, _ in via or []] + [target]
    # Halfway down the first leg; an arrow that skips rows says its name beside the first row it passes.
    label_at = ((x1 + legs[0][0]) / 2 + 4, (y1 + legs[0][1]) / 2 + 3)
    if via:
        label_at = (via[0][0] + 4, (via[0][1] + via[0][2]) / 2 + 3)
    for (x, top), bottom in zip(legs, [bottom for _, _, bottom in via or []] + [None], strict=True):
        bend = max(abs(top - y1) / 2, 12.0)
        steps.append(f"C{x1:.1f},{y1 + bend:.1f} {x:.1f},{top - bend:.1f} {x:.1f},{top:.1f}")
        x1, y1 = x, top
        if bottom is not None:
            steps.append(f"L{x:.1f},{bottom:.1f}")
            y1 = bottom
    path = f'<path d="{" ".join(steps)}" fill="none" {style} marker-end="url(#{marker})"/>'
    if not label:
        return path
    return path + (
        f'<text x="{label_at[0]:.1f}" y="{label_at[1]:.1f}" font-size="9" fill="{_LABEL_COLOUR}" '
        f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{escape(label)}</text>'
    )


def _defs() -> str:
    heads = "".join(
        f'<marker id="graph-arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        for name, colour in (("taken", _EDGE_TAKEN), ("idle", _EDGE_IDLE))
    )
    return f"<defs>{heads}</defs>"


def _rounded(x: float, y: float, width: float, height: float, radius: float) -> str:
    r = min(radius, width / 2, height / 2)
    return (
        f"M{x + r:.1f},{y:.1f} H{x + width - r:.1f} A{r:.1f},{r:.1f} 0 0 1 {x + width:.1f},{y + r:.1f} "
        f"V{y + height - r:.1f} A{r:.1f},{r:.1f} 0 0 1 {x + width - r:.1f},{y + height:.1f} "
        f"H{x + r:.1f} A{r:.1f},{r:.1f} 0 0 1 {x:.1f},{y + height - r:.1f} "
        f"V{y + r:.1f} A{r:.1f},{r:.1f} 0 0 1 {x + r:.1f},{y:.1f} Z"
    )


def _text_width(name: str, detail: str) -> float:
    return max(len(name) * _NAME_CHAR, len(detail) * _DETAIL_CHAR, 60.0) + 28


def _stroke(run: StateRun) -> str:
    return "2.4" if run.status is StateStatus.FAILED else "1.3"


def _finished(run: StateRun) -> bool:
    return run.status in (StateStatus.SUCCEEDED, StateStatus.RETRIED, StateStatus.CAUGHT)
