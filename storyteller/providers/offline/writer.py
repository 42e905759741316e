"""A story writer with no model behind it: tracery varies the phrasing, the CMU dictionary keeps the rhymes.

A story is a fixed arc (the scene, the friends, a small problem, helping, the fix, goodnight), each beat
a choice of hand-written couplets. Every line ends on a word we wrote, never on a name or a scene, so
user text can be anything without breaking a rhyme; it is spliced in after tracery has run, so a `#`
or `[` in a name is printed rather than read as grammar.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pronouncing
import tracery
from tracery.modifiers import base_english

from storyteller.models import Character, Scene, StoryDraft, Usage
from storyteller.validation import TITLE_MAX, clean_text, count_words, last_word, rhymes, significant_words

# Where the writer aims; the validator's limits (200-600) leave room either side.
LEAST_WORDS = 230
MOST_WORDS = 450
# A long description would swamp its couplet, and three of them the story: keep the start.
DESCRIPTION_WORDS = 16
SCENE_WORDS = 20
# A longer name is said in full once, then by its first words, so names cannot overrun the word limit.
SHORT_NAME_WORDS = 2
FALLBACK_NAME = "Little One"
CAST_TITLE_CHANCE = 0.6


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_SLOT = re.compile(r"\{(\w+)\}")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
_DETERMINERS = _word_set("a an the my our your his her their its this that one two three some every")
_RELATIVES = _word_set("who whose which that")
_PREPOSITIONS = _word_set(
    "in on at by under over inside outside beneath below above behind beside near among across along "
    "upon within underneath between beyond far deep high down up"
)
# Places said without "the": "in space", not "in the space".
_BARE_PLACES = _word_set("space dreamland wonderland fairyland town bed school heaven")


@dataclass(frozen=True)
class Couplet:
    """Two lines of tracery with `{slots}` for user text; each line ends on a literal word."""

    first: str
    second: str
    group: bool = False  # needs two or more friends ("side by side")

    @property
    def ends(self) -> tuple[str, str]:
        return last_word(self.first), last_word(self.second)


@dataclass(frozen=True)
class Beat:
    """One step of the story, told by any one of its couplets."""

    options: tuple[Couplet, ...]
    optional: bool = False


@dataclass(frozen=True)
class Plot:
    """A small bedtime problem: what goes wrong, and how the friends put it right."""

    thing: tuple[str, ...]
    cast_titles: tuple[str, ...]
    plain_titles: tuple[str, ...]
    problem: tuple[Beat, ...]
    solution: tuple[Beat, ...]
    avoid: frozenset[str] = frozenset()  # words that would contradict the plot ("moon" when it is missing)


def _beats(text: str) -> tuple[Beat, ...]:
    """Beats written as verse, so the story reads as a poem here too.

    A blank line separates beats; a line "or" separates the couplets a beat may choose from;
    "(optional)" opens a beat that may be cut for length; "(friends)" opens a couplet that needs two.
    """
    beats = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines()]
        optional = lines[0] == "(optional)"
        beats.append(Beat(tuple(_couplet(option) for option in _alternatives(lines[optional:])), optional))
    return tuple(beats)


def _alternatives(lines: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for line in lines:
        if line == "or":
            groups.append([])
        else:
            groups[-1].append(line)
    return groups


def _couplet(lines: list[str]) -> Couplet:
    group = lines[0] == "(friends)"
    if len(lines) - group != 2:
        raise ValueError(f"a couplet needs two lines: {lines}")
    return Couplet(lines[group], lines[group + 1], group)


PHRASES: dict[str, list[str]] = {
    "soft": ["soft", "gentle", "quiet", "hushed"],
    "sleepy": ["sleepy", "drowsy", "dreamy"],
    "little": ["little", "tiny", "wee"],
    "velvety": ["velvety", "inky", "purple"],
    "lovely": ["lovely", "beautiful", "wonderful", "magical"],
    "curious": ["curious", "eager", "bright-eyed"],
    "wiggly": ["wiggly", "giggly", "fidgety"],
    "skipping": ["skipping", "hopping", "pattering", "tiptoeing"],
    "humming": ["humming", "singing", "whistling"],
    "cheerful": ["cheerful", "cheery", "friendly", "happy"],
    "twinkle": ["twinkle", "sparkle", "shimmer"],
    "twinkled": ["twinkled", "sparkled", "shimmered"],
    "yawn": ["yawn", "stretch", "wriggle"],
    "snuggled": ["snuggled", "nestled", "settled"],
    "cozy": ["cozy", "snug", "warm"],
    "breeze": ["breeze", "wind", "night air"],
    "pink": ["pink", "rosy", "peach"],
    "creeping": ["creeping", "tiptoeing", "drifting"],
    "twinkling": ["twinkling", "peeping", "blinking"],
    "zooming": ["zooming", "swooshing", "sailing"],
    "glowed": ["glowed", "shone", "gleamed"],
    "sweet": ["Sweet", "Happy", "Cozy"],
    "wriggling": ["wriggling", "wiggling", "twiddling"],
    "shiny": ["shiny", "pearly", "speckled"],
    "feather": ["feather", "dandelion", "tickly grass stalk"],
    "giggle": ["giggle", "chuckle", "snicker"],
    "warm": ["warm", "bright", "soft"],
}

(OPENINGS, ATMOSPHERE) = _beats(
    """
    Once upon a time, {where}, the day was nearly done,
    And the sky turned #pink# and gold with the very last of the sun.
    or
    Once, {where}, when the evening came #soft# and slow,
    The whole wide world grew still in the moon's silver glow.
    or
    Not so long ago, {where}, as the night came #creeping# in,
    The crickets tuned their fiddles and the moon began to grin.
    or
    Once, {where}, when the sky was turning blue,
    The first #little# star peeked out and whispered, "How do you do?"

    The #breeze# was #humming# a #soft# little tune,
    And everything shimmered beneath the round moon.
    or
    The birds in their nests had stopped singing their song,
    And the shadows were stretching out, purple and long.
    or
    The stars came out #twinkling#, first one, then two,
    Then hundreds and hundreds, in silver and blue.
    or
    A #soft# little wind went tiptoeing by,
    And a round yellow moon floated up in the sky.
    """
)

# A couplet about the kind of place the scene is, when one of its words says which kind.
THEMES: tuple[tuple[frozenset[str], Couplet], ...] = tuple(
    (_word_set(words), _beats(lines)[0].options[0])
    for words, lines in (
        (
            "forest forests wood woods woodland tree trees pine pines jungle oak",
            """
            The tall old trees rustled their leaves in the breeze,
            And an owl said "Hoo-hoo!" from high up in the trees.
            """,
        ),
        (
            "sea seas beach ocean waves shore island lighthouse boat river lake pond harbour harbor",
            """
            The water went "shush" and the water went "hush,"
            As it rocked every pebble and shell, with no rush.
            """,
        ),
        (
            "snow snowy winter mountain mountains ice icy frost frosty igloo",
            """
            The snowflakes came drifting down, feathery-light,
            And tucked the whole world in a blanket of white.
            """,
        ),
        (
            "garden gardens meadow meadows flower flowers field fields grass roses farm park",
            """
            The flowers had folded their petals up tight,
            And the fireflies #twinkled# like lanterns of light.
            """,
        ),
        (
            "space planet planets comet comets rocket galaxy universe",
            """
            The planets spun slowly, as round as balloons,
            And the comets went #zooming# past silvery moons.
            """,
        ),
        (
            "city town village rooftops roofs chimneys street streets houses castle windows",
            """
            The windows #glowed# golden, then one by one, dark,
            And a #sleepy# dog yawned with one last little bark.
            """,
        ),
    )
)

# One for each friend, introducing them with their description.
(INTRODUCTIONS,) = _beats(
    """
    And here was {intro} who was wide awake,
    Too #wiggly# to sleep, for goodness' sake!
    or
    And there was {intro} who peeked out to see
    What the #soft# night was up to, as #curious# as can be.
    or
    Along came {intro} on tiptoes so light,
    Who whispered, "Hello, friends! What a #lovely# night!"
    or
    Then {intro} came #skipping# along,
    #humming.capitalize# a #soft# and #sleepy# song.
    or
    Nearby was {intro} as snug as a bug,
    Who gave every friend a good-evening hug.
    or
    And {intro} was there, with a #twinkle# and a grin,
    Who said, "An adventure? Oh, please let me join in!"
    or
    And who should pop up but {intro} with a #cheerful# hello,
    Saying, "Wait, wait for me! Is it far? Can I go?"
    """
)

(GATHERINGS,) = _beats(
    """
    So {cast} sat down with a #yawn# and a sigh,
    And looked up at the stars in the #velvety# sky.
    or
    (friends)
    So {cast} snuggled close, side by side,
    Looking up at the sky, so #velvety# and wide.
    or
    (friends)
    And {cast} lay back on the cool, #soft# ground,
    Listening to the night and its #sleepy# sound.
    """
)

# One for each friend, in the middle of the story: everyone helps in their own way.
(HELPERS, TOGETHER) = _beats(
    """
    {name} thought and thought, with a hum and a frown,
    Then said, "I know how! We won't let #thing# down!"
    or
    Then {name} said, "I know what we can do!
    If we all help each other, we'll see this night through!"
    or
    Brave {name} went first, with a hop and a skip,
    And called, "Follow me, friends! We'll make this a trip!"
    or
    {name} gave a #yawn# but said, "We can't stop yet!
    This is a night that we'll never forget!"
    or
    {name} listened closely with a tilt of the head.
    "I think I know how we can help!" {name} said.
    or
    {name} had an idea, and it made everyone cheer:
    "We'll help #thing#! There is nothing to fear!"
    or
    {name} whispered, "Let's all try it together,
    As soft as a whisper, as light as a feather."
    or
    {name} stood on tiptoe, as tall as could be,
    And said, "Leave it to us! Just you wait and see!"

    (optional)
    For friends who help friends, as everyone knows,
    Can fix almost anything. That's how it goes!
    or
    They tried and they tried, and they never gave up,
    Not even to sip from a warm cocoa cup.
    """
)

(SETTLING, DROWSING, FAREWELLS) = _beats(
    """
    Then {cast} gave a yawn, so long and so deep,
    And #snuggled# down #cozy#, all ready for sleep.
    or
    The stars hummed a lullaby, gentle and low,
    And the night wrapped them up like a quilt, head to toe.
    or
    So {cast} padded home on slow, sleepy feet,
    And climbed into bed, all cozy and neat.

    (optional)
    (friends)
    Their eyelids grew heavy, their yawns grew wide,
    And they curled up together, all snug, side by side.
    or
    The crickets stopped singing; the wind fell asleep;
    Not a rustle, not a whisper, not even a peep.
    or
    The owls closed their eyes, and the bunnies did too,
    And the last sleepy firefly blinked out of view.
    or
    The clouds drifted by, like soft pillows of white,
    And tucked in the stars for the rest of the night.

    So goodnight, {cast}, and goodnight, little star,
    And goodnight to you, too, wherever you are.
    or
    Now close your eyes too, like {cast}. Sleep tight.
    #sweet# dreams, little one. Sweet dreams, and good night.
    or
    And {cast} dreamed sweet dreams all the night through,
    And now it's your turn. Sweet dreams to you.
    """
)

# "Goodnight to the owl, and goodnight to the tree": the rhyming pair is found with pronouncing.
BEDTIME_THINGS = tuple(
    sorted(
        _word_set(
            "moon spoon balloon star jar bear chair bee tree sea mouse house cat hat log dog kite light boat goat "
            "coat clock sock rock fish dish bug rug mug bed sled sheep snail whale shell bell fox box kitten mitten"
        )
    )
)
(GOODNIGHTS,) = _beats(
    """
    Goodnight to the {thing1}, and goodnight to the {thing2},
    Goodnight to the {thing3}, and goodnight to the {thing4}.
    """
)

PLOTS: tuple[Plot, ...] = (
    Plot(
        thing=("the littlest star", "the little lost star"),
        cast_titles=("{cast} and the Lost Star", "{cast} and the Littlest Star", "{cast} and the Falling Star"),
        plain_titles=("The Night the Littlest Star Fell Down", "The Star Who Lost Its Way Home", "A Star Comes Home"),
        problem=_beats(
            """
            But then, with a wobble, a tumble, a ping,
            The littlest star fell! What a #curious# thing!

            It landed nearby with a tinkle and glow,
            And it sniffled, "Oh dear! I have fallen so low!"
            or
            It lay in the dark with a flicker so small.
            "I'm lost," it said softly. "I can't shine at all!"

            (optional)
            Without it, the sky had a hole in its light,
            A dark little gap in the blanket of night.
            """
        ),
        solution=_beats(
            """
            They built a tall ladder of moonbeams and string,
            And they carried it up as they started to sing.

            Up, up went the star, past the clouds, way up high,
            Till it #twinkled# back home in the sky.
            or
            Up, up went the star, to its home far away,
            And it #twinkled# "Thank you!" in its own starry way.

            (optional)
            And the littlest star gave a wink and a gleam:
            "Thank you, my friends! Now go home and dream."
            """
        ),
    ),
    Plot(
        thing=("the lullaby", "the lost lullaby"),
        cast_titles=("{cast} and the Missing Lullaby", "{cast} and the Lost Lullaby", "{cast} and the Song of Sleep"),
        plain_titles=("The Night the Lullaby Went Missing", "The Lullaby That Ran Away", "Where Did the Lullaby Go?"),
        problem=_beats(
            """
            But hush, something was missing. Oh, what could be wrong?
            The night wind had lost its #soft#, #sleepy# song!
            or
            But listen: no lullaby! Not a single note!
            The night wind just coughed with a tickle in its throat.

            Without it, the owls couldn't settle or doze,
            And the bunnies kept #wriggling# their wide-awake toes.

            (optional)
            Its notes had blown off on a wild, windy day,
            And scattered like seeds, far and wide, far away.
            """
        ),
        solution=_beats(
            """
            They found the first note in a #shiny# blue shell,
            And the next in a flower, the last in a bell.

            They put all the notes back together just right,
            And they sang the whole lullaby into the night.

            (optional)
            The night wind was happy and sang it out clear,
            So soft and so sweet for everyone near.
            """
        ),
        avoid=frozenset({"tune"}),
    ),
    Plot(
        thing=("the moon", "the sleepy moon"),
        cast_titles=("{cast} and the Sleepy Moon", "{cast} and the Moon Who Forgot to Shine"),
        plain_titles=("The Night the Moon Forgot to Shine", "Wake Up, Little Moon", "The Moon Who Took a Nap"),
        problem=_beats(
            """
            But where was the moon? It was nowhere in sight!
            It had quite forgotten to shine for the night.

            It had curled itself up in a pillow of cloud,
            And it snored and it snored, just a little too loud.

            (optional)
            Without any moonlight, the night was so black
            That the fireflies said, "We can't find our way back!"
            """
        ),
        solution=_beats(
            """
            They tickled the cloud with a #feather#, just so,
            And the cloud gave a #giggle# and started to go.

            Then the moon opened one sleepy eye, then the other,
            And it yawned a big yawn, and then yawned another!

            It shone its #soft# light over all it could see.
            "Oh, thank you," it smiled, "for remembering me!"
            """
        ),
        avoid=frozenset({"moon", "moons"}),
    ),
    Plot(
        thing=("the little lost dream", "the runaway dream"),
        cast_titles=("{cast} and the Runaway Dream", "{cast} and the Lost Little Dream"),
        plain_titles=("The Dream That Lost Its Way", "The Littlest Dream", "A Dream Looking for Home"),
        problem=_beats(
            """
            Then something came drifting, all shimmery-pale:
            A #little# lost dream with a wisp for a tail.

            "I'm a dream," it said sadly, "and I'm lost, you see.
            There's a child fast asleep who is waiting for me!"
            or
            "I'm a dream," it said, sniffing. "I've drifted off track,
            And a child is asleep, waiting for me to come back!"
            """
        ),
        solution=_beats(
            """
            So they gave it a lantern to light up the way,
            And it floated off, smiling, "Hooray! Hip hooray!"

            It slipped through a window, as still as a mouse,
            Into the snuggliest bed in the snuggliest house.

            (optional)
            And a sleeping child smiled a small smile in the dark,
            Dreaming of rainbows and swings in the park.
            """
        ),
    ),
    Plot(
        thing=("the littlest firefly", "poor little Flick"),
        cast_titles=("{cast} and the Firefly's Glow", "{cast} and the Littlest Firefly"),
        plain_titles=("The Firefly Who Forgot How to Glow", "Glow, Little Firefly", "The Littlest Light"),
        problem=_beats(
            """
            Then a #little# voice sniffled, "Oh, what shall I do?
            My glow has gone out, and I don't have a clue!"

            It was Flick, the wee firefly, as small as a pea,
            Whose light had gone out. "Oh, won't someone help me?"

            (optional)
            All the other fireflies were blinking so bright,
            But poor little Flick had no glow for the night.
            """
        ),
        solution=_beats(
            """
            "A glow comes from happy," {lead} said with a smile.
            "So let's tell silly jokes for a while!"

            They told silly jokes about pickles and socks,
            And a hippo who hiccupped inside of a box.

            Then Flick gave a giggle, a flicker, a spark,
            And a #warm# golden glow lit up the dark!
            """
        ),
    ),
)


class RhymingStoryWriter:
    """Writes rhyming bedtime stories offline, in milliseconds, at no cost."""

    model = "offline-rhyme-1"

    def __init__(self, seed: int | None = None) -> None:
        self._seed = seed

    def write(self, characters: list[Character], scene: Scene, feedback: str | None = None) -> StoryDraft:
        """A titled story in rhyming couplets; `feedback` only reshuffles, since every draft passes the rules."""
        return _Story(self._rng(characters, scene, feedback), characters, scene).draft()

    def usage(self) -> Usage:
        """Nothing is consumed offline."""
        return Usage()

    def _rng(self, characters: list[Character], scene: Scene, feedback: str | None) -> random.Random:
        if self._seed is None:
            return random.Random()  # seeded by the OS: a different story every night
        # A str seed is hashed with SHA-512, not hash(), so the same input tells the same story in any process.
        cast = "\x1f".join(f"{character.name}\x1e{character.description}" for character in characters)
        return random.Random(f"{self._seed}\x1d{cast}\x1d{scene.description}\x1d{feedback or ''}")


@dataclass(frozen=True)
class _Friend:
    name: str  # said in full once, in the introduction
    short: str  # said everywhere else
    intro: str  # the name and its description, punctuated to sit mid-line


@dataclass(frozen=True, eq=False)  # identity, not equality: two couplets may read the same
class _Verse:
    lines: tuple[str, str]
    optional: bool

    @property
    def words(self) -> int:
        return count_words("\n".join(self.lines))


class _Story:
    """One story's choices: the plot, the couplets, and the tracery grammar that phrases them."""

    def __init__(self, rng: random.Random, characters: Sequence[Character], scene: Scene) -> None:
        self._rng = rng
        self._friends = [_friend(character) for character in characters]
        self._scene_words = set(_LETTER_RUN.findall(clean_text(scene.description).lower()))
        self._plot = rng.choice(PLOTS)
        self._grammar = _SeededGrammar({**PHRASES, "thing": list(self._plot.thing)}, rng)
        self._used_ends: set[str] = set()
        shorts = [friend.short for friend in self._friends]
        self._slots = {"where": _where(scene.description), "cast": _cast(shorts), "lead": shorts[0] if shorts else ""}

    def draft(self) -> StoryDraft:
        sections = [
            self._opening(),
            self._meeting(),
            [self._beat(beat) for beat in self._plot.problem],
            self._helping(),
            [self._beat(beat) for beat in self._plot.solution],
            self._ending(),
        ]
        sections = _trimmed(sections, self._rng.randint(LEAST_WORDS + 60, MOST_WORDS - 20), self._rng)
        text = "\n\n".join("\n".join(stanza) for section in sections for stanza in _stanzas(section))
        return StoryDraft(title=self._title(), text=text)

    def _title(self) -> str:
        if self._rng.random() < CAST_TITLE_CHANCE:
            names = _cast([friend.name for friend in self._friends], serial=True)
            titled = self._rng.choice(self._plot.cast_titles).replace("{cast}", names)
            if len(titled) <= TITLE_MAX:
                return titled
        return self._rng.choice(self._plot.plain_titles)

    def _opening(self) -> list[_Verse]:
        opening, atmosphere = self._beat(OPENINGS), self._beat(ATMOSPHERE)
        themed = [theme] if (theme := _theme(self._scene_words)) else []
        extra = self._pick([*themed, *self._shuffled(ATMOSPHERE.options)])
        return [opening, atmosphere, _Verse(self._render(extra), optional=True)]

    def _meeting(self) -> list[_Verse]:
        intros = self._shuffled(INTRODUCTIONS.options)
        return [
            *(self._told(self._pick(intros), {"intro": friend.intro}) for friend in self._friends),
            self._beat(GATHERINGS),
        ]

    def _helping(self) -> list[_Verse]:
        helpers = self._shuffled(HELPERS.options)
        return [
            *(self._told(self._pick(helpers), {"name": friend.short}) for friend in self._friends),
            self._beat(TOGETHER),
        ]

    def _ending(self) -> list[_Verse]:
        goodnights = _Verse(self._render(GOODNIGHTS.options[0], self._bedtime_things()), optional=True)
        return [self._beat(SETTLING), self._beat(DROWSING), goodnights, self._beat(FAREWELLS)]

    def _beat(self, beat: Beat) -> _Verse:
        return _Verse(self._render(self._pick(self._shuffled(beat.options))), beat.optional)

    def _told(self, couplet: Couplet, slots: dict[str, str]) -> _Verse:
        return _Verse(self._render(couplet, slots), optional=False)

    def _shuffled(self, options: Sequence[Couplet]) -> list[Couplet]:
        return self._rng.sample(list(options), len(options))

    def _pick(self, options: list[Couplet]) -> Couplet:
        """The first couplet that suits the cast and plot, truly rhymes, and ends on words not yet used."""
        suitable = [couplet for couplet in options if self._suits(couplet)] or options
        return next((couplet for couplet in suitable if self._fits(couplet)), suitable[0])

    def _suits(self, couplet: Couplet) -> bool:
        enough_friends = len(self._friends) > 1 or not couplet.group
        words = set(_LETTER_RUN.findall(f"{couplet.first} {couplet.second}".lower()))
        return enough_friends and words.isdisjoint(self._plot.avoid)

    def _fits(self, couplet: Couplet) -> bool:
        return rhymes(*couplet.ends) and self._used_ends.isdisjoint(couplet.ends)

    def _render(self, couplet: Couplet, slots: dict[str, str] | None = None) -> tuple[str, str]:
        values = {**self._slots, **(slots or {})}
        first, second = (_fill(self._grammar.flatten(line), values) for line in (couplet.first, couplet.second))
        ends = (last_word(first), last_word(second))
        if not rhymes(*ends):
            raise RuntimeError(f"a couplet of the offline writer does not rhyme: {ends}")
        self._used_ends.update(ends)
        return first, second

    def _bedtime_things(self) -> dict[str, str]:
        """Four things to say goodnight to; the second and fourth rhyme, a thing from the scene if it can."""
        rhymed = [thing for thing in BEDTIME_THINGS if thing not in self._used_ends and self._partners(thing)]
        from_scene = [thing for thing in rhymed if thing in self._scene_words]
        second = self._rng.choice(from_scene or rhymed)
        fourth = self._rng.choice(self._partners(second))
        first, third = self._rng.sample([thing for thing in BEDTIME_THINGS if thing not in {second, fourth}], 2)
        return {"thing1": first, "thing2": second, "thing3": third, "thing4": fourth}

    def _partners(self, thing: str) -> list[str]:
        return [other for other in _rhyming_things(thing) if other not in self._used_ends]


