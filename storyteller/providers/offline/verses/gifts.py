"""What a character carries, loves or can do, read from their description: the thing that solves the night's problem.

Each gift is found by its words in the description ("lantern", "spectacles", "hums") and brings its own
lines: how the character is met, and what they do when it matters. A description with none of these
words still gets a gift (a kind, clever heart), so a character never stands by as a name tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Gift:
    """One thing a character has or does, and how the story shows it; `{pos}` is their "her", "his" or "the"."""

    key: str  # what the picture draws: "lantern", "spectacles", "thimble"...
    words: frozenset[str]  # any of these in the description means this gift
    meets: tuple[str, ...]  # after "Along came Ada, a brave girl,": ends on a rhyme
    acts: tuple[str, ...]  # after "Then Ada": the deed that saves the night, ends on a rhyme


def _gift(key: str, words: str, meets: str, acts: str) -> Gift:
    return Gift(key, frozenset(words.split()), _split(meets), _split(acts))


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|"))


# In order of preference: the first that a description names is the character's gift.
GIFTS: tuple[Gift, ...] = (
    _gift(
        "lantern",
        "lantern lanterns lamp torch",
        "with {pos} lantern aglow | swinging {pos} lantern, warm and bright",
        "held up {pos} lantern, and the dark turned bright | lifted {pos} lantern up high "
        "| swung {pos} lantern slowly, to and fro",
    ),
    _gift(
        "spectacles",
        "spectacles glasses goggles monocle",
        "with {pos} spectacles perched just right | peering through {pos} spectacles, far and near",
        "pushed up {pos} spectacles and peered far and near | polished {pos} spectacles and looked left and right "
        "| looked through {pos} spectacles, as sharp as can be",
    ),
    _gift(
        "thimble",
        "thimble thimbles",
        "in {pos} thimble hat, as proud as can be | tipping {pos} thimble hat, polite as can be",
        "took off {pos} thimble hat and scooped, quick as can be | used {pos} thimble hat as a cup, just so",
    ),
    _gift(
        "notebook",
        "notebook notebooks diary journal book sketchbook",
        "with {pos} notebook of wonders to keep | with {pos} notebook tucked under an arm, just so",
        "opened {pos} notebook and read, loud and clear | drew a map in {pos} notebook and knew the way "
        "| turned the pages of {pos} notebook and found the right clue",
    ),
    _gift(
        "stars",
        "count counts counting stars star",
        "counting stars in the sky | who could count every star in the sky",
        "counted the stars and found the way through | counted the stars, one by one, up high "
        "| read the stars like a map and knew the way",
    ),
    _gift(
        "glow",
        "glows glowing glow shines shining",
        "with a chest glowing soft and blue | blinking and glowing a gentle blue",
        "glowed a soft, steady blue | turned up {pos} glow till the dark turned bright "
        "| glowed like a lamp, and the way came clear",
    ),
    _gift(
        "sparkles",
        "sneezes sneeze sparkles sparks",
        "sneezing sparkles of light | with a sneeze full of sparkles, bright",
        "gave a big sneeze, and warm sparkles lit up the night | sneezed out sparkles, and the way came clear "
        "| sneezed a warm sparkly sneeze, and the dark glowed bright",
    ),
    _gift(
        "song",
        "hums humming sings singing song songs whistles music",
        "humming a soft little tune | humming a song as the night went by",
        "hummed a low hum, and the answer came clear | hummed and hummed, till a plan came along "
        "| hummed a slow, thinking tune, and then knew what to do",
    ),
    _gift(
        "ear",
        "ear ears listens listening",
        "with one floppy ear | twitching one floppy ear, far and near",
        "turned {pos} floppy ear and heard something near "
        "| listened hard with {pos} floppy ear, and heard it, so clear",
    ),
    _gift(
        "speed",
        "quick fast swift speedy nimble",
        "as quick as the wind, on the way | hopping as quick as can be",
        "dashed off, as quick as can be | raced ahead, and was back in no time at all",
    ),
    _gift(
        "brave",
        "brave bold fearless",
        "as brave as can be | who was never afraid of the night",
        "went first, as brave as brave can be | stepped into the dark, and was not afraid of the night",
    ),
)

# A character whose description names no gift still helps, with a good idea.
KIND_HEART = _gift(
    "heart",
    "",
    "who was kind as can be | with a smile, all the way",
    "thought very hard, then knew what to do | had a kind, clever thought, and the way came clear",
)


def trait_gift(key: str, meets: str, acts: str) -> Gift:
    """A gift made from what one family's character wears, carries, loves or does ("red scarf", "climb")."""
    return Gift(key, frozenset(), _split(meets), _split(acts))


_WORD = re.compile(r"[a-z]+")
_HER = frozenset({"she", "her", "girl", "woman", "princess", "queen", "mother", "grandma", "lady"})
_HIS = frozenset({"he", "his", "him", "boy", "man", "prince", "king", "father", "grandpa"})


def gift_for(description: str) -> Gift:
    """The first gift the description names, or a kind heart."""
    words = set(_WORD.findall(description.lower()))
    return next((gift for gift in GIFTS if gift.words & words), KIND_HEART)


def possessive(description: str) -> str:
    """ "her" or "his" when the description says so; "the" otherwise, never a guess."""
    words = set(_WORD.findall(description.lower()))
    if words & _HER and not words & _HIS:
        return "her"
    if words & _HIS and not words & _HER:
        return "his"
    return "the"
