"""What every benchmark shares: providers that only sleep, an isolated home, the machine, tables and JSON."""

from __future__ import annotations

import io
import json
import os
import platform
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import lameenc
from PIL import Image

from storyteller.dal.aws import reset_clients
from storyteller.models import Character, Scene, StoryDraft, Usage
from storyteller.providers.factory import ProviderOverrides
from storyteller.providers.offline.writer import RhymingStoryWriter
from storyteller.settings import get_settings

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "bench" / "results"
# Settings from the developer's shell or .env must not reach a benchmark (the tests' rule too).
_LEAKY = ("AWS_", "STORYTELLER_", "OPENAI_", "POWERTOOLS_", "MOTO_")


def _tiny_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (40, 44, 90)).save(out, format="PNG")
    return out.getvalue()


def _tiny_mp3() -> bytes:
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(64)
    encoder.set_in_sample_rate(22050)
    encoder.set_channels(1)
    return bytes(encoder.encode(b"\0\0" * 2205) + encoder.flush())


PNG = _tiny_png()
MP3 = _tiny_mp3()


class SleepingWriter:
    """A real offline story (so validation passes), delivered `seconds` after the call, like a model's answer."""

    model = "bench-sleeping-writer"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def write(self, characters: list[Character], scene: Scene, feedback: str | None = None) -> StoryDraft:
        deadline = time.monotonic() + self.seconds
        draft = RhymingStoryWriter().write(characters, scene, feedback)
        time.sleep(max(0.0, deadline - time.monotonic()))
        return draft

    def usage(self) -> Usage:
        return Usage()


class SleepingIllustrator:
    """Answers a tiny real PNG after `seconds`."""

    model = "bench-sleeping-illustrator"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def illustrate(self, title: str, characters: list[Character], scene: Scene, moment: str = "") -> bytes:
        time.sleep(self.seconds)
        return PNG


class SleepingNarrator:
    """Answers a tiny real MP3 after `seconds`."""

    model = "bench-sleeping-narrator"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def narrate(self, text: str) -> bytes:
        time.sleep(self.seconds)
        return MP3


def sleeping_providers(text: float, image: float, audio: float) -> ProviderOverrides:
    """Providers whose only cost is their sleep: what is left of a run's time is orchestration."""
    return ProviderOverrides(
        writer=SleepingWriter(text), illustrator=SleepingIllustrator(image), narrator=SleepingNarrator(audio)
    )


@contextmanager
def isolated_home(prefix: str) -> Iterator[Path]:
    """A fresh STORYTELLER_HOME (and working directory), no settings from outside; restored afterwards."""
    saved_env, saved_cwd = dict(os.environ), Path.cwd()
    for name in list(os.environ):
        if name.startswith(_LEAKY):
            del os.environ[name]
    with tempfile.TemporaryDirectory(prefix=f"storyteller-bench-{prefix}-") as folder:
        home = Path(folder) / "home"
        os.environ["STORYTELLER_HOME"] = str(home)
        os.chdir(folder)  # so a developer's ./.env is not read
        get_settings.cache_clear()
        reset_clients()
        try:
            yield home
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)
            get_settings.cache_clear()
            reset_clients()


def machine() -> dict[str, Any]:
    """Where the figures came from."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gib = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": memory_gib,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 1,000 samples is the 990th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain text table, numbers right-aligned."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max(len(str(header)), *(len(row[index]) for row in cells)) for index, header in enumerate(headers)]
    lines = ["  ".join(str(header).ljust(width) for header, width in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * width for width in widths))
    for row, raw in zip(cells, rows, strict=True):
        lines.append(
            "  ".join(
                cell.rjust(width) if isinstance(value, int | float) else cell.ljust(width)
                for cell, width, value in zip(row, widths, raw, strict=True)
            )
        )
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def source() -> dict[str, Any]:
    """Which code was measured: the commit, and whether the working tree differed from it."""

    def git(*arguments: str) -> str:
        done = subprocess.run(["git", *arguments], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    return {
        "commit": git("rev-parse", "--short", "HEAD") or None,
        "uncommitted_changes": bool(git("status", "--porcelain")),
    }


def write_result(name: str, result: dict[str, Any]) -> Path:
    """bench/results/<name>.json, with the machine it ran on and the code it measured."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    document = {"machine": machine(), "source": source(), **result}
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {path.relative_to(REPO_ROOT)}")
    return path


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"