class _SeededGrammar(tracery.Grammar):  # type: ignore[misc]  # tracery ships no type hints
    """tracery picks with the global `random`; a story must depend on its own generator only."""

    def __init__(self, rules: dict[str, list[str]], rng: random.Random) -> None:
        super().__init__(rules)
        self.add_modifiers(base_english)
        self._rng = rng

    def select_rule(self, key: str, node: object, errors: list[str]) -> str:
        symbol = self.symbols.get(key)
        if symbol is None or not symbol.stack:
            raise KeyError(f"the story grammar has no phrase #{key}#")
        choice: str = self._rng.choice(symbol.stack[-1].default_rules)
        return choice


def _rhyming_things(thing: str) -> list[str]:
    """The other bedtime things that rhyme with this one, by the CMU dictionary."""
    return [other for other in pronouncing.rhymes(thing) if other in BEDTIME_THINGS and rhymes(thing, other)]


def _trimmed(sections: list[list[_Verse]], target: int, rng: random.Random) -> list[list[_Verse]]:
    """Without optional couplets, dropped at random, until near the target but never too short."""
    words = sum(verse.words for section in sections for verse in section)
    optional = [verse for section in sections for verse in section if verse.optional]
    dropped: set[int] = set()
    for verse in rng.sample(optional, len(optional)):
        if words > target and words - verse.words >= LEAST_WORDS:
            dropped.add(id(verse))
            words -= verse.words
    return [[verse for verse in section if id(verse) not in dropped] for section in sections]


