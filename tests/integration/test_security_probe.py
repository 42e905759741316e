"""The local endpoint's edges found by the security probe (issue 30): what a refused or odd write leaves."""

from __future__ import annotations

import stat

import pytest
from botocore.exceptions import ClientError
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodbstreams.models import ShardIterator, dynamodbstreams_backends

from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.families import FamilyStore
from storyteller.dal.night_failures import NightFailureStore
from storyteller.households.family import new_family
from storyteller.local import streams
from storyteller.local.runtime import FunctionFailedError, LocalRuntime
from storyteller.models import Character, Scene
from storyteller.settings import get_settings


def test_a_write_the_disk_refused_leaves_nothing_readable(runtime: LocalRuntime) -> None:
    s3 = client("s3", runtime.settings.aws_region)
    bucket = runtime.settings.media_bucket
    key = f"stories/{'n' * 300}/image.png"  # a folder name longer than the file system allows

    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=bucket, Key=key, Body=b"a picture")
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500

    with pytest.raises(ClientError) as missing:
        s3.get_object(Bucket=bucket, Key=key)
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"


@pytest.mark.parametrize(
    "key", ["notes/readme.txt", "/stories/s1/image.png", "stories/s1/deeper/image.png", "stories/image.png"]
)
def test_a_write_outside_a_storys_folder_is_refused_and_leaves_no_file(runtime: LocalRuntime, key: str) -> None:
    s3 = client("s3", runtime.settings.aws_region)
    bucket = runtime.settings.media_bucket

    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket=bucket, Key=key, Body=b"kept until the next start only")
    assert refused.value.response["Error"]["Code"] == "AccessDenied"

    with pytest.raises(ClientError):
        s3.get_object(Bucket=bucket, Key=key)
    assert not (runtime.settings.home / "media" / key).exists()


def test_the_home_is_private_to_its_user_what_exists_and_what_the_stack_writes() -> None:
    settings = get_settings()
    old_log = settings.home / "logs" / "storyteller.log"
    old_log.parent.mkdir(parents=True)
    old_log.write_text("left readable by an older version\n")
    old_log.chmod(0o644)
    old_log.parent.chmod(0o755)

    with LocalRuntime(settings) as running:
        client("s3", settings.aws_region).put_object(
            Bucket=settings.media_bucket, Key="stories/s1/image.png", Body=b"a picture"
        )
        paths = [settings.home, *settings.home.rglob("*")]
        modes = {path.relative_to(settings.home).as_posix(): stat.S_IMODE(path.stat().st_mode) for path in paths}
        assert running.durability.store.path.name in modes  # the state file, with every family's token

    assert "media/stories/s1/image.png" in modes
    assert "logs/storyteller.log" in modes
    loose = {name: oct(mode) for name, mode in modes.items() if mode & 0o077}
    assert loose == {}
    assert {mode for name, mode in modes.items() if (settings.home / name).is_dir()} == {0o700}


def test_a_night_that_fails_before_its_run_is_recorded_and_cleared_when_its_retry_succeeds(
    runtime: LocalRuntime,
) -> None:
    settings = runtime.settings
    FamilyStore(settings).add(new_family("smiths", ["mum@smiths.example"], "Europe/Paris", "19:30"))
    firing = "2026-12-06T18:30:00Z"

    with pytest.raises(FunctionFailedError) as failed:
        runtime.create_story(scheduled_time=firing, family_id="smiths")

    assert failed.value.error_type == "EmptyCatalogError"
    [recorded] = NightFailureStore(settings).recent()
    assert (recorded.familyId, recorded.firing, recorded.error) == ("smiths", firing, "EmptyCatalogError")
    assert "smiths" in recorded.reason

    catalog = CatalogStore(settings, "smiths")
    catalog.add_character(Character(id="ada", name="Ada", description="a brave girl of six with a red scarf"))
    catalog.add_scene(Scene(id="treehouse", description="the treehouse in the garden, with fairy lights"))
    assert runtime.create_story(scheduled_time=firing, family_id="smiths")  # the schedule's retry
    assert NightFailureStore(settings).recent() == []


def test_the_stream_pump_leaves_moto_holding_no_more_shard_iterators_than_it_can_use(runtime: LocalRuntime) -> None:
    backend = dynamodbstreams_backends[DEFAULT_ACCOUNT_ID][runtime.settings.aws_region]
    for _ in range(3 * streams.KEPT_ITERATORS):
        runtime.pipe.poll()  # each poll is a GetRecords answered with a new iterator

    assert len(backend.shard_iterators) <= streams.KEPT_ITERATORS
    assert ShardIterator.instances_tracked == []  # none kept for moto's dashboard either
