"""The lines the writer says in every story, with slots for the cast and the place, and the rhymes that answer them.

A couplet is one of these lines and an answer: an opener that keeps the place in view ("while the gulls
dozed") and a tail that ends on a word the CMU dictionary says rhymes. So the second line is built for
the first rather than picked whole, and no two nights have to share it.
"""

from __future__ import annotations


def _options(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.strip().splitlines() if line.strip())


OPENINGS = _options(
    """
    Once upon a time, {where}, at the end of the day,
    Not so long ago, {where}, as the evening came slow,
    One night, {where}, when the stars had come out in the sky,
    Once, {where}, when the sun had gone down and the moon was up high,
    Late one evening, {where}, when the world had turned blue,
    Once, {where}, as the last of the daylight went by,
    One evening, {where}, when {light} came out to play,
    Once, {where}, with {sound} soft and low,
    Long ago, {where}, when the {creatures} had gone to sleep,
    Once, {where}, as {light} began to glow,
    """
)

SCENERY = _options(
    """
    {sound} drifted over {place}, soft and low,
    {light} lay over {place} like a blanket of white,
    And the {creatures} were settling down for the night,
    {a_passerby} peeped out from {landmark} to see,
    There was {sound}, and there was {light}, all around,
    {light} shimmered and {sound} hummed, far and near,
    """
)

# The family's own things in their own place: one of these is in every story whose scene names some.
OWN_THINGS = _options(
    """
    And close by {own}, everything was cosy and right,
    They looked over at {own}, so familiar and near,
    Beside {own}, the evening was quiet and slow,
    Near {own}, all the place was getting ready for sleep,
    """
)

# A fear met gently: the character is safe, held, and the fear stays small.
FEARS = _options(
    """
    And {fearful}, who is scared of {fear}, felt safe and held tight,
    Even {fearful} forgot about {fear}, snug and all right,
    If {fear} came, {fearful} knew they would all stay near,
    """
)

MEETINGS = _options(
    """
    Along came {intro} {meet},
    Out peeped {intro} {meet},
    And there was {intro} {meet},
    Then by came {intro} {meet},
    Here came {intro} {meet},
    Across {place} came {intro} {meet},
    By {landmark} sat {intro} {meet},
    """
)

GATHERINGS = _options(
    """
    So {cast} met up by {landmark}, side by side,
    And {cast} sat down by {landmark} to play,
    So {cast} curled up near {landmark}, in the night,
    {cast} looked out at {light}, far and wide,
    """
)

WORRIES = _options(
    """
    {other} said, "Oh dear, we must help {thing} tonight!"
    "What shall we do?" whispered {other}, "Oh, what shall we do?"
    The {creatures} gathered by {landmark} to see,
    {other} gasped, "Oh no!" and the {creatures} did too,
    {lead} said, "Don't worry, {thing}, we are near,"
    """
)

IDEAS = _options(
    """
    Then {hero} said, "Wait, {creatures}! I know just the way,"
    But {hero} had an idea by {landmark}, and it made everyone cheer,
    "Leave it to me," said {hero} to the {creatures}, "I know what to do,"
    {hero} sat by {landmark} and thought, then jumped up with a grin, "Oh, I know!"
    """
)

DEEDS = _options(
    """
    And {hero}, by {landmark}, {act},
    So {hero}, in {light}, {act},
    And there by {landmark}, {hero} {act},
    """
)

JOYS = _options(
    """
    How the {creatures} cheered by {landmark} that night,
    {cast} laughed and hugged by {landmark}, with delight,
    "Hooray for {hero}!" called the {creatures}, "Hurray!"
    And {thing} said, "Thank you!" to {hero}, "Thank you, it's true,"
    """
)

HOMECOMINGS = _options(
    """
    Then {cast} {home},
    And {cast} {home},
    So, past {landmark}, {cast} {home},
    And with {light} behind them, {cast} {home},
    """
)

