"""A story writer with no model behind it: tracery varies the phrasing, the CMU dictionary keeps the rhymes.

A story is a fixed arc (the scene, the friends, a small problem, helping, the fix, goodnight), each beat
a choice of hand-written couplets. Every line ends on a word we wrote, never on a name or a scene, so
user text can be anything without breaking a rhyme; it is spliced in after tracery has run, so a `#`
or `[` in a name is printed rather than read as grammar.

The verse itself is data in the `verses` package; this module picks and phrases it, and keeps the
public names other code and the tests import from here.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pronouncing
import tracery
from tracery.modifiers import base_english

from storyteller.models import Character, Scene, StoryDraft, Usage
from storyteller.providers.offline.verses.arc import (
    ATMOSPHERE,
    BEDTIME_THINGS,
    DROWSING,
    FAREWELLS,
    GATHERINGS,
    GOODNIGHTS,
    HELPERS,
    INTRODUCTIONS,
    OPENINGS,
    PHRASES,
    SCENE_DETAILS,
    SETTLING,
    THEMES,
    TOGETHER,
)
from storyteller.providers.offline.verses.couplets import Beat, Couplet, word_set
from storyteller.providers.offline.verses.plots import PLOTS
from storyteller.validation import TITLE_MAX, clean_text, count_words, last_word, rhymes, significant_words

__all__ = [
    "ATMOSPHERE",
    "DROWSING",
    "FAREWELLS",
    "GATHERINGS",
    "HELPERS",
    "INTRODUCTIONS",
    "OPENINGS",
    "PLOTS",
    "SETTLING",
    "THEMES",
    "TOGETHER",
    "Couplet",
    "RhymingStoryWriter",
]

# Where the writer aims; the validator's limits (200-600) leave room either side.
LEAST_WORDS = 230
MOST_WORDS = 450
# A long description would swamp its couplet, and three of them the story: keep the start.
DESCRIPTION_WORDS = 16
SCENE_WORDS = 20
# A longer scene is split at its first detail ("with", "where", "full of"): the opening line says the place,
# the next couplet the rest, so the first line does not run on past the time of day.
SCENE_OPENING_WORDS = 6
# A longer name is said in full once, then by its first words, so names cannot overrun the word limit.
SHORT_NAME_WORDS = 2
FALLBACK_NAME = "Little One"
CAST_TITLE_CHANCE = 0.6

_SLOT = re.compile(r"\{(\w+)\}")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_DETERMINERS = word_set("a an the my our your his her their its this that one two three some every")
_RELATIVES = word_set("who whose which that")
_PREPOSITIONS = word_set(
    "in on at by under over inside outside beneath below above behind beside near among across along "
    "upon within underneath between beyond far deep high down up"
)
# Where a scene's details begin: "a castle garden | full of roses", "a quiet beach | where the waves whisper".
_DETAIL_STARTS = (("with",), ("where",), ("full", "of"), ("filled", "with"))
# Places said without "the": "in space", not "in the space".
_BARE_PLACES = word_set("space dreamland wonderland fairyland town bed school heaven")


class RhymingStoryWriter:
    """Writes rhyming bedtime stories offline, in milliseconds, at no cost."""

    model = "offline-rhyme-1"

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed

    def write(self, characters: list[Character], scene: Scene, feedback: str | None = None) -> StoryDraft:
        """A titled story in rhyming couplets; `feedback` only reshuffles, since every draft passes the rules."""
        return _Story(self._rng(characters, scene, feedback), characters, scene).draft()

    def usage(self) -> Usage:
        """Nothing is consumed offline."""
        return Usage()

    def _rng(self, characters: list[Character], scene: Scene, feedback: str | None) -> random.Random:
        if self._seed is None:
            return random.Random()  # seeded by the OS: a different story every night
        # A str seed is hashed with SHA-512, not hash(), so the same input tells the same story in any process.
        cast = "\x1f".join(f"{character.name}\x1e{character.description}" for character in characters)
        return random.Random(f"{self._seed}\x1d{cast}\x1d{scene.description}\x1d{feedback or ''}")


@dataclass(frozen=True)
class _Friend:
    name: str  # said in full once, in the introduction
    short: str  # said everywhere else
    intro: str  # the name and its description, punctuated to sit mid-line


@dataclass(frozen=True, eq=False)  # identity, not equality: two couplets may read the same
class _Verse:
    lines: tuple[str, str]
    optional: bool

    @property
    def words(self) -> int:
        return count_words("\n".join(self.lines))


class _Story:
    """One story's choices: the plot, the couplets, and the tracery grammar that phrases them."""

    def __init__(self, rng: random.Random, characters: Sequence[Character], scene: Scene) -> None:
        self._rng = rng
        self._friends = [_friend(character) for character in characters]
        self._scene_words = set(_LETTER_RUN.findall(clean_text(scene.description).lower()))
        self._plot = rng.choice(PLOTS)
        self._grammar = _SeededGrammar({**PHRASES, "thing": list(self._plot.thing)}, rng)
        self._used_ends: set[str] = set()
        shorts = [friend.short for friend in self._friends]
        where, self._detail = _setting(scene.description)
        self._slots = {"where": where, "cast": _cast(shorts), "lead": shorts[0] if shorts else ""}

    def draft(self) -> StoryDraft:
        sections = [
            self._opening(),
            self._meeting(),
            [self._beat(beat) for beat in self._plot.problem],
            self._helping(),
            [self._beat(beat) for beat in self._plot.solution],
            self._ending(),
        ]
        sections = _trimmed(sections, self._rng.randint(LEAST_WORDS + 60, MOST_WORDS - 20), self._rng)
        text = "\n\n".join("\n".join(stanza) for section in sections for stanza in _stanzas(section))
        return StoryDraft(title=self._title(), text=text)

    def _title(self) -> str:
        if self._rng.random() < CAST_TITLE_CHANCE:
            names = _cast([friend.name for friend in self._friends], serial=True)
            titled = self._rng.choice(self._plot.cast_titles).replace("{cast}", names)
            if len(titled) <= TITLE_MAX:
                return titled
        return self._rng.choice(self._plot.plain_titles)

    def _opening(self) -> list[_Verse]:
        opening = self._beat(OPENINGS)
        if self._detail:
            atmosphere = self._told(self._pick(self._shuffled(SCENE_DETAILS.options)), {"detail": self._detail})
        else:
            atmosphere = self._beat(ATMOSPHERE)
        themed = [theme] if (theme := _theme(self._scene_words)) else []
        extra = self._pick([*themed, *self._shuffled(ATMOSPHERE.options)])
        return [opening, atmosphere, _Verse(self._render(extra), optional=True)]

    def _meeting(self) -> list[_Verse]:
        intros = self._shuffled(INTRODUCTIONS.options)
        return [
            *(self._told(self._pick(intros), {"intro": friend.intro}) for friend in self._friends),
            self._beat(GATHERINGS),
        ]

    def _helping(self) -> list[_Verse]:
        helpers = self._shuffled(HELPERS.options)
        return [
            *(self._told(self._pick(helpers), {"name": friend.short}) for friend in self._friends),
            self._beat(TOGETHER),
        ]

    def _ending(self) -> list[_Verse]:
        goodnights = _Verse(self._render(GOODNIGHTS.options[0], self._bedtime_things()), optional=True)
        return [self._beat(SETTLING), self._beat(DROWSING), goodnights, self._beat(FAREWELLS)]

    def _beat(self, beat: Beat) -> _Verse:
        return _Verse(self._render(self._pick(self._shuffled(beat.options))), beat.optional)

    def _told(self, couplet: Couplet, slots: dict[str, str]) -> _Verse:
        return _Verse(self._render(couplet, slots), optional=False)

    def _shuffled(self, options: Sequence[Couplet]) -> list[Couplet]:
        return self._rng.sample(list(options), len(options))

    def _pick(self, options: list[Couplet]) -> Couplet:
        """The first couplet that suits the cast and plot, truly rhymes, and ends on words not yet used."""
        suitable = [couplet for couplet in options if self._suits(couplet)] or options
        return next((couplet for couplet in suitable if self._fits(couplet)), suitable[0])

    def _suits(self, couplet: Couplet) -> bool:
        enough_friends = len(self._friends) > 1 or not couplet.group
        words = set(_LETTER_RUN.findall(f"{couplet.first} {couplet.second}".lower()))
        return enough_friends and words.isdisjoint(self._plot.avoid)

    def _fits(self, couplet: Couplet) -> bool:
        return rhymes(*couplet.ends) and self._used_ends.isdisjoint(couplet.ends)

    def _render(self, couplet: Couplet, slots: dict[str, str] | None = None) -> tuple[str, str]:
        values = {**self._slots, **(slots or {})}
        first, second = (_fill(self._grammar.flatten(line), values) for line in (couplet.first, couplet.second))
        ends = (last_word(first), last_word(second))
        if not rhymes(*ends):
            raise RuntimeError(f"a couplet of the offline writer does not rhyme: {ends}")
        self._used_ends.update(ends)
        return first, second

    def _bedtime_things(self) -> dict[str, str]:
        """Four things to say goodnight to; the second and fourth rhyme, a thing from the scene if it can."""
        rhymed = [thing for thing in BEDTIME_THINGS if thing not in self._used_ends and self._partners(thing)]
        from_scene = [thing for thing in rhymed if thing in self._scene_words]
        second = self._rng.choice(from_scene or rhymed)
        fourth = self._rng.choice(self._partners(second))
        first, third = self._rng.sample([thing for thing in BEDTIME_THINGS if thing not in {second, fourth}], 2)
        return {"thing1": first, "thing2": second, "thing3": third, "thing4": fourth}

    def _partners(self, thing: str) -> list[str]:
        return [other for other in _rhyming_things(thing) if other not in self._used_ends]


