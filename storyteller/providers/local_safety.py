"""The stand-in for OpenAI's moderation on servers that have none (Ollama, llama.cpp's server, LM Studio).

A local model's story is checked against the things a bedtime story must not hold: violence, death, weapons,
horror, cruelty and adult themes, by whole words and their common forms. It is stricter than a classifier
(a "dead end" is refused too) and blind to meaning; a refused draft is only asked for again, with the words.
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(
    r"\b(?:kill(?:s|ed|ing|er)?|murder\w*|blood\w*|dead|death|die[sd]?|dying|corpse\w*|gun\w*|knife|knives|"
    r"sword\w*|weapon\w*|stab\w*|shoot\w*|shot|bomb\w*|war|wars|torture\w*|abuse\w*|hate[sd]?|hating|"
    r"terror\w*|horror\w*|scream\w*|gore|nightmare\w*|demon\w*|monster attack\w*|drunk|beer|wine|cigarette\w*|"
    r"drug\w*|sex\w*|naked|hell|damn\w*|stupid|idiot\w*|shut up)\b",
    re.IGNORECASE,
)


def unsafe_words(text: str) -> list[str]:
    """The words that keep this text from a child's bedtime, each once, in order; none for a safe text."""
    return list(dict.fromkeys(match.group(0).lower() for match in _UNSAFE.finditer(text)))
