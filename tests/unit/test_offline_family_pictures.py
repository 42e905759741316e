"""The offline illustrator draws a real family: grown-ups and pets as themselves, worn things in their colour,
heights by age, siblings alike, and their kitchen, car or pier rather than one outdoor meadow."""

from __future__ import annotations

import numpy as np
import pytest

from storyteller.models import Character, Scene
from storyteller.providers.offline.picture.figures import COLOUR_WORDS, GREY_HAIR, HAIR_WORDS, cast_figures
from storyteller.providers.offline.picture.kinds import character_kind
from storyteller.providers.offline.picture.page import render
from storyteller.providers.offline.picture.rooms import BOAT, CAR, OUTDOORS, PIER, ROOM, TRAIN, setting_of
from storyteller.providers.offline.verses.place import read_place

FOREST = Scene(id="home", description="a moonlit forest clearing")
KITCHEN = Scene(id="home", description="grandma's kitchen, warm and smelling of bread, with a big wooden table")


def _page(characters: list[Character], scene: Scene = FOREST, title: str = "Night") -> np.ndarray:
    return np.asarray(render(title, characters, scene, labels=False), dtype=np.int16)


def _one(description: str, name: str = "Who") -> Character:
    # One id for every variant: the page's seed is the same, so only the figure differs between them.
    return Character(id="who", name=name, description=description)


def _top_of_difference(a: np.ndarray, b: np.ndarray) -> int:
    rows = np.nonzero((np.abs(a - b).sum(axis=2) > 40).any(axis=1))[0]
    return int(rows.min())


def test_a_grown_up_stands_taller_than_a_four_year_old_and_a_baby_smallest() -> None:
    dad, ada, sami, ivy, bo = cast_figures(
        [
            _one("their dad, who wears a woolly hat", "Dad"),
            _one("a girl of eight who loves maps", "Ada"),
            _one("her brother, aged 4, who loves trains", "Sami"),
            _one("a toddler of three with a stuffed giraffe", "Ivy"),
            _one("her baby brother", "Bo"),
        ]
    )
    assert (dad.kind, ada.kind, sami.kind, ivy.kind, bo.kind) == ("parent", "child", "child", "child", "child")
    assert dad.scale > ada.scale > sami.scale > ivy.scale > bo.scale
    assert dad.scale >= 1.4 * sami.scale

    # On the page: against a hamster (small) in the same place, the dad's figure reaches higher than the boy's.
    hamster = _page([_one("a hamster")])
    dad_top = _top_of_difference(_page([_one("their dad", "Dad")]), hamster)
    sami_top = _top_of_difference(_page([_one("her brother, aged 4", "Sami")]), hamster)
    assert dad_top < sami_top - 100


@pytest.mark.parametrize(
    ("name", "description", "kind"),
    [
        ("Biscuit", "a white dog who is afraid of thunder", "dog"),
        ("Whiskers", "a ginger cat who loves naps", "cat"),
        ("Pickle", "a green parrot who can whistle", "bird"),
        ("Bubbles", "our goldfish", "fish"),
        ("Star", "a brown pony who is afraid of storms", "horse"),
        ("Nibbles", "a hamster who stuffs his cheeks", "hamster"),
        ("Shelly", "a tortoise who is slow", "tortoise"),
        ("Clover", "a white rabbit", "rabbit"),
        ("Daddy", "daddy, who wears a yellow raincoat", "parent"),
        ("Mum", "his mum, who carries a book of jokes", "parent"),
        ("Grandpa Joe", "grandpa, who wears a flat cap", "grandparent"),
        ("Nana", "nana, who carries a thermos", "grandparent"),
    ],
)
def test_family_pets_and_grown_ups_get_their_own_figure_not_the_antennaed_blob(
    name: str, description: str, kind: str
) -> None:
    # "creature" is the fallback drawer, the round one with antennae.
    assert character_kind(Character(id="x", name=name, description=description)) == kind


def test_a_worn_thing_is_drawn_in_its_colour_and_the_outfit_keeps_its_own() -> None:
    noor, mila, joe, leo, daddy = cast_figures(
        [
            _one("a girl of six with a red scarf who loves climbing"),
            _one("a girl of three with a pink hat"),
            _one("grandpa, who wears a flat cap"),
            _one("a boy of seven with a cast on his arm who loves football"),
            _one("daddy, who wears a yellow raincoat"),
        ]
    )
    assert noor.worn == {"scarf": COLOUR_WORDS["red"]}
    assert noor.colour != COLOUR_WORDS["red"]
    assert mila.worn == {"hat": COLOUR_WORDS["pink"]}
    assert mila.colour != COLOUR_WORDS["pink"]
    assert set(joe.worn) == {"cap"}
    assert set(leo.worn) == {"cast"}
    assert daddy.worn == {}
    assert daddy.colour == COLOUR_WORDS["yellow"]

    # On the page the scarf is a small red patch on the girl, not red pyjamas.
    plain = _page([_one("a girl of six who loves climbing")])
    scarfed = _page([_one("a girl of six with a red scarf who loves climbing")])
    changed = np.abs(plain - scarfed).sum(axis=2) > 60
    red = np.abs(scarfed - np.array(COLOUR_WORDS["red"])).sum(axis=2) < 90
    assert (changed & red).sum() > 300
    assert changed.mean() < 0.01


