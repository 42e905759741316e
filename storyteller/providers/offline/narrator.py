"""Offline neural narration: hibari-tts speaks, LAME encodes to MP3."""

from __future__ import annotations

import threading
from typing import Any, ClassVar

import lameenc
import numpy as np
import onnxruntime as ort
from hibari import SAMPLE_RATE, Hibari

from storyteller.errors import NarrationInterruptedError
from storyteller.story.verse import stanzas

# Speech is mono and soft: 64 kbit/s keeps a five-minute story under 3 MB with no audible loss.
BIT_RATE_KBPS = 64
# A breath between lines, so verse sounds like verse rather than one long sentence.
LINE_PAUSE_SECONDS = 0.35
STANZA_PAUSE_SECONDS = 0.8
INTERRUPTED = "the narration was interrupted: storyteller is stopping"


class HibariNarrator:
    """Reads a story aloud with the bundled "heart" voice; no network, about 100x real time.

    A stop interrupts narrations in progress (`interrupt`): a thread still inside onnxruntime when the
    interpreter shuts down aborts the whole process (SIGABRT), so the local runtime cuts them short and
    waits for them before it lets a command end (docs/architecture.md § Stopping).
    """

    model = "hibari-tts/heart"

    _lock = threading.Lock()
    _voice: Hibari | None = None
    _runs: ClassVar[set[ort.RunOptions]] = set()  # the options of every narration in progress

    def narrate(self, text: str) -> bytes:
        """MP3 of the text, pausing between lines and longer between stanzas."""
        run = ort.RunOptions()
        with self._lock:
            self._runs.add(run)  # in progress from here, so a stop during the model's first load counts it too
        try:
            pieces = self._speak(self._load(), run, text)
        finally:
            with self._lock:
                self._runs.discard(run)
        if not pieces:
            raise ValueError("nothing to narrate: the text is empty")
        return encode_mp3(np.concatenate(pieces))

    def _speak(self, voice: Hibari, run: ort.RunOptions, text: str) -> list[np.ndarray]:
        _current.run = run
        pieces: list[np.ndarray] = []
        try:
            for stanza in stanzas(text):
                for line in stanza:
                    if run.terminate:
                        raise NarrationInterruptedError(INTERRUPTED)
                    pieces.append(voice(line))
                    pieces.append(_silence(LINE_PAUSE_SECONDS))
                pieces.append(_silence(STANZA_PAUSE_SECONDS))
        except Exception as error:
            if run.terminate and not isinstance(error, NarrationInterruptedError):
                raise NarrationInterruptedError(INTERRUPTED) from None  # onnxruntime's "terminate flag" failure
            raise
        finally:
            _current.run = None
        return pieces

    @classmethod
    def interrupt(cls) -> int:
        """End every narration in progress (its inference at once, the rest before its next line); how many."""
        with cls._lock:
            for run in cls._runs:
                run.terminate = True
            return len(cls._runs)

    @classmethod
    def _load(cls) -> Hibari:
        # One model per process: loading costs ~0.1 s and 30 MB, and Parallel branches share it.
        with cls._lock:
            if cls._voice is None:
                voice = Hibari()
                voice.sess = _InterruptibleSession(voice.sess)
                cls._voice = voice
            return cls._voice


class _InterruptibleSession:
    """hibari's inference session, each run given the calling narration's RunOptions.

    hibari calls `sess.run(None, inputs)` with no options; the voice is shared by concurrent narrations,
    so each thread's own options (whose `terminate` flag ends its run between two graph nodes) are found here.
    """

    def __init__(self, session: ort.InferenceSession) -> None:
        self._session = session

    def run(self, output_names: list[str] | None, inputs: dict[str, Any]) -> Any:
        return self._session.run(output_names, inputs, getattr(_current, "run", None))


_current = threading.local()


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