class _SeededGrammar(tracery.Grammar):  # type: ignore[misc]  # tracery ships no type hints
    """tracery picks with the global `random`; a story must depend on its own generator only."""

    def __init__(self, rules: dict[str, list[str]], rng: random.Random) -> None:
        super().__init__(rules)
        self.add_modifiers(base_english)
        self._rng = rng

    def select_rule(self, key: str, node: object, errors: list[str]) -> str:
        symbol = self.symbols.get(key)
        if symbol is None or not symbol.stack:
            raise KeyError(f"the story grammar has no phrase #{key}#")
        choice: str = self._rng.choice(symbol.stack[-1].default_rules)
        return choice


def _rhyming_things(thing: str) -> list[str]:
    """The other bedtime things that rhyme with this one, by the CMU dictionary."""
    return [other for other in pronouncing.rhymes(thing) if other in BEDTIME_THINGS and rhymes(thing, other)]


def _trimmed(sections: list[list[_Verse]], target: int, rng: random.Random) -> list[list[_Verse]]:
    """Without optional couplets, dropped at random, until near the target but never too short."""
    words = sum(verse.words for section in sections for verse in section)
    optional = [verse for section in sections for verse in section if verse.optional]
    dropped: set[int] = set()
    for verse in rng.sample(optional, len(optional)):
        if words > target and words - verse.words >= LEAST_WORDS:
            dropped.add(id(verse))
            words -= verse.words
    return [[verse for verse in section if id(verse) not in dropped] for section in sections]


