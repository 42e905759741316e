"""Frontend: the story page and a family's shelf against a static file from the same server, at 1, 10 and 50
concurrent clients. Targets are ratios to the static file measured in the same run (so they hold on any
machine): requests/s >= 1.0x, p99 <= 1.5x at 50 clients. Then the server's memory over 10,000 shelf views
(issue 30): its resident size after a warm-up and after the views, growth per view <= 0.5 KB (flat).

The server is `storyteller up` itself (uvicorn, the local AWS endpoint, the pump and the schedule in one
process, a first story made by the offline providers) on 127.0.0.1, in its own home. The load generator
is a small closed-loop HTTP/1.1 keep-alive client in this process: each client sends its next request
when the last answer is in, for a fixed time, and never more than a fixed number of requests. Only
127.0.0.1 is ever addressed.

    python -m bench.frontend
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import median, percentile, table, verdict, write_result

HOST = "127.0.0.1"
LEVELS = (1, 10, 50)
STATIC_PATH = "/static/style.css"
WARMUP_SECONDS = 0.5
SECONDS_PER_RUN = 3.0
MAX_REQUESTS_PER_RUN = 60_000
STARTUP_SECONDS = 120.0
MIN_RATIO_TO_STATIC = 1.0
MAX_P99_RATIO_AT_50 = 1.5
UP_LOG = "up.log"
MEMORY_WARMUP_VIEWS = 2_000
MEMORY_VIEWS = 10_000
MEMORY_CLIENTS = 10
# Growth per view allowed: 5 MB over the 10,000 views is noise of the allocator, not a leak.
MAX_GROWTH_PER_VIEW_KB = 0.5
_STORY_LINK = re.compile(r"/stories/([0-9a-f-]{36})")
# `up` prints each family's shelf link; the default family's holds the first story.
_SHELF_LINK = re.compile(r"default: .*shelf https?://[^/\s]+(/shelf/default/[A-Za-z0-9_-]+)")
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Load:
    """What one closed-loop run saw."""

    requests: int
    errors: int
    seconds: float
    latencies: list[float]


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(
        (int(line.split(":", 1)[1]) for line in lines[1:] if line.lower().startswith("content-length:")), None
    )
    if length is None:
        raise RuntimeError(f"no Content-Length in the answer: {lines[:5]}")
    await reader.readexactly(length)
    return status


async def _client(port: int, path: str, stop_at: float, budget: list[int], load: Load, record_from: float) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUser-Agent: storyteller-bench\r\n\r\n".encode()
    try:
        while budget[0] > 0:
            started = time.perf_counter()
            if started >= stop_at:
                break
            budget[0] -= 1
            writer.write(request)
            status = await _read_response(reader)
            if started >= record_from:
                load.latencies.append(time.perf_counter() - started)
                load.requests += 1
                load.errors += status != 200
    finally:
        writer.close()


async def _closed_loop(port: int, path: str, clients: int, requests: int | None = None) -> Load:
    """For SECONDS_PER_RUN after a warm-up; or, given `requests`, exactly that many with no time limit."""
    load = Load(requests=0, errors=0, seconds=SECONDS_PER_RUN, latencies=[])
    now = time.perf_counter()
    if requests is not None:
        budget = [requests]
        await asyncio.gather(*(_client(port, path, math.inf, budget, load, now) for _ in range(clients)))
        load.seconds = time.perf_counter() - now
        return load
    record_from = now + WARMUP_SECONDS
    budget = [MAX_REQUESTS_PER_RUN]
    await asyncio.gather(
        *(_client(port, path, record_from + SECONDS_PER_RUN, budget, load, record_from) for _ in range(clients))
    )
    load.seconds = min(SECONDS_PER_RUN, time.perf_counter() - record_from)
    return load


def _event_loop_run(work: Coroutine[Any, Any, Load]) -> Load:
    """uvloop when it is there (uvicorn brings it): the load generator should cost as little CPU as it can."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(work)
    return uvloop.run(work)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def _resident_kb(pid: int) -> int:
    """The process's resident set size (Linux /proc), in KB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def memory_over_views(port: int, path: str, server_pid: int) -> dict[str, Any]:
    """Resident size after a warm-up of views and after MEMORY_VIEWS more: a leak grows with each view."""
    warm = _event_loop_run(_closed_loop(port, path, MEMORY_CLIENTS, MEMORY_WARMUP_VIEWS))
    before = _resident_kb(server_pid)
    load = _event_loop_run(_closed_loop(port, path, MEMORY_CLIENTS, MEMORY_VIEWS))
    after = _resident_kb(server_pid)
    growth = (after - before) / max(1, load.requests)
    return {
        "views": load.requests,
        "errors": warm.errors + load.errors,
        "rss_before_kb": before,
        "rss_after_kb": after,
        "growth_kb_per_view": round(growth, 3),
        "seconds": round(load.seconds, 1),
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as answer:  # only ever http://127.0.0.1
        return str(answer.read().decode())


def start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    """`storyteller up` in its own home and working directory, with no outside settings."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("AWS_", "STORYTELLER_", "OPENAI_", "POWERTOOLS_", "MOTO_"))
    }
    environment.update(STORYTELLER_HOME=str(home), STORYTELLER_CONSOLE_PASSWORD="bench-password-not-secret")
    command = [sys.executable, "-c", "from storyteller.cli.main import main; main()", "up", "--port", str(port)]
    with (home.parent / UP_LOG).open("wb") as log:
        return subprocess.Popen(command, cwd=home.parent, env=environment, stdout=log, stderr=subprocess.STDOUT)


