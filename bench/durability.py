"""Durability's cost: what writing every acknowledged write to disk first adds, and what a restart costs.

Measured in one run, so the ratios hold on any machine:
- added latency per write: DynamoDB PutItem and UpdateItem (1 KB items) and an S3 PutObject of a real
  offline picture, against the local endpoint without and with the state file (storyteller/local/write_ahead.py);
- start-up with 60 stories (real offline pictures and narrations) ÷ start-up of an empty home;
- disk per story: media, state file and email.

    python -m bench.durability
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import isolated_home, median, percentile, table, write_result
from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.households.seed import CHARACTERS, SCENES, seed
from storyteller.local.endpoint import LocalEndpoint
from storyteller.local.runtime import LocalRuntime
from storyteller.local.store import DurableStore
from storyteller.local.write_ahead import Durability
from storyteller.models import Character, Scene, Usage
from storyteller.providers.factory import ProviderOverrides
from storyteller.providers.offline.illustrator import PictureBookIllustrator
from storyteller.providers.offline.narrator import HibariNarrator
from storyteller.providers.offline.writer import RhymingStoryWriter
from storyteller.settings import get_settings

REGION = "eu-west-2"
WRITES = 300
OBJECTS = 30
STORIES = 60
STARTS = 3


class _Recorded:
    """Answers with real offline media made once: a restart reads files of their real size."""

    model = "bench-recorded"

    def __init__(self, body: bytes) -> None:
        self.body = body

    def illustrate(self, title: str, characters: list[Character], scene: Scene, moment: str = "") -> bytes:
        return self.body

    def narrate(self, text: str) -> bytes:
        return self.body

    def usage(self) -> Usage:
        return Usage()


def _timed(call: Callable[[], Any], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _write_latencies(home: Path, durable: bool, picture: bytes) -> dict[str, list[float]]:
    store = DurableStore(home) if durable else None
    endpoint = LocalEndpoint(
        REGION, home, durability=Durability(store, home / "media", "bench-media", REGION) if store else None
    )
    endpoint.start()
    try:
        dynamodb, s3 = client("dynamodb", REGION), client("s3", REGION)
        dynamodb.create_table(
            TableName="Bench",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        s3.create_bucket(Bucket="bench-media", CreateBucketConfiguration={"LocationConstraint": REGION})
        counter = iter(range(10**9))
        payload = "x" * 1000

        def put() -> None:
            dynamodb.put_item(TableName="Bench", Item={"id": {"S": f"i{next(counter)}"}, "body": {"S": payload}})

        def update() -> None:
            dynamodb.update_item(
                TableName="Bench",
                Key={"id": {"S": "i1"}},
                UpdateExpression="SET n = if_not_exists(n, :zero) + :one",
                ExpressionAttributeValues={":zero": {"N": "0"}, ":one": {"N": "1"}},
            )

        def put_object() -> None:
            s3.put_object(Bucket="bench-media", Key=f"stories/s{next(counter)}/image.png", Body=picture)

        _timed(put, 20)  # warm: clients, moto's first table lookups
        return {
            "put_item": _timed(put, WRITES),
            "update_item": _timed(update, WRITES),
            "put_object": _timed(put_object, OBJECTS),
        }
    finally:
        endpoint.stop()
        if store is not None:
            store.close()


def _start_seconds(providers: ProviderOverrides) -> float:
    started = time.perf_counter()
    runtime = LocalRuntime(get_settings(), providers=providers).start()
    seconds = time.perf_counter() - started
    runtime.stop()
    return seconds


def _disk(home: Path) -> dict[str, int]:
    def size(paths: list[Path]) -> int:
        return sum(path.stat().st_size for path in paths if path.is_file())

    return {
        "media": size(list((home / "media").rglob("*"))),
        "state": size(list(home.glob("state.db*"))) - size(list(home.glob("state.db.previous"))),
        "outbox": size(list((home / "outbox").rglob("*"))),
    }


def main() -> None:
    characters, scene = list(CHARACTERS[:2]), SCENES[0]
    picture = PictureBookIllustrator().illustrate("The Lantern", characters, scene)
    narration = HibariNarrator().narrate(RhymingStoryWriter().write(characters, scene).text)

    latencies: dict[str, dict[str, list[float]]] = {}
    for mode in ("memory", "durable"):
        with isolated_home(f"durability-{mode}") as home:
            latencies[mode] = _write_latencies(home, mode == "durable", picture)
    added = {
        operation: median(latencies["durable"][operation]) - median(latencies["memory"][operation])
        for operation in latencies["durable"]
    }

    with isolated_home("durability-start") as home:
        providers = ProviderOverrides(writer=None, illustrator=_Recorded(picture), narrator=_Recorded(narration))
        empty_starts = [_start_seconds(providers) for _ in range(STARTS)]
        with LocalRuntime(get_settings(), providers=providers) as runtime:
            seed(CatalogStore(runtime.settings))
            before = _disk(home)
            ids = [runtime.create_story() for _ in range(STORIES)]
            outcomes = [runtime.wait_for_story(story_id, timeout=300) for story_id in ids]
        complete = sum(1 for outcome in outcomes if outcome.status == "COMPLETE")
        after = _disk(home)
        full_starts = [_start_seconds(providers) for _ in range(STARTS)]
        shutil.rmtree(home / "logs", ignore_errors=True)
    per_story = {part: (after[part] - before[part]) / STORIES for part in after}

    rows = [
        [
            operation,
            median(latencies["memory"][operation]),
            median(latencies["durable"][operation]),
            added[operation],
            percentile(latencies["durable"][operation], 0.99),
        ]
        for operation in added
    ]
    print(table(["write", "memory p50 ms", "durable p50 ms", "added ms", "durable p99 ms"], rows))
    start_ratio = median(full_starts) / median(empty_starts)
    print(
        f"\nstart-up: empty home {median(empty_starts):.2f} s, {STORIES} stories ({complete} complete) "
        f"{median(full_starts):.2f} s: {start_ratio:.2f}x"
    )
    print(
        "disk per story: "
        + ", ".join(f"{part} {size / 1024:.0f} KiB" for part, size in per_story.items())
        + f"; total {sum(per_story.values()) / 1024 / 1024:.2f} MiB"
    )
    write_result(
        "durability",
        {
            "write_latency_ms": {
                mode: {operation: median(samples) for operation, samples in found.items()}
                for mode, found in latencies.items()
            },
            "added_write_latency_ms": added,
            "added_put_item_ms": added["put_item"],
            "startup_seconds_empty": median(empty_starts),
            "startup_seconds_60_stories": median(full_starts),
            "startup_60_stories_vs_empty": start_ratio,
            "stories_complete": complete,
            "disk_bytes_per_story": per_story,
            "disk_mib_per_story": sum(per_story.values()) / 1024 / 1024,
            "picture_bytes": len(picture),
            "narration_bytes": len(narration),
        },
    )


if __name__ == "__main__":
    main()