DROWSINGS = _options(
    """
    Their eyelids grew heavy by {landmark}, as heavy as could be,
    And the {creatures} were yawning, and {sound} grew low,
    {light} grew dim, and the night grew deep,
    Then {cast} gave a yawn, a big, sleepy yawn, by {landmark}, side by side,
    """
)

GOODNIGHTS = _options(
    """
    Goodnight, {cast}; goodnight, {creatures}; sleep tight,
    So goodnight to {landmark}, and goodnight to {light},
    Now close your eyes, like {cast} and the {creatures}; goodnight, sleep tight,
    Goodnight, {cast}; goodnight, {landmark}; and off to bed,
    """
)

# Second lines: an opener that keeps the place in view...
OPENERS = _options(
    """
    While the {creatures} dozed
    And {sound} drifted on
    As {light} shone down
    And the {creatures} looked on
    While {sound} went softly on
    And {a_passerby} yawned
    And {light} glimmered
    While {sound} rose and fell
    And the {creatures} curled up
    As the {creatures} settled in
    And {place} lay hushed
    While {a_passerby} watched
    And {sound} went quiet
    And the {creatures} by {landmark} looked on
    While {sound} drifted over {place}
    And {light} fell on {landmark}
    While {a_passerby} near {landmark} listened
    """
)

# Stock phrases that say nothing of this family or place: a story may have a few, no more.
FILLER = (
    "hummed along",
    "like the best night of the year",
    "like a small paper kite",
    "as good friends always do",
    "as all good friends know",
    "one, two, three",
    "as if dreams had come true",
    "like never before",
    "as the old stories said",
    "as snug as a pup on a knee",
)
FILLER_BUDGET = 2

# ...and a tail that ends on the rhyme: end word, then its tails.
_TAIL_ROWS = """
night: all through the night | for the rest of the night | in the hush of the night
light: in the soft silver light | in the last of the light
bright: so gentle and bright | all shining and bright
white: all silver and white
sight: a wonderful sight
delight: with a shiver of delight
way: in their own quiet way | all along the way
away: not so far away | a little way away
day: at the end of the day
stay: and were happy to stay
be: as quiet as can be | as calm as could be
see: for everyone to see
free: so easy and free
glow: in a soft, gentle glow
slow: all drowsy and slow | so soft and so slow
below: from above and below
low: so gentle and low
ground: all over the ground
sound: without a sound | with a soft, sleepy sound
around: from all around
near: from far and from near | so cozy and near
here: right over here
clear: so soft and so clear
high: from low and from high
by: as the hours went by
sky: under the wide sky | across the dark sky
moon: beneath the round moon | under the moon
soon: and would sleep very soon
tune: to a slow, sleepy tune
home: on the way home | not far from home
sing: and started to sing
wing: on a soft, sleepy wing
deep: so soft and so deep
peep: without a peep
wide: so open and wide
side: side by side
all: one and all
small: both big and small
more: a little bit more
before: just like the night before
rest: at peace and at rest
through: all the night through
blue: in the velvety blue
new: all shiny and new
ahead: just up ahead
bed: all tucked up in bed
long: all the night long
song: like a soft, sleepy song
strong: so steady and strong
there: right over there
air: in the cool night air
care: with the greatest of care
gone: till the dark was all gone
on: as the night carried on
spread: where the soft moonlight spread
glee: with a giggle of glee
right: and all was just right
play: as if ready to play
gray: in the soft silver-gray
toe: from their head to their toe
row: in a neat little row
cheer: with a soft little cheer
goodbye: with a wave and goodbye
lullaby: like a soft lullaby
two: one by one, two by two
round: all the way round
glide: with a hush and a glide
tide: like the turn of the tide
call: with a soft little call
fall: as the dew began to fall
snore: with a soft little snore
everything: over everything
sleep: half ready for sleep
dark: in the soft, friendly dark
spark: with a glimmer and a spark
"""

TAILS: dict[str, tuple[str, ...]] = {
    end.strip(): tuple(part.strip() for part in tails.split("|"))
    for end, tails in (row.split(":", 1) for row in _TAIL_ROWS.strip().splitlines())
}
