"""What the state file and the media folder promise across restarts (storyteller/local/store.py, write_ahead.py).

Kills at random and exact instants are in tests/reliability/test_kill_anywhere.py; these are the cases a
family meets otherwise: runs listed after a restart, a damaged state file, a disk that refuses a write,
an install from before the state file, leftovers of an interrupted write.
"""

from __future__ import annotations

import json
import logging
import sys
import threading

import boto3
import pytest
from botocore.config import Config
from typer.testing import CliRunner

from storyteller import names
from storyteller.cli import main as cli
from storyteller.dal.aws import client
from storyteller.dal.stories import StoryStore
from storyteller.flow.retry import retry_story
from storyteller.local.faults import FaultPlan
from storyteller.local.outbox import emails_for
from storyteller.local.runtime import LocalRuntime
from storyteller.local.store import STATE_FILE, DurableStore
from storyteller.models import StoryStatus
from storyteller.settings import Settings
from tests.reliability.drill import Drill, story_through_a_stack

runner = CliRunner()


def test_past_runs_and_their_histories_are_there_after_a_restart(settings: Settings) -> None:
    story_id, arn = story_through_a_stack(settings)

    with LocalRuntime(settings, providers=FaultPlan().providers()) as runtime:
        assert runtime.resources is not None
        sfn = client("stepfunctions", settings.aws_region)
        listed = sfn.list_executions(stateMachineArn=runtime.resources.state_machine_arn)["executions"]
        described = sfn.describe_execution(executionArn=arn)
        history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]

    assert [run["executionArn"] for run in listed] == [arn]
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["input"])["id"] == story_id
    assert history[0]["type"] == "ExecutionStarted"
    assert history[-1]["type"] == "ExecutionSucceeded"
    entered = [event["stateEnteredEventDetails"]["name"] for event in history if "stateEnteredEventDetails" in event]
    assert entered[:2] == ["CheckEvent", "Claim"]
    assert entered[-1] == "MarkNotified"


def test_a_damaged_state_file_stops_start_up_with_one_line_that_names_it_and_the_way_back(
    settings: Settings,
) -> None:
    story_id, _ = story_through_a_stack(settings)
    with LocalRuntime(settings, providers=FaultPlan().providers()):
        pass  # a clean start keeps the good generation beside the file
    state = settings.home / STATE_FILE
    for leftover in state.parent.glob(STATE_FILE + "-*"):
        leftover.unlink()
    state.write_bytes(b"this is not a database, a disk hiccup wrote it" * 100)

    result = runner.invoke(cli.app, ["tonight"])

    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: the state file ")
    assert str(state) in lines[-1]
    assert f"mv {state}.previous {state}" in lines[-1]
    assert "Traceback" not in result.stderr

    (state.parent / (STATE_FILE + ".previous")).replace(state)
    with LocalRuntime(settings, providers=FaultPlan().providers()):
        recovered = StoryStore(settings).get(story_id)
    assert recovered is not None
    assert recovered.status is StoryStatus.COMPLETE


def test_a_disk_that_refuses_the_picture_fails_the_run_visibly_and_a_retry_finishes_it(settings: Settings) -> None:
    drill = Drill(settings).start()
    try:
        story = drill.new_story()
        blocked = settings.home / "media" / "stories" / story.id
        blocked.parent.mkdir(parents=True, exist_ok=True)
        blocked.write_bytes(b"")  # a file where the story's media folder must go: every write there fails
        drill.put_story(story)
        arn = drill.execution_arn(story.id)

        assert drill.finished(arn, timeout=120)["status"] == "FAILED"
        drill.settle()
        assert drill.emails(story.id) == []
        in_bucket = client("s3", settings.aws_region).list_objects_v2(
            Bucket=settings.media_bucket, Prefix=f"stories/{story.id}/"
        )
        assert in_bucket.get("KeyCount", 0) == 0  # nothing the disk refused stays in the bucket

        blocked.unlink()
        outcome = retry_story(drill.stories, drill.sfn, drill.state_machine_arn, story.id, timeout=120)
        drill.settle()
        assert outcome.story_status == StoryStatus.COMPLETE
        assert outcome.emailed
        assert len(drill.emails(story.id)) == 1
        saved = drill.stories.get(story.id)
        assert saved is not None
        assert drill.media_ok(saved)
        assert (settings.home / "media" / str(saved.imageKey)).stat().st_size > 0
    finally:
        drill.stop()


def test_an_install_from_before_the_state_file_keeps_its_stories(settings: Settings) -> None:
    story_id, _ = story_through_a_stack(settings)
    store = DurableStore(settings.home)
    legacy = settings.home / "tables"
    legacy.mkdir()
    for table in (names.STORIES_TABLE, names.CHARACTERS_TABLE, names.SCENES_TABLE):
        (legacy / f"{table}.json").write_text(json.dumps(store.items(table)))
    store.close()
    for path in settings.home.glob(STATE_FILE + "*"):
        path.unlink()

    with LocalRuntime(settings, providers=FaultPlan().providers()):
        kept = StoryStore(settings).get(story_id)

    assert kept is not None
    assert kept.status is StoryStatus.COMPLETE
    assert kept.imageKey


