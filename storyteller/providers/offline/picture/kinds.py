"""Keyword to kind: which landscape a scene asks for, and which figure draws a character."""

from __future__ import annotations

import re

from storyteller.models import Character
from storyteller.story.kinship import GRANDPARENT, PARENT, RELATION_WORDS

SCENE_WORDS: dict[str, tuple[str, ...]] = {
    "forest": ("forest", "wood", "woods", "woodland", "jungle", "trees", "grove", "clearing"),
    "sea": (
        "sea",
        "ocean",
        "beach",
        "shore",
        "seaside",
        "coast",
        "bay",
        "harbour",
        "harbor",
        "lake",
        "waves",
        "pier",
        "lighthouse",
    ),
    "island": ("island", "islands", "isle"),
    "river": ("river", "stream", "brook", "creek", "pond", "canal"),
    "castle": ("castle", "palace", "tower", "kingdom", "fortress"),
    "garden": ("garden", "gardens", "park", "flowers", "orchard", "roses"),
    "mountain": ("mountain", "mountains", "peak", "peaks", "cliff", "valley", "alps"),
    "snow": ("snow", "snowy", "winter", "ice", "icy", "frozen", "arctic", "polar", "frost"),
    "city": ("city", "town", "street", "streets", "rooftop", "rooftops", "skyline"),
    "village": ("village", "cottage", "house", "houses", "home", "farm", "hamlet", "cabin"),
    "space": (
        "space",
        "planet",
        "planets",
        "galaxy",
        "rocket",
        "spaceship",
        "cosmos",
        "asteroid",
        "orbit",
        "mars",
        "outer",
    ),
    "meadow": ("meadow", "field", "fields", "prairie", "hills", "countryside", "grass"),
}

CAST_WORDS: dict[str, tuple[str, ...]] = {
    "fox": ("fox", "foxes", "vixen"),
    "rabbit": ("rabbit", "bunny", "hare", "rabbits", "bunnies"),
    "owl": ("owl", "owlet", "owls"),
    "panda": ("panda",),
    "bear": ("bear", "teddy", "cub", "bears"),
    "cat": ("cat", "kitten", "kitty", "tiger", "cats"),
    "dog": ("dog", "puppy", "pup", "hound", "doggy", "dogs"),
    "mouse": ("mouse", "mice", "rat"),
    "hamster": ("hamster", "gerbil", "guinea"),
    "bird": ("bird", "parrot", "budgie", "canary", "robin", "sparrow", "chicken", "hen", "duck", "duckling"),
    "fish": ("fish", "goldfish"),
    "horse": ("horse", "pony", "foal"),
    "tortoise": ("tortoise", "turtle"),
    "dragon": ("dragon", "dino", "dinosaur", "dragons"),
    "robot": ("robot", "android", "bot", "robots"),
    "girl": ("girl", "princess", "daughter", "sister", "queen"),
    "boy": ("boy", "prince", "son", "brother", "knight", "king"),
    "child": ("child", "kid", "baby", "toddler", "children"),
    "crab": ("crab", "lobster"),
    "frog": ("frog", "toad"),
    "penguin": ("penguin",),
    # Grown-ups by the words the family's kinship is read by, so a figure and the story agree on who is who.
    "grandparent": tuple(sorted(RELATION_WORDS[GRANDPARENT])),
    "parent": tuple(sorted(RELATION_WORDS[PARENT] | {"woman", "man", "lady", "aunt", "auntie", "uncle"})),
}
PEOPLE = frozenset({"girl", "boy", "child", "parent", "grandparent"})


def scene_kinds(description: str) -> set[str]:
    """Which landscape features the description asks for; a gentle meadow when none match."""
    words = set(words_in(description))
    kinds = {kind for kind, keys in SCENE_WORDS.items() if words & set(keys)}
    if "island" in kinds:
        kinds.add("sea")
    return kinds or {"meadow"}


def character_kind(character: Character) -> str:
    """The figure to draw: the earliest animal or person word in the name, then the description."""
    for text in (character.name, character.description):
        words = words_in(text)
        found = [(words.index(key), kind) for kind, keys in CAST_WORDS.items() for key in keys if key in words]
        if found:
            return min(found)[1]
    return "creature"


def words_in(text: str) -> list[str]:
    # Descriptions are capped at the edge, but the illustrator may be handed anything.
    """The lowercase words in text, for keyword matching."""
    return re.findall(r"[a-z]+", text[:2000].lower())
