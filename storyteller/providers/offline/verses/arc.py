"""The beats every story tells, in order: the scene, the friends, helping, goodnight; and the phrases tracery varies."""

from __future__ import annotations

from storyteller.providers.offline.verses.couplets import Couplet, beats, word_set

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

(OPENINGS, ATMOSPHERE) = beats(
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

# A long scene's details ("with tall pines", "where the waves whisper"), when the opening line says only the place.
(SCENE_DETAILS,) = beats(
    """
    It was a #lovely# place {detail}, all hushed and all still,
    And the night air was #soft#, with a hint of a chill.
    or
    Oh, what a #lovely# place {detail}, so #soft# and so fair!
    There was #sleepy# magic floating all through the air.
    """
)

# A couplet about the kind of place the scene is, when one of its words says which kind.
THEMES: tuple[tuple[frozenset[str], Couplet], ...] = tuple(
    (word_set(words), beats(lines)[0].options[0])
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
(INTRODUCTIONS,) = beats(
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

(GATHERINGS,) = beats(
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
(HELPERS, TOGETHER) = beats(
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

(SETTLING, DROWSING, FAREWELLS) = beats(
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
        word_set(
            "moon spoon balloon star jar bear chair bee tree sea mouse house cat hat log dog kite light boat goat "
            "coat clock sock rock fish dish bug rug mug bed sled sheep snail whale shell bell fox box kitten mitten"
        )
    )
)
(GOODNIGHTS,) = beats(
    """
    Goodnight to the {thing1}, and goodnight to the {thing2},
    Goodnight to the {thing3}, and goodnight to the {thing4}.
    """
)
