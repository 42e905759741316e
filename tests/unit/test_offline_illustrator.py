"""The offline illustrator draws a real picture: a full-colour scene that follows its inputs."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from storyteller.models import Character, Scene
from storyteller.providers.offline.illustrator import (
    CAST_WORDS,
    LABEL_CHARS,
    PictureBookIllustrator,
    character_kind,
    label_text,
    scene_kinds,
)
from storyteller.providers.protocols import Illustrator

FOX = Character(id="pip", name="Pip", description="a small red fox")
OWL = Character(id="luna", name="Luna", description="a wise grey owl")
FOREST = Scene(id="forest", description="a moonlit forest clearing")
BEACH = Scene(id="beach", description="a quiet beach under the stars")


def _pixels(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        return np.asarray(image.convert("RGB"), dtype=np.int16)


def _draw(title: str, characters: list[Character], scene: Scene) -> np.ndarray:
    return _pixels(PictureBookIllustrator().illustrate(title, characters, scene))


@pytest.fixture(scope="module")
def forest_page() -> bytes:
    return PictureBookIllustrator().illustrate("Pip and the Lost Star", [FOX, OWL], FOREST)


def test_it_is_an_illustrator() -> None:
    illustrator: Illustrator = PictureBookIllustrator()
    assert illustrator.model == "offline-picture-book-1"


def test_the_png_decodes_at_picture_book_size(forest_page: bytes) -> None:
    with Image.open(io.BytesIO(forest_page)) as image:
        image.verify()
    with Image.open(io.BytesIO(forest_page)) as image:
        assert image.format == "PNG"
        assert image.width >= 768
        assert image.height >= 768


def test_it_is_a_picture_not_a_card(forest_page: bytes) -> None:
    pixels = _pixels(forest_page)
    flat = pixels.reshape(-1, 3)
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    assert len(colours) >= 500
    assert counts.max() / len(flat) < 0.2, "one colour covers a fifth of the page"
    assert flat.std(axis=0).mean() > 25
    # Night above, ground and cast below: the halves look different.
    top, bottom = pixels[: len(pixels) // 3], pixels[-len(pixels) // 3 :]
    assert np.abs(top.mean(axis=(0, 1)) - bottom.mean(axis=(0, 1))).sum() > 30


def test_the_same_story_draws_the_same_bytes(forest_page: bytes) -> None:
    again = PictureBookIllustrator().illustrate("Pip and the Lost Star", [FOX, OWL], FOREST)
    assert again == forest_page


def test_a_different_scene_draws_a_different_picture(forest_page: bytes) -> None:
    forest = _pixels(forest_page)
    beach = _draw("Pip and the Lost Star", [FOX, OWL], BEACH)
    assert np.abs(forest - beach).mean() > 10


def test_the_same_scene_with_another_title_varies() -> None:
    one = _draw("Pip and the Lost Star", [FOX], FOREST)
    two = _draw("Pip Goes Home", [FOX], FOREST)
    assert np.abs(one - two).mean() > 2


def test_trading_places_changes_only_the_foreground(forest_page: bytes) -> None:
    before = _pixels(forest_page)
    after = _draw("Pip and the Lost Star", [OWL, FOX], FOREST)
    height = len(before)
    sky = slice(0, height * 2 // 5)
    foreground = slice(height // 2, height)
    assert np.array_equal(before[sky], after[sky]), "the landscape should not depend on cast order"
    changed = np.any(before[foreground] != after[foreground], axis=2).mean()
    assert changed > 0.05


def test_a_character_shows_in_the_foreground() -> None:
    empty = _draw("A Quiet Night", [], FOREST)
    with_fox = _draw("A Quiet Night", [FOX], FOREST)
    height = len(empty)
    changed = np.any(empty[height // 2 :] != with_fox[height // 2 :], axis=2).mean()
    assert changed > 0.05


@pytest.fixture(scope="module")
def default_figure() -> np.ndarray:
    nobody = Character(id="hero", name="Hero", description="a little friend")
    assert character_kind(nobody) == "creature"
    return _draw("Night", [nobody], FOREST)


@pytest.mark.parametrize("kind", sorted(CAST_WORDS))
def test_every_kind_of_figure_is_drawn_its_own_way(kind: str, default_figure: np.ndarray) -> None:
    character = Character(id="hero", name="Hero", description=f"a little {CAST_WORDS[kind][0]}")
    assert character_kind(character) == kind
    drawn = _draw("Night", [character], FOREST)
    assert np.any(drawn != default_figure, axis=2).mean() > 0.01


@pytest.mark.parametrize(
    ("description", "expected"),
    [
        ("a moonlit forest clearing", {"forest"}),
        ("a quiet beach under the stars", {"sea"}),
        ("a snowy mountain village", {"snow", "mountain", "village"}),
        ("a castle garden", {"castle", "garden"}),
        ("a tiny island", {"island", "sea"}),
        ("a trip through outer space", {"space"}),
        ("somewhere nobody has named", {"meadow"}),
    ],
)
def test_scene_words_choose_the_landscape(description: str, expected: set[str]) -> None:
    assert scene_kinds(description) == expected


def test_the_name_is_read_before_the_description() -> None:
    bunny = Character(id="b", name="Bunny", description="friends with a fox and a bear")
    assert character_kind(bunny) == "rabbit"
    assert character_kind(Character(id="m", name="Mia", description="a girl with a pet cat")) == "girl"
    assert character_kind(Character(id="z", name="Zog", description="nobody knows what")) == "creature"


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert('hi')</script>",
        "x" * 10_000,
        "狐狸 🦊",
        "مرحبا",
        "\u202eevil\u202c",
        "tab\tnew\nline\x00nul",
        "\ud800 lone surrogate",
        " ",
    ],
)
def test_odd_names_do_not_crash(name: str) -> None:
    # model_construct skips validation: the illustrator must cope with whatever reaches it.
    odd = Character.model_construct(id=name[:64] or "id", name=name, description=name)
    png = PictureBookIllustrator().illustrate(name, [odd, FOX], Scene.model_construct(id="s", description=name))
    assert _pixels(png).shape[0] >= 768


def test_a_crowd_is_drawn_without_crashing() -> None:
    crowd = [Character(id=f"c{i}", name=f"Friend {i}", description="a bunny") for i in range(8)]
    assert _pixels(PictureBookIllustrator().illustrate("Everyone", crowd, FOREST)).shape[0] >= 768


def test_labels_are_short_and_drawable() -> None:
    assert label_text("Zoë") == "Zoe"
    assert label_text("狐狸") == ""
    assert label_text("a\nb") == "a b"
    long = label_text("x" * 10_000)
    assert len(long) == LABEL_CHARS
    assert long.endswith("…")


def test_labels_can_be_left_off() -> None:
    labelled = _draw("Night", [FOX], FOREST)
    plain = _pixels(PictureBookIllustrator(labels=False).illustrate("Night", [FOX], FOREST))
    assert not np.array_equal(labelled, plain)


def _night(night: int) -> tuple[str, str]:
    """Title and moment of one of five nights of Ada, Luna and Mo on the beach, each remembering the last."""
    from storyteller.models import PastStory
    from storyteller.providers.offline.writer import RhymingStoryWriter

    recent: list[PastStory] = []
    draft = None
    for seed in range(night + 1):
        draft = RhymingStoryWriter(seed=seed).write_remembering(list(_FAMILY), _BEACH, recent)
        recent.insert(0, PastStory(title=draft.title, plot=draft.plot))
    assert draft is not None
    return draft.title, draft.moment or ""


_FAMILY = (
    Character(id="ada", name="Ada", description="a brave girl with a yellow raincoat and a lantern"),
    Character(id="luna", name="Luna", description="a wise grey owl who wears tiny round spectacles"),
    Character(id="mo", name="Mo", description="a curious little mouse who carries a thimble for a hat"),
)
_BEACH = Scene(id="beach", description="a quiet beach under the stars where the waves whisper")


def test_the_key_object_is_found_in_the_writers_moment_or_in_plain_words() -> None:
    from storyteller.providers.offline.picture.moment import key_of
    from storyteller.providers.offline.verses.plots import PLOTS

    assert all(key_of(f"Ada and the lantern: {plot.moment}", "") == plot.key for plot in PLOTS)
    assert key_of("the friends fly a kite over the sea", "") == "kite"
    assert key_of("", "Pip and the Blue Balloon") == "balloon"
    assert key_of("", "A Quiet Night") is None


def test_the_moment_puts_the_key_object_in_the_picture() -> None:
    title = "Ada and the Littlest Star"
    plain = _pixels(PictureBookIllustrator().illustrate(title, list(_FAMILY), _BEACH)).astype(int)
    told = _pixels(
        PictureBookIllustrator().illustrate(title, list(_FAMILY), _BEACH, moment="the red kite flying free again")
    ).astype(int)

    assert np.abs(plain - told).mean() > 3


def test_described_details_are_drawn_on_the_figure() -> None:
    from storyteller.providers.offline.picture.details import details_of

    assert details_of(_FAMILY[0]) == ["lantern"]
    assert details_of(_FAMILY[1]) == ["spectacles"]
    assert details_of(_FAMILY[2]) == ["thimble"]
    bare = Character(id="luna", name="Luna", description="a wise grey owl")
    with_spectacles = _pixels(PictureBookIllustrator(labels=False).illustrate("Night", [_FAMILY[1]], FOREST))
    without = _pixels(PictureBookIllustrator(labels=False).illustrate("Night", [bare], FOREST))
    changed = np.abs(with_spectacles.astype(int) - without.astype(int)).sum(axis=2) > 60
    rows = np.nonzero(changed.any(axis=1))[0]
    assert changed.sum() > 500  # a visible pair of rims...
    assert rows.min() > with_spectacles.shape[0] * 0.5  # ...on the figure, not in the sky


def test_five_nights_of_the_same_cast_and_scene_look_different() -> None:
    pictures = [
        _pixels(PictureBookIllustrator().illustrate(title, list(_FAMILY), _BEACH, moment=moment)).astype(int)
        for title, moment in (_night(night) for night in range(5))
    ]

    for first in range(5):
        for second in range(first + 1, 5):
            assert np.abs(pictures[first] - pictures[second]).mean() > 6, (first, second)


def test_the_openai_picture_prompt_names_the_moment() -> None:
    from storyteller.providers.openai_illustrator import picture_prompt

    prompt = picture_prompt("Ada and the Kite", list(_FAMILY), _BEACH, moment="Ada and the lantern: the red kite")

    assert "key moment: Ada and the lantern: the red kite" in prompt
    assert "a lantern" in prompt
