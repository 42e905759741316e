"""The small bedtime problems a story can be about, each with its titles, its trouble and its fix."""

from __future__ import annotations

from storyteller.providers.offline.verses.couplets import Plot, beats

PLOTS: tuple[Plot, ...] = (
    Plot(
        thing=("the littlest star", "the little lost star"),
        cast_titles=("{cast} and the Lost Star", "{cast} and the Littlest Star", "{cast} and the Falling Star"),
        plain_titles=("The Night the Littlest Star Fell Down", "The Star Who Lost Its Way Home", "A Star Comes Home"),
        problem=beats(
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
        solution=beats(
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
        problem=beats(
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
        solution=beats(
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
        problem=beats(
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
        solution=beats(
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
        problem=beats(
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
        solution=beats(
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
        problem=beats(
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
        solution=beats(
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
