"""The CMU pronouncing dictionary (through `pronouncing`), loaded once and safely from any thread.

pronouncing loads the dictionary at its first use, and not atomically: it sets its word list before it
builds the lookups from it, and sets each lookup before filling it, so another thread in that window
finds a lookup that is None (an AttributeError) or half full (a rhyme missed, a story refused). On a
fresh `storyteller up`, families whose bedtime is the same minute write their stories at once, and the
1,000-family bench lost 44 of its first nights to it. Every use of ours goes through here, and waits
until the whole dictionary is in.
"""

from __future__ import annotations

import threading

import pronouncing

_loading = threading.Lock()
_ready = threading.Event()


def _loaded() -> None:
    if not _ready.is_set():
        with _loading:
            if not _ready.is_set():
                pronouncing.init_cmu()
                _ready.set()


def phones_for_word(word: str) -> list[str]:
    """The word's pronunciations (ARPAbet); none for a word the dictionary lacks."""
    _loaded()
    phones: list[str] = pronouncing.phones_for_word(word)
    return phones


def rhymes(word: str) -> list[str]:
    """Words the dictionary rhymes with `word`."""
    _loaded()
    found: list[str] = pronouncing.rhymes(word)
    return found


def rhyming_part(phones: str) -> str:
    """The part of a pronunciation from its last stressed vowel on."""
    return str(pronouncing.rhyming_part(phones))


def syllable_count(phones: str) -> int:
    """Syllables of one pronunciation."""
    return int(pronouncing.syllable_count(phones))
