"""Offline neural narration: hibari-tts speaks, LAME encodes to MP3."""

from __future__ import annotations

import threading

import lameenc
import numpy as np
from hibari import SAMPLE_RATE, Hibari

from storyteller.verse import stanzas

# Speech is mono and soft: 64 kbit/s keeps a five-minute story under 3 MB with no audible loss.
BIT_RATE_KBPS = 64
# A breath between lines, so verse sounds like verse rather than one long sentence.
LINE_PAUSE_SECONDS = 0.35
STANZA_PAUSE_SECONDS = 0.8


class HibariNarrator:
    """Reads a story aloud with the bundled "heart" voice; no network, about 100x real time."""

    model = "hibari-tts/heart"

    _lock = threading.Lock()
    _voice: Hibari | None = None

    def narrate(self, text: str) -> bytes:
        """MP3 of the text, pausing between lines and longer between stanzas."""
        voice = self._load()
        pieces: list[np.ndarray] = []
        for stanza in stanzas(text):
            for line in stanza:
                pieces.append(voice(line))
                pieces.append(_silence(LINE_PAUSE_SECONDS))
            pieces.append(_silence(STANZA_PAUSE_SECONDS))
        if not pieces:
            raise ValueError("nothing to narrate: the text is empty")
        return encode_mp3(np.concatenate(pieces))

    @classmethod
    def _load(cls) -> Hibari:
        # One model per process: loading costs ~0.1 s and 30 MB, and Parallel branches share it.
        with cls._lock:
            if cls._voice is None:
                cls._voice = Hibari()
            return cls._voice


def encode_mp3(samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> bytes:
    """Float samples in [-1, 1] to a mono MP3."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(BIT_RATE_KBPS)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(2)
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    return bytes(encoder.encode(pcm) + encoder.flush())


def _silence(seconds: float) -> np.ndarray:
    return np.zeros(int(SAMPLE_RATE * seconds), dtype=np.float32)
