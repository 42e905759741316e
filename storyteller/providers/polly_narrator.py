"""Narration by Amazon Polly: a neural voice, SSML with gentle pacing, long stories in several requests."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from botocore.exceptions import BotoCoreError, ClientError

from storyteller.errors import ProviderError, ProviderUnavailableError
from storyteller.providers.budgets import Deadline, aws_call_seconds
from storyteller.story.verse import stanzas

# SynthesizeSpeech takes at most 6,000 characters, of which at most 3,000 billed (the text, not the tags).
POLLY_TOTAL_LIMIT = 6000
POLLY_BILLED_LIMIT = 3000
# Aim a little under both: Polly's count of an entity such as &amp; is not documented.
TOTAL_BUDGET = 5400
BILLED_BUDGET = 2700
# A bedtime pace: a little slower than conversation, a breath after each line, a longer one after each stanza.
RATE = "90%"
LINE_PAUSE = '<break time="400ms"/>'
STANZA_PAUSE = '<break time="900ms"/>'
ENGINE = "neural"  # the standard profile's; the thrifty one reads with "standard" (a quarter of the price)
# Throttling and Polly's own faults pass (boto3 already retried them); anything else is our request's fault.
RETRYABLE_CODES = frozenset(
    {"ThrottlingException", "ServiceFailureException", "ServiceUnavailableException", "RequestTimeout"}
)
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_CLAUSE_END = re.compile(r"(?<=,)\s+")
_SPACE = re.compile(r"\s+")


class PollyNarrator:
    """Reads a story aloud with one Polly voice; MP3 parts are joined, as MP3 frames may be."""

    def __init__(self, voice: str, polly: Any, engine: str = ENGINE, deadline: Deadline | None = None) -> None:
        """`deadline`: when every request must have ended (the function's remaining time); none: no limit."""
        self.voice = voice
        self._deadline = deadline or Deadline.unbounded()
        self.engine = engine
        self.model = f"polly-{engine}/{voice}"
        self._polly = polly
        self._billed = 0

    def narrate(self, text: str) -> bytes:
        """MP3 of the whole text, in as many SynthesizeSpeech requests as its length needs."""
        requests = ssml_requests(text)
        if not requests:
            raise ValueError("nothing to narrate: the text is empty")
        self._billed = 0
        return b"".join(self._speak(ssml) for ssml in requests)

    def billed_characters(self) -> int:
        """What Polly billed for the last narration: its own `RequestCharacters`, our count where it gave none."""
        return self._billed

    def _speak(self, ssml: str) -> bytes:
        # A boto3 client's timeouts are fixed when it is made: a request that might outlast the deadline
        # with all its tries is not started (the function ends retryable, and Narrate is retried).
        self._deadline.require(aws_call_seconds(self._polly.meta.config), "reading the story aloud with Polly")
        try:
            response = self._polly.synthesize_speech(
                Engine=self.engine, OutputFormat="mp3", Text=ssml, TextType="ssml", VoiceId=self.voice
            )
            reported = response.get("RequestCharacters")
            self._billed += reported if isinstance(reported, int) else billed_characters(ssml)
            with response["AudioStream"] as stream:
                return bytes(stream.read())
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            message = error.response.get("Error", {}).get("Message", "") or str(error)
            if code in RETRYABLE_CODES:
                raise ProviderUnavailableError(f"Polly is unavailable ({code}): {message}") from None
            raise ProviderError(
                f"Polly refused to read the story with voice {self.voice} ({code}): {message}"
            ) from None
        except BotoCoreError as error:
            raise ProviderUnavailableError(f"cannot reach Polly: {error}") from None


def ssml_requests(text: str) -> list[str]:
    """The SSML documents to send, each within Polly's limits, split between lines (or sentences)."""
    pieces: list[tuple[str, bool]] = []  # (what is said, whether a stanza ends after it)
    for stanza in stanzas(text):
        for line in stanza:
            pieces.extend((piece, False) for piece in _fitting(line))
        pieces[-1] = (pieces[-1][0], True)
    requests: list[list[tuple[str, bool]]] = []
    for piece in pieces:
        if requests and _fits([*requests[-1], piece]):
            requests[-1].append(piece)
        else:
            requests.append([piece])
    return [_ssml(request) for request in requests]


def billed_characters(ssml: str) -> int:
    """What Polly bills for one SSML document: its text, without tags, entities as one character."""
    text = re.sub(r"<[^>]*>", "", ssml)
    return len(re.sub(r"&(amp|lt|gt|quot|apos);", "x", text))


def _ssml(pieces: list[tuple[str, bool]]) -> str:
    body = "".join(escape(piece) + (STANZA_PAUSE if stanza_ends else LINE_PAUSE) for piece, stanza_ends in pieces)
    return f'<speak><prosody rate="{RATE}">{body}</prosody></speak>'


def _fits(pieces: list[tuple[str, bool]]) -> bool:
    ssml = _ssml(pieces)
    return len(ssml) <= TOTAL_BUDGET and billed_characters(ssml) <= BILLED_BUDGET


def _fitting(line: str) -> list[str]:
    """The line, or its sentences, clauses or words packed into pieces that each fit one request."""
    return _split(line, [_SENTENCE_END, _CLAUSE_END, _SPACE], lambda piece: _fits([(piece, True)]))


def _split(text: str, separators: list[re.Pattern[str]], fits: Callable[[str], bool]) -> list[str]:
    if fits(text):
        return [text]
    if not separators:
        # One "word" longer than a request: cut it, rather than fail a whole story on it.
        middle = len(text) // 2
        return _split(text[:middle], [], fits) + _split(text[middle:], [], fits)
    packed: list[str] = []
    for part in separators[0].split(text):
        candidate = f"{packed[-1]} {part}" if packed else part
        if packed and fits(candidate):
            packed[-1] = candidate
        else:
            packed.extend(_split(part, separators[1:], fits))
    return packed