def _stanzas(section: list[_Verse]) -> list[list[str]]:
    """Two couplets to a stanza; an odd one out joins the stanza before it."""
    lines = [line for verse in section for line in verse.lines]
    stanzas = [lines[start : start + 4] for start in range(0, len(lines), 4)]
    if len(stanzas) > 1 and len(stanzas[-1]) == 2:
        stanzas[-2].extend(stanzas.pop())
    return stanzas


def _fill(line: str, values: dict[str, str]) -> str:
    # One pass, so a name that reads "{cast}" is printed, not expanded.
    return _SLOT.sub(lambda match: values[match.group(1)], line)


def _friend(character: Character) -> _Friend:
    name = clean_text(character.name) or FALLBACK_NAME
    words = name.split()
    short = " ".join(words[:SHORT_NAME_WORDS]) if len(words) > SHORT_NAME_WORDS + 1 else name
    return _Friend(name=name, short=short, intro=_introduce(name, character.description))


def _introduce(name: str, description: str) -> str:
    """The name with its description as an aside: "Pip, a small red fox," or "Pip (brave and kind)"."""
    words = _clip(clean_text(description), DESCRIPTION_WORDS).split()
    if not words:
        return name
    first = words[0].lower()
    if first in _DETERMINERS or first in _RELATIVES:
        return f"{name}, {' '.join([first, *words[1:]])},"
    return f"{name} ({' '.join(words)})"