def _stanzas(section: list[_Verse]) -> list[list[str]]:
    """Two couplets to a stanza; an odd one out joins the stanza before it."""
    lines = [line for verse in section for line in verse.lines]
    stanzas = [lines[start : start + 4] for start in range(0, len(lines), 4)]
    if len(stanzas) > 1 and len(stanzas[-1]) == 2:
        stanzas[-2].extend(stanzas.pop())
    return stanzas


def _fill(line: str, values: dict[str, str]) -> str:
    # One pass, so a name that reads "{cast}" is printed, not expanded.
    return _SLOT.sub(lambda match: values[match.group(1)], line)


def _friend(character: Character) -> _Friend:
    name = clean_text(character.name) or FALLBACK_NAME
    words = name.split()
    short = " ".join(words[:SHORT_NAME_WORDS]) if len(words) > SHORT_NAME_WORDS + 1 else name
    return _Friend(name=name, short=short, intro=_introduce(name, character.description))


def _introduce(name: str, description: str) -> str:
    """The name with its description as an aside: "Pip, a small red fox," or "Pip (brave and kind)"."""
    words = _clip(clean_text(description), DESCRIPTION_WORDS).split()
    if not words:
        return name
    first = words[0].lower()
    if first in _DETERMINERS or first in _RELATIVES:
        return f"{name}, {' '.join([first, *words[1:]])},"
    return f"{name} ({' '.join(words)})"


def _setting(description: str) -> tuple[str, str]:
    """Where the story is, and the details left for a later line ("" if the scene is short or has none)."""
    cleaned = clean_text(description)
    place, detail = _split_detail(_clip(cleaned, SCENE_WORDS, keep=significant_words(cleaned)[:1]))
    return _where(place), detail


def _split_detail(place: str) -> tuple[str, str]:
    """ "a moonlit forest clearing with tall pines" as ("a moonlit forest clearing", "with tall pines")."""
    words = place.split()
    if len(words) <= SCENE_OPENING_WORDS:
        return place, ""
    lowered = [word.lower() for word in words]
    for index in range(1, len(words)):
        for start in _DETAIL_STARTS:
            rest = words[index + len(start) :]
            if tuple(lowered[index : index + len(start)]) != start or not rest:
                continue
            head = " ".join(words[:index]).rstrip(" ,;:-")
            if _LETTER_RUN.search(head) and not set(head.lower().split()) <= _DETERMINERS | _PREPOSITIONS:
                return head, " ".join([*start, *rest])
    return place, ""


def _where(place: str) -> str:
    """The place as somewhere to be: "in a moonlit forest", "under the sea", "in the meadow"."""
    words = place.split() or ["the", "land", "of", "dreams"]
    first = words[0].lower()
    if first in _PREPOSITIONS:
        return " ".join([first, *words[1:]])
    if first in _DETERMINERS:
        return "in " + " ".join([first, *words[1:]])
    if words[0][:1].isupper() or "'s" in place or words[-1].lower() in _BARE_PLACES:
        return "in " + place
    return "in the " + place


def _clip(text: str, most: int, keep: Sequence[str] = ()) -> str:
    """At most `most` words; if the first of `keep` comes later, the words leading up to it."""
    words = text.split()
    start = 0
    for index, word in enumerate(words):
        if set(_LETTER_RUN.findall(word.lower())).intersection(keep):
            start = max(0, index + 1 - most)
            break
    return " ".join(words[start : start + most]).rstrip(" .,;:!?")


def _cast(names: Sequence[str], serial: bool = False) -> str:
    """ "Pip", "Pip and Luna", "Pip, Luna and Bramble"; `serial` lists three without "and", for titles."""
    if len(names) <= 2:
        return " and ".join(names)
    if serial:
        return ", ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _theme(scene_words: set[str]) -> Couplet | None:
    for keywords, couplet in THEMES:
        if keywords.intersection(scene_words):
            return couplet
    return None
