"""Who a character is in the family, from its description alone: age, relation and pronoun.

Plain word sets and patterns, no language library, so the story's cast can be picked where the offline
writer is not installed (Lambda): a family's listening children are in every story told to them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CHILD, BABY, PARENT, GRANDPARENT, PET, CREATURE = "child", "baby", "parent", "grandparent", "pet", "creature"
OLDEST_CHILD = 12

_WORD = re.compile(r"[a-z][a-z'-]*")
_AGE = re.compile(r"\b(\d{1,2})[- ]?(?:years?[- ]old|yo\b)|\baged?\s+(\d{1,2})\b|\bof\s+(\d{1,2})\b")
_NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_RELATIONS: tuple[tuple[str, frozenset[str]], ...] = (
    (GRANDPARENT, _set("grandma grandpa granny grandad granddad grandmother grandfather nana nan gran gramps oma opa")),
    (PARENT, _set("mum mom mummy mommy mother dad daddy father papa mama parent stepmum stepdad")),
    (BABY, _set("baby infant newborn")),
    (CHILD, _set("girl boy child kid son daughter sister brother twin toddler sibling")),
    (
        PET,
        _set(
            "dog puppy pup cat kitten rabbit bunny parrot budgie hamster tortoise turtle fish goldfish horse pony "
            "guinea gerbil ferret lizard canary chicken hen"
        ),
    ),
)
# The words that name each relation, for whoever draws or tells them (the offline illustrator's figures).
RELATION_WORDS: dict[str, frozenset[str]] = dict(_RELATIONS)
_FAMILY_WORDS = _set("our my son daughter sister brother twin sibling toddler")
_SHE_PRONOUNS, _HE_PRONOUNS = _set("she her hers herself"), _set("he him his himself")
_SHE = _set(
    "girl woman sister daughter mum mom mummy mommy mother grandma granny grandmother nana nan gran mama lady "
    "princess queen oma"
)
_HE = _set("boy man brother son dad daddy father grandpa grandad granddad grandfather papa gramps king prince opa")


@dataclass(frozen=True)
class Kin:
    """A character's place in the family."""

    relation: str  # child, baby, parent, grandparent, pet, or creature (a character of the story only)
    age: int | None
    subject: str  # "she", "he" or "they"
    family: bool  # the description makes them the family's own: an age, "sister", "our", "my"

    @property
    def listener(self) -> bool:
        """A child of the family old enough to listen: in every story told to them. "a brave girl" with no age
        or family word is a character of the stories (the built-in cast), not a listener."""
        return self.relation == CHILD and self.family

    @property
    def possessive(self) -> str:
        """ "her" or "his" when the description says so; "the" otherwise, never a guess."""
        return {"she": "her", "he": "his"}.get(self.subject, "the")


def read_kin(description: str) -> Kin:
    """The relation, age and pronoun a description gives; a creature of the story when it names none."""
    text = " ".join(description.lower().split())
    words = set(_WORD.findall(text))
    age = _age(text, words)
    relation = next((relation for relation, names in _RELATIONS if names & words), CREATURE)
    if relation == CREATURE and age is not None and age <= OLDEST_CHILD:
        relation = CHILD
    if relation == CHILD and age is not None and age < 2:
        relation = BABY
    # A noun says it first ("his twin sister" is a she); a pronoun only where no noun does.
    she, he = bool(words & _SHE), bool(words & _HE)
    if not she and not he:
        she, he = bool(words & _SHE_PRONOUNS), bool(words & _HE_PRONOUNS)
    subject = "she" if she and not he else "he" if he and not she else "they"
    family = age is not None or bool(words & _FAMILY_WORDS)
    return Kin(relation, age, subject, family)


def _age(text: str, words: set[str]) -> int | None:
    match = _AGE.search(text)
    if match:
        return int(next(group for group in match.groups() if group))
    for number, word in enumerate(_NUMBER_WORDS):
        if re.search(rf"\b{word}[- ]?years?[- ]old\b|\bof {word}\b|\baged {word}\b", text):
            return number
    if words & _set("baby infant newborn"):
        return 1
    if "toddler" in words:
        return 2
    return None
