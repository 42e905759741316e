"""The small bedtime problems a story can be about: what goes wrong, and what it looks like when it is put right.

Each line ends on a word the rhymer can answer and names someone or something of the place, so a plot
line never reads the same on two different nights. The gift of one of the cast is what solves it:
the writer puts the deed between `problem` and `fix`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plot:
    """One night's trouble; `key` is what the picture draws, `moment` what it shows."""

    id: str
    key: str
    thing: str
    titles: tuple[str, ...]
    problem: tuple[str, str]
    attempt: str
    fix: str
    moment: str


def _plot(row: str) -> Plot:
    fields = [field.strip() for field in row.split("\n") if field.strip()]
    pid, key, thing, titles, problem1, problem2, attempt, fix, moment = fields
    return Plot(
        pid, key, thing, tuple(t.strip() for t in titles.split(";")), (problem1, problem2), attempt, fix, moment
    )


# id / picture key / the thing / titles (;) / two lines of trouble / a first try that fails / the fix / the moment
_ROWS = """
fallen-star
star
the littlest star
{lead} and the Fallen Star; The Star That Fell {at_place}; A Star Comes Home
But then, with a tinkle, a star tumbled down near {landmark} in the night,
And it lay there, {lead} saw, with a tiny and flickery light.
{other} tried to toss it back up, but it bumped back down on the ground.
Then up went the star, past {place}, and back to its home in the sky.
the littlest star rising home into the sky

lost-lullaby
music
the lullaby
{lead} and the Lost Lullaby; The Lullaby That Blew Away; The Night {place_title} Forgot Its Song
But hush! The old lullaby that sent {place} to sleep had gone away,
And the {creatures} and {lead} could not remember the tune anyway.
{other} tried to whistle it, but every note came out wrong, not a tune, not a song.
And they found every note of the lullaby, and sang it, so soft and so low.
the lost notes of the lullaby floating back

sleepy-moon
moon
the moon
{lead} and the Moon Who Overslept; Wake Up, Little Moon; The Moon Over {place_title}
But where was the moon? It was curled up asleep by {landmark}, out of sight,
And {lead} said, "Oh dear, without the moon, it's much too dark for the night!"
{other} called, "Moon, wake up!" but the moon only snored, very deep.
Then the moon gave a yawn and rose up, round and silver, over {place}, way up high.
the moon waking up and rising

runaway-kite
kite
a little red kite
{lead} and the Runaway Kite; The Kite That Flew Away; A Kite {at_place}
But a little red kite, with its string all a-tangle and loose, came flying by,
And it snagged on {landmark}, and could not get free, though it wanted to fly.
{other} jumped and jumped, but the string was too high, far out of reach, way up there.
So they untangled the kite, and it danced in the breeze over {place}, high and free.
the red kite flying free again

lost-key
key
a tiny gold key
{lead} and the Tiny Gold Key; The Key to {place_title}; The Lost Little Key
But {lead} found a note by {landmark}: "Please help! I've lost my key!"
It was signed by {a_creature}, who was locked out of home, as sad as could be.
{other} looked under stones and in puddles, but the key wasn't there.
And there was the key! And the {creature} went in and curled up in a heap.
finding the tiny gold key

missing-shadow
shadow
a shadow
{lead} and the Runaway Shadow; The Shadow That Ran Off; {lead}'s Runaway Shadow
But {lead} looked down, and {lead}'s shadow had gone, out of sight,
It had run off to play near {landmark}, in the night.
{other} chased it around, but a shadow is hard to catch in the dark, running round.
And the shadow came back and stuck on {lead}'s heels, as snug as could be.
catching the runaway shadow

hiccups
bubble
the hiccups
{lead} and the Hiccups; The Night of a Hundred Hiccups; Hic! {place_title}
But then {lead} began: "Hic!" and again: "Hic!" all night,
And the {creatures} all woke up from the hiccups' loud fright.
{other} said, "Hold your breath!" but the hiccups just bounced back, one, two, three.
And the very last hiccup went "hic," and then floated away, like a bubble, up high.
the very last hiccup floating off as a bubble

frightened-creature
heart
a frightened {creature}
{lead} and the Frightened {creature_title}; Don't Be Scared, Little {creature_title}; A Brave Little Night
But they heard someone crying near {landmark}, and who could it be?
It was {a_creature}, scared of the dark, hiding there by a tree.
{other} said, "There, there," but the {creature} just trembled and hid, out of sight.
And the {creature} peeped out and smiled, "The dark is all right, after all, it's true."
a little creature no longer afraid of the dark

lost-balloon
balloon
a blue balloon
{lead} and the Blue Balloon; The Balloon That Floated Off; {lead} and the Bobbing Balloon
But a blue balloon floated by, with no one to hold it, alone in the night,
It was lost, and it bobbed near {landmark}, and it shivered and shook with fright.
{other} reached up on tiptoe, but the balloon bobbed away, out of reach, up high.
And they tied the balloon to {a_creature}'s bed, where it bobbed, safe and sound.
the blue balloon safely caught

lost-mitten
mitten
a small woolly mitten
{lead} and the Woolly Mitten; The Mitten Left Behind; The Mitten {at_place}
But {lead} found a small woolly mitten near {landmark}, out in the night,
And somewhere {a_creature} had one cold little paw, and that wasn't right.
{other} asked every {creature}, but nobody knew whose it was, not a clue.
And the {creature} put on the mitten and waved, with a paw warm and snug, all the way.
returning the woolly mitten

wishing-shell
shell
a wishing shell
{lead} and the Wishing Shell; The Shell That Could Wish; One Wish {at_place}
But {lead} found a shell that whispered, "I grant just one wish, you see,
But I've lost my sparkle, and wishes won't work till it comes back to me."
{other} polished the shell, but it stayed dull and grey, all the way.
And the shell shone again, and they wished for sweet dreams for the {creatures} near.
the wishing shell shining again

sleepy-clock
clock
the old clock
{lead} and the Stopped Clock; The Clock That Forgot the Time; Tick-Tock {place_title}
But the old clock that told {place} it was bedtime had stopped, not a tock or a tick,
So the {creatures} stayed up, playing games, and nobody slept, and that was the trick.
{other} gave it a shake, but the hands didn't budge, not at all.
And the clock gave a "tick," then a "tock," and it chimed, "It is bedtime," so clear.
the old clock ticking again at bedtime

lost-hat
hat
a little green hat
{lead} and the Little Green Hat; The Hat That Blew Away; Hats Off {at_place}
But whoosh! came a gust, and a little green hat blew far away,
It belonged to {a_creature}: "Oh, that's my best hat for today!"
{other} ran after it, but the wind was too fast and too strong, blowing by.
And the {creature} put on the green hat, and it fit, and it looked very fine, just so.
catching the little green hat

rainbow-drop
raindrop
the last raindrop
{lead} and the Last Raindrop; The Raindrop Who Was Lost; A Drop of Rainbow
But a raindrop sat near {landmark}, all alone, and it said, with a sigh,
"I was meant to go up with the others and make a rainbow up high."
{other} tried blowing it up, but it only rolled round on the ground.
And the raindrop went up with a twinkle and hung like a jewel in the sky.
a raindrop rising to join the rainbow

snoring-giant
pillow
a snoring giant
{lead} and the Snoring Giant; The Giant Who Snored Too Loud; Shh! {place_title}
But a giant lay snoring near {landmark}, so loud, all the night,
And the {creatures} could not get to sleep with the snores, and they shivered with fright.
{other} said, "Please, hush!" but the giant just snored even louder, and louder, and more.
And they gave the giant a pillow, and now he just sighed, very softly and slow.
the giant sleeping quietly on a soft pillow

lost-egg
egg
a speckled egg
{lead} and the Speckled Egg; The Egg That Rolled Away; A Nest for the Night
But an egg came rolling by, round and speckled and ever so small,
It had rolled from a nest near {landmark}, and needed a home, after all.
{other} tried carrying it back, but which way was the nest? Who could know?
And the egg was tucked back in its nest, warm and safe, and the {creatures} said, "Hurray!"
carrying the speckled egg back to its nest

bedtime-story
book
a story book
{lead} and the Lost Story Book; The Book With No Ending; The Story {at_place}
But a story book lay open near {landmark}, with its last page torn away,
And the {creatures} said, "How does it end? Oh, we need it, we need it today!"
{other} guessed an ending, but the {creatures} said, "No, that's not how it goes, not at all."
And they found the lost page, and they read the whole end, and it ended, "Goodnight," so clear.
reading the found last page of the story

paper-boat
boat
a paper boat
{lead} and the Paper Boat; The Boat Made of Paper; Sail Away Home
But {lead} found a paper boat, stuck by {landmark}, far away,
"I was meant to sail home to a child's windowsill, far, before day."
{other} gave it a push, but it just wobbled and spun, round and round.
And the paper boat sailed off home with a wave, to the child fast asleep, far away.
the paper boat sailing home

wobbly-tooth
tooth
a wobbly tooth
{lead} and the Wobbly Tooth; The Night of the Wobbly Tooth; A Tooth for the Fairy
But {lead} had a wobbly tooth, and it wiggled and jiggled all night,
"When it comes out, the tooth fairy must find it, but it's dark, and she can't see right!"
{other} said, "Leave a note!" but a note in the dark is too hard to see, far or near.
And the tooth fairy found them, and smiled, and she flew off with the tooth, far away.
the tooth fairy finding the wobbly tooth

counting-sheep
sheep
a little lost sheep
{lead} and the Lost Sheep; One Sheep Too Few; Counting Sheep {at_place}
But the sheep that we count when we sleep had lost one of their number tonight,
And the littlest sheep was near {landmark}, all alone and afraid of the night.
{other} said, "Baa!" very loudly, but the sheep did not know where to go.
And the littlest sheep trotted home, and the count came out right, every sheep, all the way.
the little lost sheep going home

birthday-surprise
present
a birthday present
{lead} and the Birthday Surprise; A Present for {other}; The Secret Gift
But it was {other}'s birthday tomorrow, and {lead} had no present, not one in sight,
Not a ribbon, a bow or a gift, and the shops were all closed for the night.
{lead} tried making a cake, but it flopped, and it wobbled, and fell with a splat on the ground.
And they wrapped up a present with starlight and ribbon, and tied it just right, with a bow.
wrapping a birthday present with ribbon

sleepless-owl
owl
a sleepless owl
{lead} and the Owl Who Could Not Sleep; Too Awake to Sleep; An Owl {at_place}
But an owl near {landmark} said, "I've been up all night and all day,
And I'm so tired, but I can't fall asleep, can you show me the way?"
{other} sang it a song, but the owl just said, "Whoo? No, that's not it, no."
And the owl closed its eyes, gave one hoot, and then snored, "Whoo," so soft and so slow.
the owl finally asleep in its nest

lost-glow
firefly
the littlest firefly
{lead} and the Littlest Firefly; Glow, Little Firefly; The Firefly Who Lost Its Glow
But the littlest firefly, down by {landmark}, had lost its glow, not a spark,
And it sniffled, "Oh, how can I get home to my family, alone in the dark?"
{other} said, "Just try harder!" but it tried and it tried, and it only grew dim, very low.
And the firefly glowed once again, warm and gold, and it flew home, waving bye-bye, up high.
the littlest firefly glowing again
"""

PLOTS: tuple[Plot, ...] = tuple(_plot(row) for row in _ROWS.strip().split("\n\n"))

# The plots whose thing is someone (or personified) and can be spoken to, thanked or helped; the rest are things.
SPOKEN_TO = frozenset(
    {
        "fallen-star",
        "sleepy-moon",
        "frightened-creature",
        "rainbow-drop",
        "snoring-giant",
        "counting-sheep",
        "sleepless-owl",
        "paper-boat",
        "lost-glow",
    }
)
