"""An install from before households keeps its stories and becomes the default family: locally from the
state file, in AWS by the deploy's households setup (storyteller/households/migration.py, run here against moto)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from storyteller import names
from storyteller.dal.aws import reset_clients
from storyteller.dal.catalog import CatalogStore
from storyteller.dal.families import FamilyStore
from storyteller.dal.items import to_item
from storyteller.dal.stories import StoryStore
from storyteller.households.migration import migrate
from storyteller.households.seed import CHARACTERS, SCENES
from storyteller.local.runtime import LocalRuntime
from storyteller.local.store import DurableStore
from storyteller.models import StoryItem, StoryStatus
from storyteller.settings import Settings


def _legacy_story() -> StoryItem:
    created = datetime.now(UTC).replace(microsecond=0)
    return StoryItem(
        id="2f1c0a52-6a7e-4d5e-9a43-0b6f2d1e9c11",
        title="Pip and the Lost Star",
        text="Pip looked up at the sky,\nand saw a star go drifting by.",
        scene=SCENES[0],
        characters=[CHARACTERS[0], CHARACTERS[1]],
        createdAt=created,
        ttl=int(created.timestamp()) + names.STORY_LIFETIME_SECONDS,
        status=StoryStatus.COMPLETE,
        words=14,
    )


def _single_family_row(story: StoryItem) -> dict[str, object]:
    """A story row as a single-family install wrote it: no familyId, no shelf."""
    return to_item(
        {key: value for key, value in story.model_dump(mode="json").items() if key not in ("familyId", "shelf")}
    )


def test_a_single_family_state_file_becomes_the_default_family_and_keeps_its_stories(settings: Settings) -> None:
    story = _legacy_story()
    store = DurableStore(settings.home)
    store.put_items(
        [(settings.characters_table, {"id": {"S": c.id}}, to_item(c.model_dump())) for c in CHARACTERS[:3]]
        + [(settings.scenes_table, {"id": {"S": s.id}}, to_item(s.model_dump())) for s in SCENES[:2]]
        + [(settings.stories_table, {"id": {"S": story.id}}, _single_family_row(story))]
    )
    store.close()

    for _ in range(2):  # and again after a restart: once migrated, it stays so
        with LocalRuntime(settings):
            family = FamilyStore(settings).require(names.DEFAULT_FAMILY)
            catalog = CatalogStore(settings, names.DEFAULT_FAMILY)
            assert [c.id for c in catalog.characters()] == sorted(c.id for c in CHARACTERS[:3])
            assert [s.id for s in catalog.scenes()] == sorted(s.id for s in SCENES[:2])
            shelf = StoryStore(settings).of_family(names.DEFAULT_FAMILY)
            assert [s.id for s in shelf] == [story.id]
            assert family.recipients == [settings.notify_email]
            assert (family.timeZone, family.at) == (settings.schedule_time_zone, "19:15")

    rows = DurableStore(settings.home)
    try:
        assert all(
            row[names.FAMILY_KEY] == {"S": names.DEFAULT_FAMILY} for row in rows.items(settings.characters_table)
        )
        assert len(rows.items(settings.characters_table)) == 3  # re-keyed, not copied beside the old key
    finally:
        rows.close()


@pytest.fixture
def moto_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    reset_clients()
    with mock_aws():
        yield
    reset_clients()


def _tables(settings: Settings) -> None:
    dynamodb = boto3.client("dynamodb", region_name=settings.aws_region)
    single = {
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
    }
    by_family = {
        "KeySchema": [
            {"AttributeName": names.FAMILY_KEY, "KeyType": "HASH"},
            {"AttributeName": "id", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": names.FAMILY_KEY, "AttributeType": "S"},
            {"AttributeName": "id", "AttributeType": "S"},
        ],
    }
    for table, keys in (
        ("OldCharacters", single),
        ("OldScenes", single),
        (settings.families_table, single),
        (settings.characters_table, by_family),
        (settings.scenes_table, by_family),
        (settings.stories_table, single),
    ):
        dynamodb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST", **keys)  # type: ignore[arg-type]


def test_the_deploys_setup_makes_the_default_family_from_a_single_family_install(
    settings: Settings, moto_aws: None
) -> None:
    _tables(settings)
    dynamodb = boto3.client("dynamodb", region_name=settings.aws_region)
    dynamodb.put_item(TableName="OldCharacters", Item=to_item({"id": "ada", "name": "Ada", "description": "our girl"}))
    dynamodb.put_item(TableName="OldScenes", Item=to_item({"id": "garden", "description": "our garden"}))
    story = _legacy_story()
    dynamodb.put_item(TableName=settings.stories_table, Item=_single_family_row(story))  # type: ignore[arg-type]

    first = migrate(settings, "OldCharacters", "OldScenes")
    again = migrate(settings, "OldCharacters", "OldScenes")

    assert (first.characters, first.scenes, first.stories, first.starter_set) == (1, 1, 1, False)
    assert (again.characters, again.scenes, again.stories) == (0, 0, 0)  # a second deploy changes nothing
    catalog = CatalogStore(settings, names.DEFAULT_FAMILY)
    assert [c.name for c in catalog.characters()] == ["Ada"]
    assert [s.id for s in catalog.scenes()] == ["garden"]
    stored = StoryStore(settings).get(story.id)
    assert stored is not None
    assert stored.familyId == names.DEFAULT_FAMILY
    assert FamilyStore(settings).require(names.DEFAULT_FAMILY).recipients == [settings.notify_email]


def test_a_fresh_deploy_gets_the_default_family_with_the_starter_set(settings: Settings, moto_aws: None) -> None:
    _tables(settings)

    done = migrate(settings, "OldCharacters", "OldScenes")

    assert (done.characters, done.scenes, done.starter_set) == (len(CHARACTERS), len(SCENES), True)
    assert FamilyStore(settings).get(names.DEFAULT_FAMILY) is not None


@dataclass(frozen=True)
class _Context:
    """What the handler's Powertools decorators read of a Lambda context."""

    function_name: str = "storyteller-households-setup"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-2:123456789012:function:storyteller-households-setup"
    aws_request_id: str = "deploy"