def test_leftovers_of_an_interrupted_write_are_never_loaded(settings: Settings) -> None:
    story_id, _ = story_through_a_stack(settings)
    leftover = settings.home / "media" / "stories" / story_id / "image.png.part"
    leftover.write_bytes(b"\x89PNG half a pictu")

    with LocalRuntime(settings, providers=FaultPlan().providers()):
        keys = client("s3", settings.aws_region).list_objects_v2(Bucket=settings.media_bucket)["Contents"]

    assert all(not entry["Key"].endswith(".part") for entry in keys)
    assert not leftover.exists()


def test_a_story_without_ttl_gets_its_two_days_and_is_named_in_the_log(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    story_id, _ = story_through_a_stack(settings)
    store = DurableStore(settings.home)
    item = next(found for found in store.items(names.STORIES_TABLE) if found["id"]["S"] == story_id)
    del item[names.TTL_ATTRIBUTE]
    store.put_items([(names.STORIES_TABLE, {"id": item["id"]}, item)])
    store.close()

    with caplog.at_level(logging.WARNING), LocalRuntime(settings, providers=FaultPlan().providers()) as runtime:
        kept = StoryStore(settings).get(story_id)
        media = emails_for(runtime.outbox_dir, story_id)

    assert kept is not None
    assert kept.imageKey
    assert kept.ttl == int(kept.createdAt.timestamp()) + names.STORY_LIFETIME_SECONDS
    assert (settings.home / "media" / kept.imageKey).exists()
    assert len(media) == 1
    assert f"story {story_id} had no ttl" in caplog.text


# Updates that add and remove 40 attributes of one item, each met by reads: a fixed amount of work, not of time.
WRITES = 30


def test_reads_never_meet_a_write_halfway(runtime: LocalRuntime) -> None:
    """moto copies an item attribute by attribute to answer a read; an UpdateItem changing the same item
    at that moment broke the copy ("dictionary changed size during iteration"), a 500 that the SDK's
    retries usually hid (seen once in five loaded soaks). The endpoint serializes DynamoDB requests."""
    settings = runtime.settings
    # No retries: a read that fails must show here, not be asked again.
    once = boto3.session.Session().client(
        "dynamodb", region_name=settings.aws_region, config=Config(retries={"max_attempts": 1, "mode": "standard"})
    )
    table, key = settings.stories_table, {"id": {"S": "busy-item"}}
    wide = {f"a{index}": {"S": "x" * 20} for index in range(300)}
    once.put_item(TableName=table, Item={**key, **wide})
    failures: list[str] = []
    done = {"writes": 0, "reads": 0}

    def write() -> None:
        names_ = {f"#b{index}": f"b{index}" for index in range(40)}
        values = {f":v{index}": {"S": "y"} for index in range(40)}
        for flip in range(WRITES):
            try:
                if flip % 2 == 0:
                    expression = "SET " + ", ".join(f"#b{index} = :v{index}" for index in range(40))
                    once.update_item(
                        TableName=table,
                        Key=key,
                        UpdateExpression=expression,
                        ExpressionAttributeNames=names_,
                        ExpressionAttributeValues=values,
                    )
                else:
                    expression = "REMOVE " + ", ".join(f"#b{index}" for index in range(40))
                    once.update_item(
                        TableName=table, Key=key, UpdateExpression=expression, ExpressionAttributeNames=names_
                    )
            except Exception as error:  # noqa: BLE001 - a thread's failure is reported by the test, not lost
                failures.append(f"write: {error}")
            done["writes"] += 1

    def read() -> None:
        # Reads go on for as long as the writer writes, so every write has reads around it.
        while writer.is_alive():
            try:
                once.scan(TableName=table)
                once.get_item(TableName=table, Key=key)
            except Exception as error:  # noqa: BLE001 - as above
                failures.append(f"read: {error}")
            done["reads"] += 1

    writer = threading.Thread(target=write)
    readers = [threading.Thread(target=read) for _ in range(2)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # the endpoint serves in this process: switch threads mid-copy, often
    try:
        writer.start()
        for thread in readers:
            thread.start()
        writer.join(timeout=300)
        for thread in readers:
            thread.join(timeout=60)
    finally:
        sys.setswitchinterval(interval)
    assert not writer.is_alive(), f"the writer did {done['writes']} of {WRITES} writes in 300 s"
    assert done["writes"] == WRITES
    assert done["reads"] >= 2
    assert failures == []
