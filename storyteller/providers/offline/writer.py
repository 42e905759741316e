"""A story writer with no model behind it: a plot, a place and a cast, told in couplets rhymed by the CMU dictionary.

Every story walks the same arc (the place, the friends, a problem, a try that fails, the deed of one
friend's gift that solves it, going home, goodnight), but the plot is one of many, the place brings its
own sounds, creatures and light into every stanza, and each second line is built to rhyme with its
first. Lines never end on user text, so a name or scene can be anything without breaking a rhyme; user
text is put in with `str.format_map`, which does not read braces inside the values it inserts.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

from storyteller.models import Character, PastStory, Scene, StoryDraft, Usage
from storyteller.providers.offline.verses import lines
from storyteller.providers.offline.verses.gifts import KIND_HEART, Gift, gift_for, possessive, trait_gift
from storyteller.providers.offline.verses.people import Person, past, read_person, singular
from storyteller.providers.offline.verses.place import INDOOR, VEHICLE, WATER, Place, read_place
from storyteller.providers.offline.verses.plots import PLOTS, SPOKEN_TO, Plot
from storyteller.providers.offline.verses.rhymer import METRE_SLACK, answer, syllables
from storyteller.providers.offline.verses.scenes import HARBOUR, HOME, NIGHT, RIDE, Lexicon, lexicon_for
from storyteller.story import cmu
from storyteller.story.reading_level import LITTLE, OLDER, YOUNG, ReadingLevel
from storyteller.story.validation import TITLE_MAX, clean_text, count_words, last_word

__all__ = ["PLOTS", "RhymingStoryWriter", "with_article"]

# Where the writer aims; the validator's limits (200-600) leave room either side.
LEAST_WORDS = 230
MOST_WORDS = 450
# Where the offline writer aims for each reading level; the young one is the writer's own long-tuned range.
_AIMS = {LITTLE: (210, 310), YOUNG: (LEAST_WORDS, MOST_WORDS), OLDER: (470, 580)}
SCENE_WORDS = 20
# A longer scene is split at its first detail ("with", "where", "full of"), so the first line does not run on.
SCENE_OPENING_WORDS = 6
# A longer name is said in full once, then by its first words, so names cannot overrun the word limit.
SHORT_NAME_WORDS = 2
# What of a description is said when a friend is met: "Pip, a small red fox," not the whole of it.
INTRO_WORDS = 5
PLACE_WORDS = 4
FALLBACK_NAME = "Little One"
# How hard to look for a first line that has a rhyme left and keeps the metre, before settling.
TRIES = 40
RECENT_ENDS = 8
TITLE_PLACE_CHANCE = 0.85
PLOT_FILLINGS = 6
FIRST_LINE_CHOICES = 3
# A little listener's lines are the furthest from the templates' natural length (the family's place and names
# fill them out): more first lines are tried, and the nearest the beat kept.
LITTLE_FIRST_LINE_CHOICES = 16

_LETTER_RUN = re.compile(r"[^\W\d_]+")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_DETERMINERS = _word_set("a an the my our your his her their its this that one two three some every")
_PREPOSITIONS = _word_set(
    "in on at by under over inside outside beneath below above behind beside near among across along "
    "upon within underneath between beyond far deep high down up"
)
_POSSESSIVES = _word_set("my our your his her their its")
_INTRO_STOPS = _word_set("with who whose that which and where")
_DETAIL_STARTS = (("with",), ("where",), ("full", "of"), ("filled", "with"))
_BARE_PLACES = _word_set("space dreamland wonderland fairyland town bed school heaven")
_SMALL_TITLE_WORDS = _word_set("a an the of on in by to and at")


class RhymingStoryWriter:
    """Writes rhyming bedtime stories offline, in milliseconds, at no cost."""

    model = "offline-rhyme-1"

    def __init__(self, seed: int | None = None, level: ReadingLevel = YOUNG) -> None:
        self._seed = seed
        self._level = level

    def write(self, characters: list[Character], scene: Scene, feedback: str | None = None) -> StoryDraft:
        """A titled story in rhyming couplets; `feedback` only reshuffles, since every draft passes the rules."""
        return self.write_remembering(characters, scene, (), feedback)

    def write_remembering(
        self, characters: list[Character], scene: Scene, recent: Sequence[PastStory], feedback: str | None = None
    ) -> StoryDraft:
        """As `write`, with a plot and title that the recent nights of this cast have not had."""
        rng = self._rng(characters, scene, recent, feedback)
        return _Story(rng, characters, scene, recent, self._level).draft()

    def usage(self) -> Usage:
        """Nothing is consumed offline."""
        return Usage()

    def _rng(
        self, characters: list[Character], scene: Scene, recent: Sequence[PastStory], feedback: str | None
    ) -> random.Random:
        if self._seed is None:
            return random.Random()  # seeded by the OS: a different story every night
        # A str seed is hashed with SHA-512, not hash(), so the same input tells the same story in any process.
        cast = "\x1f".join(f"{character.name}\x1e{character.description}" for character in characters)
        past = "\x1f".join(f"{story.plot}\x1e{story.title}" for story in recent)
        return random.Random(f"{self._seed}\x1d{cast}\x1d{scene.description}\x1d{past}\x1d{feedback or ''}")


@dataclass(frozen=True)
class _Friend:
    name: str  # said in full once, when met
    short: str  # said everywhere else
    intro: str  # the name and what they are, ending on a comma: "Pip, a small red fox,"
    gift: Gift
    pos: str  # "her", "his" or "the"
    person: Person


class _Story:
    """One night's choices: the plot, the hero, and the couplets that tell it."""

    def __init__(
        self,
        rng: random.Random,
        characters: Sequence[Character],
        scene: Scene,
        recent: Sequence[PastStory],
        level: ReadingLevel = YOUNG,
    ):
        self._rng = rng
        self._level = level
        self._friends = [_friend(character, level) for character in characters] or [_friend(None, level)]
        cleaned = clean_text(scene.description)
        self._place = read_place(cleaned)
        # The kind of place its name says ("a balcony high over the city" is the city), not its details
        # (flower pots do not make a balcony a castle garden with steps to go home up).
        self._lexicon = _lexicon(self._place, lexicon_for(set(_LETTER_RUN.findall(self._place.name.lower()))))
        where, place = self._place.where, self._place.short
        self._plot = _fresh_plot(rng, {story.plot for story in recent})
        gifted = [friend for friend in self._friends if friend.gift is not KIND_HEART]
        self._hero = rng.choice(gifted or self._friends)
        others = [friend.short for friend in self._friends if friend is not self._hero]
        self._fixed = {
            "where": where,
            "place": place,
            "place_title": _title_case(place),
            "at_place": _title_case(f"{self._place.preposition} {place}"),
            "cast": _cast([friend.short for friend in self._friends]),
            "lead": self._hero.short,
            "hero": self._hero.short,
        }
        self._other = rng.choice(others) if others else ""
        self._fearful = next((friend for friend in self._friends if friend.person.fears), None)
        self._creature = rng.choice(self._lexicon.creature)  # the one the plot is about, all night
        self._past_titles = {story.title for story in recent}
        self._ends: list[str] = []  # every line's last word so far, in order
        self._beat = sum(level.syllables) / 2
        self._choices = LITTLE_FIRST_LINE_CHOICES if level is LITTLE else FIRST_LINE_CHOICES
        self._told: list[str] = []  # every line so far, for the filler budget

    def draft(self) -> StoryDraft:
        own = self._place.objects
        scenery = lines.OWN_THINGS if own else lines.SCENERY
        opening = [
            self._couplet(lines.OPENINGS),
            self._couplet(scenery, (lambda: {"own": self._pick(own)}) if own else None),
        ]
        meeting = [self._couplet(lines.MEETINGS, partial(self._meeting, friend)) for friend in self._friends]
        if len(self._friends) > 1:
            meeting.append(self._couplet(lines.GATHERINGS))
        problem = [self._plot_couplet(), self._couplet(self._worries())]
        attempt = [self._couplet((self._plot.attempt,)), self._couplet(lines.IDEAS)]
        deed = [self._couplet(lines.DEEDS, lambda: {"act": self._act()}), self._couplet((self._plot.fix,))]
        ending = [self._couplet(self._joys()), self._couplet(lines.HOMECOMINGS, lambda: {"home": self._home()})]
        if self._fearful is not None:
            # A fear named by the family is met gently, once, before going home.
            fearful = self._fearful
            ending.insert(
                1, self._couplet(lines.FEARS, lambda: {"fearful": fearful.short, "fear": fearful.person.fears[0]})
            )
        goodnight = [self._couplet(lines.DROWSINGS), self._couplet(lines.GOODNIGHTS)]
        sections = [opening, meeting, problem, attempt, deed, ending, goodnight]
        # An older listener's longer night: more of the world, more tries, more joy, in turn.
        growing = [(opening, lines.SCENERY), (attempt, lines.IDEAS), (ending, self._joys())]
        least, most = _AIMS.get(self._level, (self._level.least, self._level.most))
        grown = 0
        while _words(sections) < least and grown < 4 * len(growing):
            section, choices = growing[grown % len(growing)] if self._level is not YOUNG else growing[0]
            section.insert(-1 if section is ending else len(section), self._couplet(choices))
            grown += 1
        # The opening keeps the family's own things: they are what makes the place theirs.
        for section in (ending, goodnight) if own else (ending, goodnight, opening):
            if _words(sections) > most and len(section) > 1:
                section.pop(1 if section is opening else 0)  # the opening keeps the line that says where
        # A little listener's shorter night: the worry and the second idea go, the plot stays.
        for section in (problem, attempt) if self._level is LITTLE else ():
            if _words(sections) > most and len(section) > 1:
                section.pop(1)
        text = "\n\n".join("\n".join(stanza) for section in sections for stanza in _stanzas(section))
        return StoryDraft(title=self._title(), text=text, plot=self._plot.id, moment=self._moment())

    def _filler(self, first: str) -> int:
        told = "\n".join([*self._told, first]).lower()
        return sum(told.count(phrase) for phrase in lines.FILLER)

    def _worries(self) -> Sequence[str]:
        # A lost key is looked for, not spoken to: "we must help a birthday present" is nonsense.
        return (
            lines.WORRIES if self._plot.id in SPOKEN_TO else [line for line in lines.WORRIES if "{thing}" not in line]
        )

    def _joys(self) -> Sequence[str]:
        return lines.JOYS if self._plot.id in SPOKEN_TO else [line for line in lines.JOYS if "{thing}" not in line]

    def _moment(self) -> str:
        return f"{self._hero.short} and the {self._hero.gift.key}: {self._plot.moment}"[:200]

    def _title(self) -> str:
        own = "{lead} and " + _title_case(self._plot.thing.replace("{creature}", "{creature_title}"))
        titles = [*self._plot.titles, own]
        templates = self._rng.sample(titles, len(titles))
        fill = self._fill({"creature_title": _title_case(self._creature)})
        for template in templates:
            # A title that says neither who nor where says where, so the nights' titles differ.
            says_where = "place" in template
            says_who = "{lead}" in template or "{other}" in template
            exclaims = template.rstrip().endswith(("!", "?"))  # "Up, Up, Balloon!" ends there
            if not says_where and not exclaims and (not says_who or self._rng.random() < TITLE_PLACE_CHANCE):
                template += " {at_place}"
            title = template.format_map(fill)
            # "Hic! the Treehouse" is two titles' words run on: the word after a "!" starts again, capitalised.
            title = re.sub(r"([!?] )([a-z])", lambda match: match.group(1) + match.group(2).upper(), _capital(title))
            if len(title) <= TITLE_MAX and title not in self._past_titles:
                return title
        return f"{self._hero.short[:40]} and {self._plot.thing.format_map(self._fill())}"[:TITLE_MAX].title()

    def _meeting(self, friend: _Friend) -> dict[str, str]:
        meet = self._rng.choice(friend.gift.meets).format(pos=friend.pos)
        return {"intro": friend.intro, "meet": meet}

    def _act(self) -> str:
        return self._rng.choice(self._hero.gift.acts).format(pos=self._hero.pos)

    def _home(self) -> str:
        return self._pick(self._lexicon.homes)

    def _plot_couplet(self) -> tuple[str, str]:
        # The plot's own couplet is written to one beat; of a few fillings of its slots, the most even.
        fillings = [
            tuple(_capital(line.format_map(fill)) for line in self._plot.problem)
            for fill in (self._fill() for _ in range(PLOT_FILLINGS))
        ]
        first, second = min(fillings, key=lambda pair: abs(syllables(pair[0]) - syllables(pair[1])))
        self._ends.extend((last_word(first), last_word(second)))
        self._told.extend((first, second))
        return first, second

    def _couplet(self, options: Sequence[str], extra: Callable[[], dict[str, str]] | None = None) -> tuple[str, str]:
        """A first line from `options` and a second built to rhyme with it and keep its metre."""
        for attempt in range(TRIES):
            # Of a few first lines, the one nearest the steady line for the listeners' age.
            drafts = [self._first_line(options, extra) for _ in range(self._choices)]
            first, fill = min(drafts, key=lambda draft: abs(syllables(draft[0]) - self._beat))
            end = last_word(first)
            # An end word comes back only late in the search, and never within the last few couplets.
            used = (
                set(self._ends)
                if attempt < TRIES // 2
                else set(self._ends[-RECENT_ENDS:] if attempt < TRIES - 5 else ())
            )
            if end in used:
                continue
            # The last tries take any metre: a couplet a little uneven beats a friend never met.
            spent = lines.FILLER if self._filler(first) >= lines.FILLER_BUDGET else ()
            second = answer(
                first,
                used,
                self._rng,
                fill,
                slack=None if attempt >= TRIES - 5 else METRE_SLACK,
                spent=spent,
                aim=self._beat,
                two_openers=self._level is not LITTLE,
            )
            if second is None:
                continue
            self._ends.extend((end, last_word(second)))
            self._told.extend((first, second))
            return first, _capital(second)
        # Every first line has run out of rhymes or metre: a couplet that always rhymes.
        return ("And the night was as calm and as still as could be,", "As quiet and as soft as the sea.")

    def _first_line(
        self, options: Sequence[str], extra: Callable[[], dict[str, str]] | None
    ) -> tuple[str, dict[str, str]]:
        template = self._rng.choice(options)
        fill = self._fill(extra() if extra else None)
        return _capital(template.format_map(fill)), fill

    def _fill(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The slots, with a fresh pick of the place's words for every line."""
        lexicon = self._lexicon
        creature = self._creature
        return {
            **self._fixed,
            "other": self._other or f"the {creature}",
            "creatures": self._pick(lexicon.creatures),
            "creature": creature,
            "a_creature": with_article(creature),
            "a_passerby": with_article(self._pick(lexicon.creature)),
            "sound": self._pick(lexicon.sounds),
            "light": self._pick(lexicon.lights),
            "landmark": self._pick(lexicon.landmarks),
            "thing": self._plot.thing.format(creature=creature),
            **(extra or {}),
        }

    def _pick(self, options: Sequence[str]) -> str:
        if self._level is LITTLE:
            # The shorter of two: "the tick of the town clock" fills a three-year-old's line before it starts.
            return min(self._rng.choice(options), self._rng.choice(options), key=syllables)
        return self._rng.choice(options)


def with_article(phrase: str) -> str:
    """ "an owl", "a unicorn", "an hour": by how the CMU dictionary says the first word, by its letter otherwise."""
    first = phrase.split()[0].lower() if phrase.split() else ""
    phones = cmu.phones_for_word(first)
    vowel = phones[0][0] in "AEIOU" if phones else first[:1] in tuple("aeiou")
    return f"{'an' if vowel else 'a'} {phrase}"


def _fresh_plot(rng: random.Random, avoid: set[str | None]) -> Plot:
    """A plot at random of those the recent nights did not have; any if they had them all."""
    fresh = [plot for plot in PLOTS if plot.id not in avoid]
    return rng.choice(fresh or list(PLOTS))


def _words(sections: list[list[tuple[str, str]]]) -> int:
    return sum(count_words(f"{first}\n{second}") for section in sections for first, second in section)


def _stanzas(section: list[tuple[str, str]]) -> list[list[str]]:
    """Two couplets to a stanza; an odd one out joins the stanza before it."""
    flat = [line for couplet in section for line in couplet]
    stanzas = [flat[start : start + 4] for start in range(0, len(flat), 4)]
    if len(stanzas) > 1 and len(stanzas[-1]) == 2:
        stanzas[-2].extend(stanzas.pop())
    return stanzas


def _capital(line: str) -> str:
    for index, char in enumerate(line):
        if char.isalpha():
            return line[:index] + char.upper() + line[index + 1 :]
        if char not in "\"'“‘(":
            break
    return line


def _title_case(phrase: str) -> str:
    """For the middle or end of a title: "on the Beach", "the Milky Way"; its first letter is capitalised apart."""
    return " ".join(
        word.lower() if word.lower() in _SMALL_TITLE_WORDS else word[:1].upper() + word[1:] for word in phrase.split()
    )


def _cast(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _friend(character: Character | None, level: ReadingLevel = YOUNG) -> _Friend:
    name = clean_text(character.name) if character else ""
    name = name or FALLBACK_NAME
    description = clean_text(character.description) if character else ""
    words = name.split()
    short = " ".join(words[:SHORT_NAME_WORDS]) if len(words) > SHORT_NAME_WORDS + 1 else name
    person = read_person(description)
    # The family's nouns decide ("his mum" is a she); the older word reading where they say nothing.
    pos = person.kin.possessive if person.kin.subject != "they" else possessive(description)
    gift = gift_for(description)
    if gift is KIND_HEART:
        gift = _trait_gift(person) or KIND_HEART
    # The youngest know their own family: "Out peeped Mila," not "Mila, a girl of three," (a line too long for them).
    intro = f"{name}," if level is LITTLE and person.kin.family else _introduce(name, description)
    return _Friend(name, short, intro, gift, pos, person)


def _trait_gift(person: Person) -> Gift | None:
    """What the family said this character wears, carries, does or loves, turned into the night's solution."""
    if person.items:
        item = person.items[0]
        return trait_gift(
            item.split()[-1],
            f"with {{pos}} {item}, ready to play | in {{pos}} {item}, all the way",
            f"held up {{pos}} {item}, and the way came clear | used {{pos}} {item}, and knew what to do "
            f"| reached for {{pos}} {item}, and soon it was through",
        )
    if person.does:
        doing = person.does[0]
        return trait_gift(
            doing.split()[-1],
            f"who can {doing}, night or day | who loves to {doing}, all the way",
            f"{past(doing)}, and the way came clear | {past(doing)} once more, and knew what to do",
        )
    if person.loves:
        loved = person.loves[0]
        return trait_gift(
            singular(loved).split()[-1],
            f"who loves {loved}, it is true | who loves {loved} the most, all the way",
            f"thought of {{pos}} {loved}, and knew what to do "
            f"| had a {singular(loved).replace(' ', '-')}-shaped idea, and the way came clear",
        )
    return None


def _lexicon(place: Place, matched: Lexicon) -> Lexicon:
    """The built-in kind the scene's words match, unless the place is indoors, a vehicle or water of its own."""
    own = _with_landmarks(HOME if place.kind == INDOOR else RIDE if place.kind == VEHICLE else HARBOUR, place)
    if place.kind in (INDOOR, VEHICLE) or (place.kind == WATER and matched is NIGHT):
        return own
    return _with_landmarks(NIGHT, place) if matched is NIGHT else matched


def _with_landmarks(lexicon: Lexicon, place: Place) -> Lexicon:
    """A family's own place: its own things are where things happen, before the stock ones."""
    return replace(lexicon, landmarks=(*place.objects, *lexicon.landmarks)) if place.objects else lexicon


def _introduce(name: str, description: str) -> str:
    """ "Pip, a small red fox," — the description up to its first detail, when it starts like a noun phrase."""
    kept: list[str] = []
    for word in description.replace(",", " , ").split():
        if word == "," or word.lower() in _INTRO_STOPS or len(kept) == INTRO_WORDS:
            break
        kept.append(word)
    if len(kept) > 1 and kept[0].lower() in _DETERMINERS:
        # "his twin sister" has no "he" before it in the story: said "the twin sister".
        article = "the" if kept[0].lower() in _POSSESSIVES else kept[0].lower()
        if article == "the" and kept[-1].lower().strip(",.") in name.lower().split():
            return f"{name},"  # "Dad, their dad," says nothing more than "Dad,"
        return f"{name}, {' '.join([article, *kept[1:]]).rstrip('.!?;:')},"
    return f"{name},"