def test_each_deploy_whose_schedules_carry_something_new_reapplies_every_familys_schedule(
    settings: Settings, moto_aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from functions.households_setup.handler import handler

    _tables(settings)
    scheduler = boto3.client("scheduler", region_name=settings.aws_region)
    scheduler.create_schedule_group(Name="families")
    account = f"{settings.aws_region}:123456789012"
    environment = {
        "STORYTELLER_SCHEDULE_GROUP": "families",
        "STORYTELLER_CREATE_STORY_ARN": f"arn:aws:lambda:{account}:function:storyteller-create-story",
        "STORYTELLER_SCHEDULE_ROLE_ARN": "arn:aws:iam::123456789012:role/schedules",
        "STORYTELLER_SCHEDULE_DLQ_ARN": f"arn:aws:sqs:{account}:schedule-dlq",
        "STORYTELLER_NOTIFY_TOPIC_ARN": f"arn:aws:sns:{account}:story-ready",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    properties = {"LegacyCharactersTable": "OldCharacters", "LegacyScenesTable": "OldScenes"}

    created = handler({"RequestType": "Create", "ResourceProperties": properties}, _Context())
    assert created["Data"]["schedulesChanged"] == "1"  # the default family's, even before its stream record
    # The next deploy replaced the schedules' role: CloudFormation sends an Update (its `Schedules` changed).
    monkeypatch.setenv("STORYTELLER_SCHEDULE_ROLE_ARN", "arn:aws:iam::123456789012:role/schedules-v2")
    updated = handler({"RequestType": "Update", "ResourceProperties": properties}, _Context())

    assert updated["Data"]["schedulesChanged"] == "1"
    live = scheduler.get_schedule(Name=f"family-{names.DEFAULT_FAMILY}", GroupName="families")
    assert live["Target"]["RoleArn"] == "arn:aws:iam::123456789012:role/schedules-v2"
    assert handler({"RequestType": "Delete"}, _Context())["PhysicalResourceId"] == created["PhysicalResourceId"]
    # Its Delete leaves families and schedules alone: removing the stack removes the group, and with it them.
    assert scheduler.list_schedules(GroupName="families")["Schedules"]
