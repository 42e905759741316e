"""A night whose picture fails while its narration is still being made ends with exit code 1 and one
`error:` line, never a signal; so does its retry, and a stop of `storyteller up` mid-narration (issue 32).

The race is made on purpose, not waited for: the fake OpenAI holds each image answer until the home's log
says the narration has begun (and a moment more), then answers with a picture that is not a PNG. The
narration (hibari on onnxruntime, seconds of work) is then still running when the failed run ends the
command; the log line "the stop interrupted 1 narration(s)" proves it each time. Two busy processes keep
the cores contended, as on the machine where the crash was seen (2 tries in 5 died of SIGABRT).
"""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import _LEAKY
from tests.fakes.openai_server import FakeOpenAI

REPO_ROOT = Path(__file__).resolve().parents[2]  # this checkout's code, whatever the venv points at
# The full drill (issue 32: twenty of each) is `STORYTELLER_EXIT_DRILL=20 python -m pytest <this file>`;
# `make test` runs three of each, which keeps the suite within CI's time (a failing night costs ~13 s of CPU).
DRILL = int(os.environ.get("STORYTELLER_EXIT_DRILL", "3"))
NIGHTS = DRILL  # each night is a failing `tonight`, then a failing `retry` of it in the same home
UP_STOPS = DRILL
AT_ONCE = 4  # commands running side by side (each its own home and fake OpenAI)
COMMAND_SECONDS = 600  # a loaded CI machine; a run normally takes seconds
NARRATION_SECONDS = 300
# How long an image answer waits after the narration has begun: its first lines are being spoken, and
# a whole story takes seconds more, so the failure still reaches the command's end mid-narration.
HEAD_START_SECONDS = 0.3
NARRATING = '"message":"narrating"'
STILL_RUNNING = "storyteller.local.runtime: a function was still running 15 s into the stop"
# The runtime's own log line (Powertools repeats it as JSON, which is not counted).
INTERRUPTED = "storyteller.local.runtime: the stop interrupted 1 narration(s) in progress"


LINGERING_RUNS = 3
LINGERING = """
import threading

from hibari import Hibari

from storyteller import names
from storyteller.cli.main import main
from storyteller.local.lambdas import LocalLambdas

voice = Hibari()
speaking = threading.Event()


def speak_on(event, context):
    ids = voice.ids(voice.phonemize("The moon came up above the hill, and all the little town was still.")[0])
    speaking.set()
    while True:
        voice.from_ids(ids)


lambdas = LocalLambdas()
lambdas.override(names.GENERATE_AUDIO_FUNCTION, speak_on)
threading.Thread(target=lambdas.invoke, args=(names.GENERATE_AUDIO_FUNCTION, {}), daemon=True).start()
speaking.wait()
main()
"""


@dataclass(frozen=True)
class Ended:
    """How one command ended, and whether a narration was cut short by its stop."""

    command: str
    code: int
    stderr: str
    interrupted: bool

    def problem(self, expected_code: int) -> str | None:
        """What is wrong with this ending, or None."""
        errors = [line for line in self.stderr.splitlines() if line.startswith("error:")]
        if self.code < 0:
            return f"{self.command} died of signal {-self.code}: {self.stderr[-400:]}"
        if self.code != expected_code:
            return f"{self.command} exited {self.code}, not {expected_code}: {self.stderr[-400:]}"
        if len(errors) != int(expected_code != 0):
            return f"{self.command} printed {len(errors)} error lines: {self.stderr[-400:]}"
        if "Traceback" in self.stderr or "terminate called" in self.stderr:
            return f"{self.command} crashed on its way out: {self.stderr[-400:]}"
        if not self.interrupted:
            return f"{self.command}: the narration had ended before the stop, so the race did not happen"
        return None


@pytest.fixture
def busy() -> Iterator[None]:
    """Two processes that keep two cores busy for the whole test."""
    hogs = [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(2)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the default cast and scenes and no story: copied for each night."""
    home = tmp_path_factory.mktemp("failed-nights") / "seeded"
    done = _storyteller(home, {}, "seed")
    assert done.returncode == 0, done.stderr
    return home


def test_a_failed_picture_mid_narration_ends_tonight_and_retry_with_code_1(
    busy: None, seeded: Path, tmp_path: Path
) -> None:
    with ThreadPoolExecutor(AT_ONCE) as pool:
        nights = list(pool.map(lambda night: _night_then_retry(seeded, tmp_path / f"night{night}"), range(NIGHTS)))
    endings = [ended for night in nights for ended in night]
    problems = [problem for ended in endings if (problem := ended.problem(expected_code=1))]
    assert not problems, f"{len(problems)} of {len(endings)} commands ended badly:\n" + "\n".join(problems)
    assert [ended.command for ended in endings].count("tonight") == NIGHTS
    assert [ended.command for ended in endings].count("retry") == NIGHTS


def test_a_failed_narration_while_the_picture_hangs_ends_with_code_1(seeded: Path, tmp_path: Path) -> None:
    """The other branch fails first, and the illustrator does not answer: the stop waits its bounded
    while, then the process ends without the hung call, with the command's code and its whole output."""
    home = tmp_path / "hung"
    shutil.copytree(seeded, home)
    answer = threading.Event()
    with FakeOpenAI() as fake:
        fake.before_image = lambda: answer.wait(COMMAND_SECONDS)
        settings = {
            "OPENAI_API_KEY": "sk-test",
            "STORYTELLER_OPENAI_BASE_URL": fake.base_url,
            "STORYTELLER_ILLUSTRATOR": "openai",
            "STORYTELLER_WRITER": "offline",
            # moto's Polly answers a few zero bytes: "not an MP3", at once, while the picture hangs.
            "STORYTELLER_NARRATOR": "polly",
        }
        try:
            done = _storyteller(home, settings, "tonight", "--json")
        finally:
            answer.set()
    ended = Ended("tonight", done.returncode, done.stderr, interrupted=True)
    assert ended.problem(expected_code=1) is None, ended.problem(expected_code=1)
    assert "not an MP3" in done.stderr
    assert json.loads(done.stdout)["status"] == "FAILED"  # stdout was flushed before the process ended
    assert STILL_RUNNING in _Log(home).text()


def test_a_function_no_stop_can_interrupt_does_not_crash_the_exit() -> None:
    """The last resort (cli.main): a function still inside onnxruntime when a command ends, which nothing
    interrupts (raw inference in a loop, not through the narrator). Python's own shutdown aborts such a
    process (SIGABRT, 3 in 3 here); main ends it with the command's code instead."""
    with ThreadPoolExecutor(LINGERING_RUNS) as pool:
        done = list(pool.map(lambda _: _lingering_help(), range(LINGERING_RUNS)))
    for ended in done:
        assert ended.returncode == 0, f"ended {ended.returncode}: {ended.stderr[-400:]}"
        assert "Usage" in ended.stdout
        assert "terminate called" not in ended.stderr


def _lingering_help() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LINGERING, "--help"],
        env=_env(Path("unused-home"), {}),
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )


