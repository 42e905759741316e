"""How varied the offline stories are over many nights, and whether each keeps to its place and its metre.

Prints, over N nights of a random default cast and scene: the share that passes the rules, how much of a
night is lines that many other nights also have, distinct titles, stanzas that use the scene's words,
couplets within the metre's slack; and for one family and one scene, seven nights in a row remembering
the ones before. `python -m bench.story_variety [nights]`.
"""

from __future__ import annotations

import random
import re
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from itertools import combinations

from bench.common import write_result
from storyteller.errors import StoryValidationError
from storyteller.households.seed import CHARACTERS, SCENES
from storyteller.models import Character, PastStory, Scene, StoryDraft
from storyteller.providers.offline.verses.rhymer import METRE_SLACK, syllables
from storyteller.providers.offline.verses.scenes import lexicon_for
from storyteller.providers.offline.writer import RhymingStoryWriter
from storyteller.story.validation import couplets, validate_story, verse_lines

NIGHTS = 200
# A line "many nights share" is one found verbatim in more than this share of the other nights.
COMMON_SHARE = 0.05
WEEK = 7
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class Night:
    draft: StoryDraft
    characters: list[Character]
    scene: Scene


@dataclass(frozen=True)
class Variety:
    nights: int
    passing: float  # share passing validation
    common_lines: float  # mean share of a night's lines found in > COMMON_SHARE of the other nights
    distinct_titles: float
    scene_stanzas: float  # share of stanzas with a word of the scene's lexicon
    even_couplets: float  # share of couplets whose lines are within METRE_SLACK syllables
    week_titles: int
    week_max_overlap: float


def nights(count: int, seed: int = 0) -> list[Night]:
    """`count` nights of a random default cast (two or three) in a random default scene."""
    rng = random.Random(seed)
    made = []
    for night in range(count):
        characters = rng.sample(list(CHARACTERS), rng.randint(2, 3))
        scene = rng.choice(SCENES)
        made.append(Night(RhymingStoryWriter(seed=seed * 100_000 + night).write(characters, scene), characters, scene))
    return made


def week(seed: int = 0) -> list[StoryDraft]:
    """Seven nights of one family of two in one scene, each remembering the nights before."""
    characters, scene = [CHARACTERS[0], CHARACTERS[1]], SCENES[1]
    drafts: list[StoryDraft] = []
    for night in range(WEEK):
        recent = [PastStory(title=draft.title, plot=draft.plot) for draft in reversed(drafts)]
        drafts.append(RhymingStoryWriter(seed=seed * 100 + night).write_remembering(characters, scene, recent))
    return drafts


def passing(made: list[Night]) -> float:
    good = 0
    for night in made:
        try:
            validate_story(night.draft, night.characters, night.scene)
            good += 1
        except StoryValidationError:
            pass
    return good / len(made)


def common_lines(drafts: list[StoryDraft]) -> float:
    """Mean share of a night's lines that more than COMMON_SHARE of the other nights also have."""
    line_sets = [set(verse_lines(draft.text)) for draft in drafts]
    seen = Counter(line for lines in line_sets for line in lines)
    others = len(drafts) - 1
    shares = [sum(1 for line in lines if (seen[line] - 1) > COMMON_SHARE * others) / len(lines) for lines in line_sets]
    return sum(shares) / len(shares)


def distinct_titles(drafts: list[StoryDraft]) -> float:
    return len({draft.title for draft in drafts}) / len(drafts)


def scene_stanzas(made: list[Night]) -> float:
    """Share of stanzas that use a word of their scene's lexicon (or of the scene itself)."""
    total = hits = 0
    for night in made:
        scene_words = set(_WORD.findall(night.scene.description.lower()))
        vocabulary = lexicon_for(scene_words).vocabulary | {word for word in scene_words if len(word) > 3}
        for stanza in night.draft.text.split("\n\n"):
            total += 1
            hits += bool(vocabulary & set(_WORD.findall(stanza.lower())))
    return hits / total


def even_couplets(drafts: list[StoryDraft]) -> float:
    pairs = [pair for draft in drafts for pair in couplets(verse_lines(draft.text))]
    return sum(abs(syllables(first) - syllables(second)) <= METRE_SLACK for first, second in pairs) / len(pairs)


def max_overlap(drafts: list[StoryDraft]) -> float:
    """The largest share of lines any two of the drafts have in common."""
    line_sets = [set(verse_lines(draft.text)) for draft in drafts]
    return max(len(a & b) / min(len(a), len(b)) for a, b in combinations(line_sets, 2))


def measure(count: int = NIGHTS, seed: int = 0) -> Variety:
    made = nights(count, seed)
    drafts = [night.draft for night in made]
    seven = week(seed)
    return Variety(
        nights=count,
        passing=passing(made),
        common_lines=common_lines(drafts),
        distinct_titles=distinct_titles(drafts),
        scene_stanzas=scene_stanzas(made),
        even_couplets=even_couplets(drafts),
        week_titles=len({draft.title for draft in seven}),
        week_max_overlap=max_overlap(seven),
    )


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else NIGHTS
    variety = measure(count)
    print(f"offline story variety over {variety.nights} nights (random default cast and scene):")
    print(f"  pass the rules:                 {variety.passing:.1%}")
    print(f"  lines shared by >5% of nights:  {variety.common_lines:.1%} of a night, on average")
    print(f"  distinct titles:                {variety.distinct_titles:.1%}")
    print(f"  stanzas using the scene's words: {variety.scene_stanzas:.1%}")
    print(f"  couplets within {METRE_SLACK} syllables:    {variety.even_couplets:.1%}")
    print(
        f"  one family, one scene, {WEEK} nights: {variety.week_titles} titles, "
        f"max shared lines {variety.week_max_overlap:.1%}"
    )
    write_result("story_variety", {key: round(value, 4) for key, value in asdict(variety).items()})
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
