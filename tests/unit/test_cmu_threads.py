"""The CMU dictionary's first use from many threads at once: a fresh `up` whose families share a bedtime."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
# A fresh interpreter, so the dictionary is not loaded yet; the threads start their stories together.
_TEN_NIGHTS_AT_ONCE = """
import json, threading
from storyteller.models import Character, Scene
from storyteller.providers.offline.writer import RhymingStoryWriter
from storyteller.story.validation import validate_story

cast = [Character(id="pip", name="Pip", description="a small grey mouse with a red scarf")]
scene = Scene(id="beach", description="a quiet beach under the moon")
start, failures, passed = threading.Barrier(10), [], []

def night():
    start.wait()
    try:
        draft = RhymingStoryWriter().write(cast, scene)
        passed.append(validate_story(draft, cast, scene).rhyme_rate == 1.0)
    except Exception as error:
        failures.append(f"{type(error).__name__}: {error}")

threads = [threading.Thread(target=night) for _ in range(10)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"failures": failures, "passed": passed}))
"""


def _in_a_fresh_interpreter(code: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return outcome


def test_ten_stories_written_at_once_in_a_fresh_process_all_come_out() -> None:
    outcome = _in_a_fresh_interpreter(_TEN_NIGHTS_AT_ONCE)
    assert outcome["failures"] == []
    assert outcome["passed"] == [True] * 10


# Threads arriving one after another while the first is still loading the dictionary: the window in which
# pronouncing, used directly, hands out a lookup that is None or half built.
_STAGGERED_LOOKUPS = """
import json, threading, time
from storyteller.story import cmu

answers, failures = [], []

def look(delay):
    time.sleep(delay)
    try:
        answers.append((len(cmu.rhymes("night")), cmu.phones_for_word("moonlight")))
    except Exception as error:
        failures.append(f"{type(error).__name__}: {error}")

threads = [threading.Thread(target=look, args=(index * 0.03,)) for index in range(40)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"failures": failures, "answers": sorted(set(map(json.dumps, answers)))}))
"""


def test_lookups_while_the_dictionary_loads_wait_for_it_and_agree() -> None:
    outcome = _in_a_fresh_interpreter(_STAGGERED_LOOKUPS)
    assert outcome["failures"] == []
    [answer] = outcome["answers"]  # every thread got the same, whole answer
    rhymes, phones = json.loads(answer)
    assert rhymes > 50
    assert phones == ["M UW1 N L AY2 T"]
