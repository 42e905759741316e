"""The shapes of the verse (a couplet, a beat that chooses among couplets, a plot) and how they are written down."""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyteller.validation import last_word


def word_set(words: str) -> frozenset[str]:
    """Words written as one space-separated string, as a set."""
    return frozenset(words.split())


@dataclass(frozen=True)
class Couplet:
    """Two lines of tracery with `{slots}` for user text; each line ends on a literal word."""

    first: str
    second: str
    group: bool = False  # needs two or more friends ("side by side")

    @property
    def ends(self) -> tuple[str, str]:
        return last_word(self.first), last_word(self.second)


@dataclass(frozen=True)
class Beat:
    """One step of the story, told by any one of its couplets."""

    options: tuple[Couplet, ...]
    optional: bool = False


@dataclass(frozen=True)
class Plot:
    """A small bedtime problem: what goes wrong, and how the friends put it right."""

    thing: tuple[str, ...]
    cast_titles: tuple[str, ...]
    plain_titles: tuple[str, ...]
    problem: tuple[Beat, ...]
    solution: tuple[Beat, ...]
    avoid: frozenset[str] = frozenset()  # words that would contradict the plot ("moon" when it is missing)


def beats(text: str) -> tuple[Beat, ...]:
    """Beats written as verse, so the story reads as a poem here too.

    A blank line separates beats; a line "or" separates the couplets a beat may choose from;
    "(optional)" opens a beat that may be cut for length; "(friends)" opens a couplet that needs two.
    """
    parsed = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines()]
        optional = lines[0] == "(optional)"
        parsed.append(Beat(tuple(_couplet(option) for option in _alternatives(lines[optional:])), optional))
    return tuple(parsed)


def _alternatives(lines: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for line in lines:
        if line == "or":
            groups.append([])
        else:
            groups[-1].append(line)
    return groups


def _couplet(lines: list[str]) -> Couplet:
    group = lines[0] == "(friends)"
    if len(lines) - group != 2:
        raise ValueError(f"a couplet needs two lines: {lines}")
    return Couplet(lines[group], lines[group + 1], group)
