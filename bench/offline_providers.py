"""Offline providers: seconds and peak memory for one story's text, picture and narration.

Each job runs in its own fresh process (so one job's memory is not another's), on the same story: the
seed cast and a fixed writer seed. Reported per job: import and set-up time, the call itself (first
call, what a night pays, and a second call in the same process), and the process's peak RSS from
`resource.getrusage`.

    python -m bench.offline_providers
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import table, write_result
from storyteller.providers.offline.narrator import BIT_RATE_KBPS

WRITER_SEED = 7
JOBS = ("story", "picture", "narration")
# One job in a fresh interpreter; prints one JSON line. argv: job, story file.
_JOB = """
import json, resource, sys, time
job, story_file = sys.argv[1], sys.argv[2]
started = time.perf_counter()
from storyteller.models import LegacyStoryCreated as StoryCreated  # the whole story, as the providers need it
from storyteller.households.seed import CHARACTERS, SCENES
cast, scene = list(CHARACTERS[:3]), SCENES[0]
if job == "story":
    from storyteller.providers.offline.writer import RhymingStoryWriter
    from storyteller.story.validation import validate_story
    provider = RhymingStoryWriter(seed=SEED)
    def call():
        draft = provider.write(cast, scene)
        validate_story(draft, cast, scene)
        return draft
else:
    story = StoryCreated.model_validate_json(open(story_file).read())
    if job == "picture":
        from storyteller.providers.offline.illustrator import PictureBookIllustrator
        provider = PictureBookIllustrator()
        def call():
            return provider.illustrate(story.title, story.characters, story.scene)
    else:
        from storyteller.flow.media import narration_text
        from storyteller.providers.offline.narrator import HibariNarrator
        provider = HibariNarrator()
        def call():
            return provider.narrate(narration_text(story))
ready = time.perf_counter()
made = call()
first = time.perf_counter()
call()
second = time.perf_counter()
if job == "story":
    import datetime
    event = StoryCreated(id="bench-story", title=made.title, text=made.text, scene=scene, characters=cast,
                         createdAt=datetime.datetime.now(datetime.timezone.utc))
    open(story_file, "w").write(event.model_dump_json())
    size, words = len(made.text.encode()), len(made.text.split())
else:
    size, words = len(made), None
print(json.dumps({
    "setup_seconds": ready - started, "first_call_seconds": first - ready, "second_call_seconds": second - first,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "output_bytes": size, "words": words,
    "model": provider.model,
}))
""".replace("SEED", str(WRITER_SEED))


def run_job(job: str, story_file: Path) -> dict[str, Any]:
    """One job in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", _JOB, job, str(story_file)],
        capture_output=True,
        text=True,
        cwd=story_file.parent,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"offline {job} failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    rounded = {key: round(value, 3) if isinstance(value, float) else value for key, value in figures.items()}
    rounded["total_seconds"] = round(figures["setup_seconds"] + figures["first_call_seconds"], 3)
    return rounded


def measure() -> dict[str, Any]:
    """Story first (the others read it), then picture and narration of that story."""
    with tempfile.TemporaryDirectory(prefix="storyteller-bench-offline-") as folder:
        story_file = Path(folder) / "story.json"
        jobs = {job: run_job(job, story_file) for job in JOBS}
        narration = jobs["narration"]
        story_text = json.loads(story_file.read_text())["text"]
    # A constant bit rate MP3: its size tells its length.
    audio_seconds = round(narration["output_bytes"] * 8 / (BIT_RATE_KBPS * 1000), 1)
    return {
        "writer_seed": WRITER_SEED,
        "story_words": jobs["story"]["words"],
        "story_characters": len(story_text),
        "narration_audio_seconds_estimate": audio_seconds,
        "jobs": jobs,
        "offline_story_seconds": jobs["story"]["total_seconds"],
        "offline_picture_seconds": jobs["picture"]["total_seconds"],
        "offline_narration_seconds": jobs["narration"]["total_seconds"],
        "offline_whole_story_seconds": round(sum(job["total_seconds"] for job in jobs.values()), 3),
    }


def report(result: dict[str, Any]) -> str:
    """The figures as a text table."""
    rows = [
        [
            job,
            figures["model"],
            figures["setup_seconds"],
            figures["first_call_seconds"],
            figures["second_call_seconds"],
            figures["total_seconds"],
            round(figures["peak_rss_mb"], 1),
            figures["output_bytes"],
        ]
        for job, figures in result["jobs"].items()
    ]
    return "\n".join(
        [
            f"Offline providers, one story ({result['story_words']} words), each job in a fresh process",
            "",
            table(
                ["job", "model", "import+setup s", "call s", "2nd call s", "total s", "peak RSS MB", "bytes"],
                rows,
            ),
        ]
    )


def main() -> None:
    result = measure()
    print(report(result))
    write_result("offline_providers", result)


if __name__ == "__main__":
    main()
