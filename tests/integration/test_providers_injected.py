"""Providers handed to the local runtime serve its handlers: the seam benchmarks and fault drills use."""

from __future__ import annotations

import io

from PIL import Image

from storyteller.dal.catalog import CatalogStore
from storyteller.dal.media import MediaStore
from storyteller.dal.stories import StoryStore
from storyteller.households.seed import seed
from storyteller.local.runtime import LocalRuntime
from storyteller.models import Character, Scene
from storyteller.providers.factory import ProviderOverrides
from storyteller.providers.offline.illustrator import PictureBookIllustrator
from storyteller.settings import get_settings


class CountingIllustrator(PictureBookIllustrator):
    """The real offline illustrator, counting how often it is asked."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def illustrate(self, title: str, characters: list[Character], scene: Scene, moment: str = "") -> bytes:
        self.calls += 1
        return super().illustrate(title, characters, scene, moment)


def test_an_injected_illustrator_draws_the_story_picture() -> None:
    illustrator = CountingIllustrator()
    with LocalRuntime(get_settings(), providers=ProviderOverrides(illustrator=illustrator)) as runtime:
        seed(CatalogStore(runtime.settings))
        story_id = runtime.create_story()
        outcome = runtime.wait_for_story(story_id, timeout=60)
        story = StoryStore(runtime.settings).get(story_id)
        assert story is not None
        assert story.imageKey is not None
        picture = Image.open(io.BytesIO(MediaStore(runtime.settings).get(story.imageKey)))

    assert outcome.status == "COMPLETE"
    assert illustrator.calls == 1
    assert picture.size == (1024, 1024)