def _where(description: str) -> str:
    """The scene as somewhere to be: "in a moonlit forest", "under the sea", "in the meadow"."""
    cleaned = clean_text(description)
    place = _clip(cleaned, SCENE_WORDS, keep=significant_words(cleaned)[:1])
    words = place.split() or ["the", "land", "of", "dreams"]
    first = words[0].lower()
    if first in _PREPOSITIONS:
        return " ".join([first, *words[1:]])
    if first in _DETERMINERS:
        return "in " + " ".join([first, *words[1:]])
    if words[0][:1].isupper() or "'s" in place or words[-1].lower() in _BARE_PLACES:
        return "in " + place
    return "in the " + place


def _clip(text: str, most: int, keep: Sequence[str] = ()) -> str:
    """At most `most` words; if the first of `keep` comes later, the words leading up to it."""
    words = text.split()
    start = 0
    for index, word in enumerate(words):
        if set(_LETTER_RUN.findall(word.lower())).intersection(keep):
            start = max(0, index + 1 - most)
            break
    return " ".join(words[start : start + most]).rstrip(" .,;:!?")


def _cast(names: Sequence[str], serial: bool = False) -> str:
    """ "Pip", "Pip and Luna", "Pip, Luna and Bramble"; `serial` lists three without "and", for titles."""
    if len(names) <= 2:
        return " and ".join(names)
    if serial:
        return ", ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _theme(scene_words: set[str]) -> Couplet | None:
    for keywords, couplet in THEMES:
        if keywords.intersection(scene_words):
            return couplet
    return None
