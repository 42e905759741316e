"""What a family's listeners' age asks of a story: how long it is, and which words it uses.

Every story stays inside the product's 200–600 words (storyteller/story/validation.py); inside that, a
three-year-old gets a short story in the simplest words and a ten-year-old a longer one with richer ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from storyteller.story.validation import MAX_WORDS, MIN_WORDS


@dataclass(frozen=True)
class ReadingLevel:
    """Where a writer aims for listeners of `ages`."""

    ages: str  # for the prompt: "three to four"
    least: int  # words
    most: int
    vocabulary: str  # for the prompt: what words to use
    # A steady line for these ears, in syllables (a story's median line falls inside): four beats, with room
    # for the unstressed syllables between them.
    syllables: tuple[int, int] = (8, 16)

    def __post_init__(self) -> None:
        if not MIN_WORDS <= self.least < self.most <= MAX_WORDS:
            raise ValueError(f"a reading level must aim inside {MIN_WORDS}-{MAX_WORDS} words")


LITTLE = ReadingLevel(
    "two to four", 210, 300, "Very simple words a three-year-old knows; short, repetitive lines.", (7, 14)
)
YOUNG = ReadingLevel("five to seven", 260, 420, "Simple words a young child knows.", (8, 15))
OLDER = ReadingLevel(
    "eight to twelve",
    380,
    560,
    "Clear but rich words an eight- to twelve-year-old enjoys; a few new ones, made plain by the story.",
    (9, 17),
)


def reading_level(age: int) -> ReadingLevel:
    """The level for listeners of this age (Family.age, 2-12)."""
    if age <= 4:
        return LITTLE
    if age <= 7:
        return YOUNG
    return OLDER