def wait_for_story(port: int, server: subprocess.Popen[bytes], log: Path) -> tuple[str, str]:
    """The default family's shelf path (from `up`'s output) and the first story's id, once the shelf shows it."""
    deadline = time.monotonic() + STARTUP_SECONDS
    shelf: str | None = None
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"storyteller up exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        if shelf is None and (printed := _SHELF_LINK.search(log.read_text(errors="replace"))):
            shelf = printed.group(1)
        try:
            found = _STORY_LINK.search(_get(f"http://{HOST}:{port}{shelf}")) if shelf else None
        except OSError:
            found = None
        if shelf and found:
            return shelf, found.group(1)
        time.sleep(0.25)
    raise RuntimeError(f"no story on the default shelf after {STARTUP_SECONDS:.0f} s:\n{log.read_text()[-3000:]}")


def _run(port: int, path: str, clients: int, server_pid: int) -> dict[str, Any]:
    cpu_before = _cpu_seconds(server_pid)
    load = _event_loop_run(_closed_loop(port, path, clients))
    cpu = _cpu_seconds(server_pid) - cpu_before
    return {
        "clients": clients,
        "requests": load.requests,
        "errors": load.errors,
        "requests_per_second": round(load.requests / load.seconds, 1),
        "p50_ms": round(median(load.latencies) * 1000, 2),
        "p99_ms": round(percentile(load.latencies, 0.99) * 1000, 2),
        # Includes the warm-up half second: a relative figure, to compare story page and static file.
        "server_cpu_ms_per_request": round(cpu * 1000 / max(1, load.requests), 3),
    }


