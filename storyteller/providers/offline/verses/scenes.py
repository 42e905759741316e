"""Where a story lives: each kind of place with its own sounds, creatures, light and ways of going home.

A scene is matched to a kind by its words ("a quiet beach" is the shore); a scene we have no kind
for gets the gentle all-purpose night, so any user text still gets a story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyteller.story.validation import STOPWORDS


def _words(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|") if part.strip())


@dataclass(frozen=True)
class Lexicon:
    """The words one kind of place is told in; every field is a choice, so nights differ."""

    kind: str
    keywords: frozenset[str]
    preposition: str  # "on a quiet beach", "in a moonlit forest", "by a slow river"
    creatures: tuple[str, ...]  # plural: "the gulls dozed"
    creature: tuple[str, ...]  # singular, one of them: "a sleepy crab"
    sounds: tuple[str, ...]  # "the hush of the waves"
    lights: tuple[str, ...]  # "the lighthouse beam"
    landmarks: tuple[str, ...]  # "the old palm tree": where things are looked for
    homes: tuple[str, ...]  # after the cast's names, ending on a rhyme: "padded home by the edge of the sea"

    @property
    def vocabulary(self) -> frozenset[str]:
        """Its content words: a stanza that uses one of these is a stanza of this place."""
        text = " ".join([*self.keywords, *self.creatures, *self.creature, *self.sounds, *self.lights, *self.landmarks])
        return frozenset(word for word in re.findall(r"[a-z]+", text.lower()) if len(word) > 3) - STOPWORDS


def _lexicon(kind: str, keywords: str, preposition: str, **fields: str) -> Lexicon:
    return Lexicon(
        kind=kind,
        keywords=frozenset(keywords.split()),
        preposition=preposition,
        **{name: _words(value) for name, value in fields.items()},
    )


LEXICONS: tuple[Lexicon, ...] = (
    _lexicon(
        "forest",
        "forest forests wood woods woodland clearing pine pines jungle oak mushrooms",
        "in",
        creatures="hedgehogs | badgers | moths | owls | squirrels",
        creature="hedgehog | badger | moth | little brown owl | squirrel",
        sounds="the rustle of pine needles | the creak of the branches | the owl's low hoot | the patter of moths",
        lights="the glow of the mushrooms | the moonlight through the pines | the silver moonbeams | the mushroom glow",
        landmarks="the tallest pine | the mossy log | the ring of mushrooms | the old hollow oak",
        homes="padded home on the soft pine-needle ground | tiptoed home past the mushrooms, without a sound "
        "| followed the mushroom glow home through the night",
    ),
    _lexicon(
        "beach",
        "beach beaches shore sand sands seaside waves coast",
        "on",
        creatures="crabs | gulls | sandpipers | starfish | little shrimps",
        creature="crab | gull | sandpiper | starfish | sea turtle",
        sounds="the whisper of the waves | the shush of the tide | the gulls' sleepy cries | the hush of the sea",
        lights="the starlight on the water | the moon on the waves | the silver foam | the shining wet sand",
        landmarks="the rock pools | the big striped shell | the line of seaweed | the old driftwood log",
        homes="padded home by the edge of the sea | followed their footprints home through the sand in the night "
        "| skipped home past the rock pools, far up the shore",
    ),
    _lexicon(
        "snow",
        "snow snowy winter mountain mountains ice icy frost frosty igloo village sled",
        "in",
        creatures="mountain goats | snow hares | sleepy marmots | snowy owls",
        creature="mountain goat | snow hare | marmot | snowy owl",
        sounds="the crunch of the snow | the jingle of sleigh bells "
        "| the hush of the snowflakes | the creak of the ice",
        lights="the yellow windows | the snow's pale glow | the lamplight on the snow | the frosty starlight",
        landmarks="the snowy path | the woodpile | the frozen pond | the chapel bell",
        homes="crunched home through the snow to their warm window light "
        "| sledged home down the hill, very softly and slow "
        "| stamped off the snow and went in, warm and ready for sleep",
    ),
    _lexicon(
        "garden",
        "garden gardens castle roses rose fountain flowers flower hedge",
        "in",
        creatures="bumblebees | snails | ladybirds | garden moths | sleepy frogs",
        creature="bumblebee | snail | ladybird | frog | robin",
        sounds="the splash of the fountain | the hum of the bees | the rustle of the roses | the trickle of water",
        lights="the silver fountain | the moonlit roses | the lamps on the castle wall | the glowworm light",
        landmarks="the silver fountain | the rose arch | the castle steps | the sundial",
        homes="tiptoed home past the roses, all quiet and slow | went home up the castle steps, side by side "
        "| padded home past the fountain and its silver spray",
    ),
    _lexicon(
        "meadow",
        "meadow meadows grass field fields fireflies hay farm",
        "in",
        creatures="fireflies | crickets | field mice | grasshoppers | sleepy sheep",
        creature="firefly | cricket | field mouse | grasshopper | lamb",
        sounds="the chirp of the crickets | the swish of the long grass "
        "| the hum of the meadow | the sleepy sheep's baa",
        lights="the dancing fireflies | the firefly lanterns | the moonlit grass | the glow of the fireflies",
        landmarks="the tallest grass | the old stone wall | the haystack | the clover patch",
        homes="waded home through the grass, swishing softly and slow "
        "| followed the fireflies home through the grass in the night | skipped home past the haystack, all the way",
    ),
    _lexicon(
        "river",
        "river rivers boat willow stream brook lake pond bank",
        "by",
        creatures="ducks | frogs | otters | dragonflies | little fish",
        creature="duck | frog | otter | dragonfly | heron",
        sounds="the lap of the water | the croak of the frogs | the creak of the boat | the willow's soft sigh",
        lights="the moon on the river | the ripples of silver | the lantern on the boat | the starlight on the water",
        landmarks="the little wooden boat | the willow | the stepping stones | the reeds by the bank",
        homes="rowed the little boat home, very softly and slow | walked home by the river, past the old willow tree "
        "| followed the river home, all the way",
    ),
    _lexicon(
        "island",
        "island islands lighthouse palm",
        "on",
        creatures="sea turtles | hermit crabs | seabirds | little fish",
        creature="sea turtle | hermit crab | seabird | coconut crab",
        sounds="the swish of the palm leaves | the roll of the waves "
        "| the seabirds' sleepy calls | the hush of the sea",
        lights="the lighthouse beam | the sweep of the lighthouse light | the moon on the sea | the starry waves",
        landmarks="the palm tree | the lighthouse door | the little sandy cove | the coconut pile",
        homes="climbed home up the lighthouse stairs, round and round | padded home round the island, all the way "
        "| followed the lighthouse beam home through the night",
    ),
    _lexicon(
        "city",
        "city cities town rooftops roofs chimneys street streets houses windows",
        "in",
        creatures="pigeons | alley cats | sparrows | city foxes",
        creature="pigeon | alley cat | sparrow | city fox",
        sounds="the hum of the trams | the tick of the town clock | the pigeons' coo | the patter of rain on the roofs",
        lights="the streetlamps | the moon over the rooftops | the lit windows | the neon glow",
        landmarks="the tallest chimney | the clock tower | the rooftop garden | the fire escape",
        homes="hopped home from rooftop to rooftop in the night | climbed home down the chimney pots, quiet and slow "
        "| went home down the lamplit street, all the way",
    ),
    _lexicon(
        "space",
        "space planet planets comet comets rocket galaxy universe orbit",
        "in",
        creatures="moon moths | star whales | comet kittens | little space jellies",
        creature="star whale | moon moth | comet kitten | space jelly",
        sounds="the hum of the planets | the whoosh of the comets "
        "| the ping of the stars | the soft buzz of the rocket",
        lights="the comet tails | the ringed planet's glow | the starlight | the shine of the Milky Way",
        landmarks="the ringed planet | the comet's tail | the moon's far side | the little blue rocket",
        homes="rode a comet home through the Milky Way | floated home in their rocket, past planets, so slow "
        "| drifted home on the starlight, back down to bed",
    ),
)

NIGHT = _lexicon(
    "night",
    "",
    "in",
    creatures="owls | moths | crickets | sleepy birds",
    creature="owl | moth | cricket | sleepy bird",
    sounds="the hush of the evening | the chirp of the crickets | the sigh of the breeze | the owl's soft hoot",
    lights="the moonlight | the starlight | the silver moon | the twinkling stars",
    landmarks="the old garden gate | the tallest tree | the little stone wall | the path",
    homes="padded home on slow, sleepy feet through the night | went home the quiet way, all the way "
    "| tiptoed home in the moonlight, so soft and so slow",
)


# A family's own indoor, vehicle and water places: told in their own sounds, never crickets in a kitchen.
HOME = _lexicon(
    "home",
    "",
    "in",
    # Any room at night, a kitchen or a hospital room as much as a bedroom: no toy box, rag dolls or toy
    # soldiers, which a read of the families' stories found in every room, looking on in every other line.
    creatures="moonbeams | moths | stars | shadows",
    creature="teddy bear | toy rabbit | rag doll | wooden duck",
    sounds="the tick of the clock | the hush of the night | the patter of rain on the window | the creak of the door",
    lights="the night-light | the lamp's warm glow | the moonlight at the window | the glow of the landing light",
    landmarks="the window | the door | the lamp",
    homes="snuggled down into bed, so cosy and slow | tiptoed off to their pillows, all the way "
    "| curled up under their blankets, warm for the night",
)
RIDE = _lexicon(
    "ride",
    "",
    "in",
    creatures="stars | passengers | owls | moths",
    creature="teddy bear | toy dinosaur | sleepy passenger | toy car",
    sounds="the hum of the engine | the swish of the wheels | the tick of the indicator | the rumble of the road",
    lights="the streetlights passing | the moon at the window | the glow of the dashboard | the lights going by",
    landmarks="the window | the seat belt | the cup holder | the snack bag",
    homes="rode on home through the dark, very softly and slow | dozed all the way home through the night "
    "| were carried in, sleepy, all the way",
)
HARBOUR = _lexicon(
    "harbour",
    "",
    "on",
    creatures="gulls | little fish | crabs | seals",
    creature="gull | little fish | crab | seal",
    sounds="the lap of the water | the creak of the boards | the gulls' sleepy cries | the clink of the masts",
    lights="the moon on the water | the harbour lamps | the silver ripples | the lighthouse beam",
    landmarks="the old bollard | the coil of rope | the lobster pots | the end of the boards",
    homes="walked home from the water, so soft and so slow | followed the lamps home along the shore in the night "
    "| padded home past the boats, all the way",
)


def lexicon_for(scene_words: set[str]) -> Lexicon:
    """The kind of place whose keywords the scene shares the most of; the all-purpose night if none."""
    best = max(LEXICONS, key=lambda lexicon: len(lexicon.keywords & scene_words))
    return best if best.keywords & scene_words else NIGHT
