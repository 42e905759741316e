"""The package shows the design: imports run downward through named layers, and no module imports itself round.

Read from the source with `ast`, every import counted, those under TYPE_CHECKING and inside functions too:
an upward import is a dependency whether or not it runs at start-up.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ROOTS = ("storyteller", "frontend", "functions")
CORE = "storyteller"  # the top-level modules: models, names, errors, settings, ...

# Top to bottom. A part may import the parts of any layer below its own, never one above, nor a sibling
# of its own layer (siblings stay independent, so either can change without the other).
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"storyteller.__main__", "functions"}),
    frozenset({"storyteller.cli"}),
    frozenset({"frontend", "storyteller.local"}),
    frozenset({"storyteller.households"}),
    frozenset({"storyteller.flow", "storyteller.mailer"}),
    frozenset({"storyteller.providers"}),
    frozenset({"storyteller.dal"}),
    frozenset({"storyteller.story"}),
    frozenset({CORE}),
)
MOST_TOP_LEVEL_MODULES = 10


@dataclass(frozen=True)
class Import:
    """One import statement's target, resolved to a module of ours, and where it was written."""

    source: str
    target: str
    where: str


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for root in ROOTS for path in (REPO / root).rglob("*.py")}


def imports(known: dict[str, Path]) -> list[Import]:
    """Each import of one of our modules; `from package import name` counts as the module `name` if it is one."""
    found = []
    for source, path in known.items():
        is_package = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    package = source.split(".")[: len(source.split(".")) - node.level + is_package]
                    base = ".".join([*package, *([base] if base else [])])
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
            found += [Import(source, target, where) for target in targets if target in known and target != source]
    return found


def part(module: str) -> str:
    """The layered part a module belongs to: its sub-package of storyteller, its own top folder, or the core."""
    names = module.split(".")
    if names[0] != "storyteller":
        return names[0]
    if module == "storyteller.__main__":
        return module
    if len(names) > 2 or (REPO / "storyteller" / names[-1]).is_dir():
        return ".".join(names[:2])
    return CORE


def layer_of(part_name: str) -> int:
    for depth, layer in enumerate(LAYERS):
        if part_name in layer:
            return depth
    raise AssertionError(f"{part_name} is in no layer of tests/unit/test_layout.py: place it there")


def upward(found: list[Import]) -> list[str]:
    wrong = []
    for each in found:
        source, target = part(each.source), part(each.target)
        if source != target and layer_of(target) <= layer_of(source):
            wrong.append(f"{each.where}: {source} imports {each.target} ({target} is not below it)")
    return wrong


def circles(found: list[Import]) -> list[list[str]]:
    """Every group of modules that import each other round (Tarjan's strongly connected components)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for each in found:
        graph[each.source].add(each.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_every_part_is_placed_in_a_layer() -> None:
    parts = {part(name) for name in modules()}
    placed = set().union(*LAYERS)
    assert parts - placed == set(), "a new package needs a place in LAYERS"
    assert placed - parts == set(), "LAYERS names a package that no longer exists"


def test_imports_only_point_down() -> None:
    found = imports(modules())
    # The walk sees the real imports (else an empty list would pass): the command starts the local stack.
    assert ("storyteller.cli.main", "storyteller.local.runtime") in {(each.source, each.target) for each in found}
    assert upward(found) == []


def test_no_modules_import_each_other_round() -> None:
    assert circles(imports(modules())) == []


def test_the_top_level_stays_small() -> None:
    top = [path.name for path in (REPO / "storyteller").glob("*.py") if path.name != "__init__.py"]
    assert len(top) <= MOST_TOP_LEVEL_MODULES, sorted(top)


def test_an_upward_import_and_a_circle_are_caught() -> None:
    # The checks themselves, on a made-up pair: the story's rules reaching up to the run, and the run back.
    found = [
        Import("storyteller.story.verse", "storyteller.flow.tonight", "verse.py:1"),
        Import("storyteller.flow.tonight", "storyteller.story.verse", "tonight.py:1"),
    ]
    assert upward(found) == [
        "verse.py:1: storyteller.story imports storyteller.flow.tonight (storyteller.flow is not below it)"
    ]
    assert circles(found) == [["storyteller.flow.tonight", "storyteller.story.verse"]]


def test_the_architecture_map_names_every_package_and_core_module() -> None:
    text = (REPO / "docs" / "architecture.md").read_text()
    start = text.index("## The code's map")
    block = text[start : text.index("\n## ", start + 1)]
    packages = [
        f"storyteller/{path.name}/" for path in (REPO / "storyteller").iterdir() if (path / "__init__.py").exists()
    ]
    core = [path.stem for path in (REPO / "storyteller").glob("*.py") if path.stem not in {"__init__", "__main__"}]
    assert [name for name in packages + core if name not in block] == []