def measure() -> dict[str, Any]:
    """Both targets at every level, against one running server."""
    with tempfile.TemporaryDirectory(prefix="storyteller-bench-frontend-") as folder:
        home = Path(folder) / "home"
        home.mkdir()
        port = _free_port()
        server = start_server(home, port)
        try:
            shelf_path, story_id = wait_for_story(port, server, Path(folder) / UP_LOG)
            story_path = f"/stories/{story_id}"
            time.sleep(1.0)  # let the pump save the first story's state before measuring
            levels = []
            for clients in LEVELS:
                story = _run(port, story_path, clients, server.pid)
                static = _run(port, STATIC_PATH, clients, server.pid)
                shelf = _run(port, shelf_path, clients, server.pid)
                levels.append(
                    {
                        "clients": clients,
                        "story_page": story,
                        "static_file": static,
                        "shelf_page": shelf,
                        "ratio_to_static": round(story["requests_per_second"] / static["requests_per_second"], 3),
                        "p99_ratio_to_static": round(story["p99_ms"] / max(static["p99_ms"], 0.01), 3),
                        "shelf_ratio_to_static": round(shelf["requests_per_second"] / static["requests_per_second"], 3),
                    }
                )
            memory = memory_over_views(port, shelf_path, server.pid)
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
    at_50 = next(level for level in levels if level["clients"] == max(LEVELS))
    ratio, p99, p99_ratio = at_50["ratio_to_static"], at_50["story_page"]["p99_ms"], at_50["p99_ratio_to_static"]
    return {
        "server": "storyteller up (uvicorn) with its LocalRuntime, on 127.0.0.1",
        "story_path": "/stories/<id>",
        "static_path": STATIC_PATH,
        "seconds_per_run": SECONDS_PER_RUN,
        "levels": levels,
        "ssr_vs_static_ratio": ratio,
        "ssr_p99_ms_50c": p99,
        "static_p99_ms_50c": at_50["static_file"]["p99_ms"],
        "ssr_p99_vs_static_p99_50c": p99_ratio,
        "shelf_path": "/shelf/default/<token>",
        "shelf_vs_static_ratio": at_50["shelf_ratio_to_static"],
        "shelf_memory": memory,
        "shelf_growth_kb_per_view": memory["growth_kb_per_view"],
        "targets": {
            "shelf_growth_kb_per_view": {
                "max": MAX_GROWTH_PER_VIEW_KB,
                "met": memory["growth_kb_per_view"] <= MAX_GROWTH_PER_VIEW_KB and memory["errors"] == 0,
            },
            "ssr_vs_static_ratio": {"min": MIN_RATIO_TO_STATIC, "met": ratio >= MIN_RATIO_TO_STATIC},
            "ssr_p99_vs_static_p99_50c": {"max": MAX_P99_RATIO_AT_50, "met": p99_ratio <= MAX_P99_RATIO_AT_50},
        },
    }


def report(result: dict[str, Any]) -> str:
    """The figures as a text table."""
    rows = []
    for level in result["levels"]:
        ratios = {"story_page": level["ratio_to_static"], "shelf_page": level["shelf_ratio_to_static"]}
        for name, key in (("story page", "story_page"), ("static file", "static_file"), ("shelf page", "shelf_page")):
            run = level[key]
            rows.append(
                [
                    level["clients"],
                    name,
                    run["requests_per_second"],
                    run["p50_ms"],
                    run["p99_ms"],
                    run["server_cpu_ms_per_request"],
                    run["errors"],
                    ratios.get(key, ""),
                ]
            )
    targets = result["targets"]
    return "\n".join(
        [
            f"Frontend: {result['server']}; closed loop, {SECONDS_PER_RUN:.0f} s a run",
            "",
            table(["clients", "path", "req/s", "p50 ms", "p99 ms", "server CPU ms/req", "errors", "ratio"], rows),
            "",
            f"story page / static at {max(LEVELS)} clients: {result['ssr_vs_static_ratio']} "
            f"(target >= {MIN_RATIO_TO_STATIC}: {verdict(targets['ssr_vs_static_ratio']['met'])}); "
            f"p99 {result['ssr_p99_ms_50c']} ms vs static {result['static_p99_ms_50c']} ms: "
            f"{result['ssr_p99_vs_static_p99_50c']}x (target <= {MAX_P99_RATIO_AT_50}: "
            f"{verdict(targets['ssr_p99_vs_static_p99_50c']['met'])}); shelf page / static "
            f"{result['shelf_vs_static_ratio']}",
            f"memory over {result['shelf_memory']['views']} shelf views: {result['shelf_memory']['rss_before_kb']} KB "
            f"-> {result['shelf_memory']['rss_after_kb']} KB, {result['shelf_memory']['growth_kb_per_view']} KB a view "
            f"(target <= {MAX_GROWTH_PER_VIEW_KB}: {verdict(targets['shelf_growth_kb_per_view']['met'])})",
        ]
    )


def main() -> None:
    result = measure()
    print(report(result))
    write_result("frontend", result)


if __name__ == "__main__":
    main()
