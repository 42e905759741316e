"""A good default cast and set of scenes, so the first night already has a story."""

from __future__ import annotations

from storyteller.dal.catalog import CatalogStore
from storyteller.models import Character, Scene

CHARACTERS: tuple[Character, ...] = (
    Character(id="pip", name="Pip", description="a small red fox with a white-tipped tail who loves to count stars"),
    Character(id="luna", name="Luna", description="a wise grey owl who wears tiny round spectacles"),
    Character(id="bramble", name="Bramble", description="a gentle brown bear who hums when he is thinking"),
    Character(id="clover", name="Clover", description="a quick white rabbit with one floppy ear"),
    Character(id="mo", name="Mo", description="a curious little mouse who carries a thimble for a hat"),
    Character(id="ada", name="Ada", description="a brave girl with a yellow raincoat and a lantern"),
    Character(id="theo", name="Theo", description="a thoughtful boy who keeps a notebook of wonderful things"),
    Character(id="sprocket", name="Sprocket", description="a friendly tin robot whose chest glows softly blue"),
    Character(id="ember", name="Ember", description="a tiny dragon who sneezes warm sparkles instead of fire"),
)

SCENES: tuple[Scene, ...] = (
    Scene(id="forest", description="a moonlit forest clearing with tall pines and glowing mushrooms"),
    Scene(id="beach", description="a quiet beach under the stars where the waves whisper"),
    Scene(id="mountain", description="a snowy mountain village with warm yellow windows"),
    Scene(id="garden", description="a castle garden full of roses and a silver fountain"),
    Scene(id="meadow", description="a wide meadow of long grass where fireflies dance"),
    Scene(id="river", description="a slow river with a little wooden boat tied to a willow"),
    Scene(id="island", description="a tiny island with one palm tree and a lighthouse"),
    Scene(id="city", description="a sleepy city of rooftops and chimneys under the moon"),
    Scene(id="space", description="a calm corner of space among friendly planets and comets"),
)


def seed(catalog: CatalogStore) -> tuple[int, int]:
    """Put the default cast and scenes; by id, so running it twice changes nothing."""
    for character in CHARACTERS:
        catalog.put_character(character)
    for scene in SCENES:
        catalog.put_scene(scene)
    return len(CHARACTERS), len(SCENES)