def test_siblings_share_skin_and_hair_and_a_grandparent_is_grey_unless_described() -> None:
    family = [
        ("Noor", "a girl of six"),
        ("Sami", "her brother, aged 4"),
        ("Dad", "their dad"),
        ("Gran", "gran, who carries a bucket"),
        ("Lena", "her twin sister, aged 6, with blonde hair"),
    ]
    noor, sami, dad, gran, fair = cast_figures(
        [Character(id=name.lower(), name=name, description=description) for name, description in family]
    )
    assert noor.skin == sami.skin == dad.skin == gran.skin == fair.skin
    assert noor.hair == sami.hair == dad.hair
    assert gran.hair in GREY_HAIR
    assert fair.hair == HAIR_WORDS["blonde"]
    # A night with Gran and Dad and a night without them: the children look the same.
    people = [Character(id=name.lower(), name=name, description=description) for name, description in family[:4]]
    with_grown_ups, children_only = cast_figures(people)[:2], cast_figures(people[:2])
    assert [(f.skin, f.hair) for f in with_grown_ups] == [(f.skin, f.hair) for f in children_only]


@pytest.mark.parametrize(
    ("description", "setting"),
    [
        ("grandma's kitchen, warm and smelling of bread", ROOM),
        ("a library with tall shelves and a reading nook", ROOM),
        ("a hospital room with a big window and a bunch of balloons", ROOM),
        ("the treehouse in the garden, with a rope ladder and fairy lights", ROOM),
        ("the back seat of a car, with a blanket", CAR),
        ("on the night train to the sea, with bunk beds", TRAIN),
        ("the old wooden pier, with fishing boats", PIER),
        ("a houseboat on the canal, with round windows", BOAT),
        ("a snowy cabin in the woods", OUTDOORS),  # a building is seen from outside, in its snow
        ("a moonlit forest clearing", OUTDOORS),
    ],
)
def test_the_setting_is_the_place_the_writer_reads(description: str, setting: str) -> None:
    assert setting_of(read_place(description)) == setting


def test_a_kitchen_has_a_warm_wall_and_floor_where_the_forest_has_night_sky_and_grass() -> None:
    cast = [_one("a girl of five with glasses", "Maya")]
    forest, kitchen = _page(cast, FOREST), _page(cast, KITCHEN)
    height = len(forest)
    top = slice(0, height // 20)  # above any window: the sky outdoors, the wall indoors
    red, blue = (forest[top][..., channel].mean() for channel in (0, 2))
    assert blue > red + 10  # night sky
    red, blue = (kitchen[top][..., channel].mean() for channel in (0, 2))
    assert red > blue + 5  # a lamplit or moonlit wall, warm
    floor = slice(int(height * 0.76), int(height * 0.8))
    assert np.abs(forest[floor].mean(axis=(0, 1)) - kitchen[floor].mean(axis=(0, 1))).sum() > 40


def test_five_nights_in_the_kitchen_differ() -> None:
    cast = [_one("a girl of five with glasses", "Maya"), _one("grandma, who carries a basket", "Grandma Rose")]
    nights = [
        _page(cast, KITCHEN, title)
        for title in ("Maya and the Lost Key", "The Kite", "Maya and the Moon", "A Song for Grandma", "The Owl")
    ]
    for first in range(5):
        for second in range(first + 1, 5):
            assert np.abs(nights[first] - nights[second]).mean() > 6, (first, second)


def test_a_campsites_tent_and_campfire_are_drawn_behind_the_cast() -> None:
    cast = [_one("a boy of nine who carries a compass", "Tom")]
    bare = _page(cast, Scene(id="home", description="the lake shore"))
    camp = _page(cast, Scene(id="home", description="the lake shore, with a tent and a campfire"))
    height = len(bare)
    behind = slice(int(height * 0.5), int(height * 0.78))
    changed = np.abs(bare[behind] - camp[behind]).sum(axis=2) > 60
    assert changed.mean() > 0.02