def test_sigterm_to_up_mid_narration_stops_it_cleanly(busy: None, seeded: Path, tmp_path: Path) -> None:
    with ThreadPoolExecutor(AT_ONCE) as pool:
        endings = list(pool.map(lambda stop: _stop_up_mid_narration(seeded, tmp_path / f"up{stop}"), range(UP_STOPS)))
    problems = [problem for ended in endings if (problem := ended.problem(expected_code=0))]
    assert not problems, f"{len(problems)} of {len(endings)} stops ended badly:\n" + "\n".join(problems)
    assert all("Stopped; state saved." in ended.stderr for ended in endings)


def _night_then_retry(seeded: Path, home: Path) -> list[Ended]:
    shutil.copytree(seeded, home)
    log = _Log(home)
    with FakeOpenAI() as fake:
        fake.before_image = log.wait_for_narration
        env = {
            "OPENAI_API_KEY": "sk-test",
            "STORYTELLER_OPENAI_BASE_URL": fake.base_url,
            "STORYTELLER_ILLUSTRATOR": "openai",
            "STORYTELLER_WRITER": "offline",
            "STORYTELLER_NARRATOR": "offline",
        }
        fake.image_b64 = _jpeg()  # "returned an image that is not a PNG"
        tonight, interrupted = log.around(lambda: _storyteller(home, env, "tonight", "--json"))
        endings = [Ended("tonight", tonight.returncode, tonight.stderr, interrupted)]
        if tonight.returncode < 0:
            return endings  # it printed nothing: no story id to retry
        fake.image_b64 = "not base64 at all!"  # "not valid base64"
        story_id = json.loads(tonight.stdout)["id"]
        retry, interrupted = log.around(lambda: _storyteller(home, env, "retry", story_id))
        return [*endings, Ended("retry", retry.returncode, retry.stderr, interrupted)]


def _stop_up_mid_narration(seeded: Path, home: Path) -> Ended:
    """`up` on a home with no story makes one at start: SIGTERM once its narration has begun."""
    shutil.copytree(seeded, home)
    log = _Log(home)
    err = home / "up.err"
    with err.open("wb") as stderr:
        up = subprocess.Popen(
            [*_entry(), "up", "--port", str(_free_port())],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env=_env(home, {"STORYTELLER_CONSOLE_PASSWORD": "moonlight-operator"}),
        )
        try:
            log.wait_for_narration()
            up.send_signal(signal.SIGTERM)
            code = up.wait(timeout=COMMAND_SECONDS)
        finally:
            if up.poll() is None:
                up.kill()
                up.wait()
    return Ended("up", code, err.read_text(errors="replace"), log.interruptions() == 1)


class _Log:
    """The home's log file, read for what the commands in that home did."""

    def __init__(self, home: Path) -> None:
        self._path = home / "logs" / "storyteller.log"
        self._narrations_before = 0

    def around(
        self, command: Callable[[], subprocess.CompletedProcess[str]]
    ) -> tuple[subprocess.CompletedProcess[str], bool]:
        """Run a command; whether its stop interrupted a narration (one more such line in the log)."""
        self._narrations_before = self._count(NARRATING)
        interrupted_before = self.interruptions()
        done = command()
        return done, self.interruptions() == interrupted_before + 1

    def wait_for_narration(self) -> None:
        """Until a narration has begun since the command started (and a moment more)."""
        deadline = time.monotonic() + NARRATION_SECONDS
        while self._count(NARRATING) <= self._narrations_before and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(HEAD_START_SECONDS)

    def interruptions(self) -> int:
        return self._count(INTERRUPTED)

    def text(self) -> str:
        try:
            return self._path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def _count(self, text: str) -> int:
        return self.text().count(text)


def _storyteller(home: Path, settings: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_entry(), *args],
        env=_env(home, settings),
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )


def _entry() -> list[str]:
    return [sys.executable, "-c", "from storyteller.cli.main import main; main()"]


def _env(home: Path, settings: dict[str, str]) -> dict[str, str]:
    # Filtered here too: the module's seeded home is made before a test's own isolation applies.
    clean = {name: value for name, value in os.environ.items() if not name.startswith(_LEAKY)}
    return {**clean, "STORYTELLER_HOME": str(home), "PYTHONPATH": str(REPO_ROOT), **settings}


def _jpeg() -> str:
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), (40, 44, 90)).save(picture, format="JPEG")
    return base64.b64encode(picture.getvalue()).decode("ascii")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
