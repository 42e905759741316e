"""Input that should be refused at the edge, or stored as plain text: never half a story, never a crash."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from typing import Any

import openai
import pytest
from pydantic import ValidationError

from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.catalog import CatalogStore
from storyteller.errors import StoryValidationError
from storyteller.flow import events
from storyteller.flow.tonight import create_story
from storyteller.households.seed import seed
from storyteller.local.outbox import email_html, email_text, read_email
from storyteller.local.runtime import FunctionFailedError
from storyteller.models import NAME_MAX, Character, Scene, StoryDraft, StoryStatus
from storyteller.providers.openai_writer import OpenAIStoryWriter
from tests.fakes.openai_server import FakeOpenAI
from tests.reliability.drill import Drill

SCRIPT_NAME = "<script>alert('owl')</script>"
SCRIPT_SCENE = 'a garden <img src=x onerror="alert(1)"> of roses & fountains'


def _rows(drill: Drill, table: str) -> list[dict[str, Any]]:
    dynamodb = client("dynamodb", drill.settings.aws_region)
    return list(dynamodb.scan(TableName=table)["Items"])


@pytest.fixture
def catalog(drill: Drill) -> Iterator[CatalogStore]:
    """The module's catalog, emptied for the test and seeded again after it."""
    dynamodb = client("dynamodb", drill.settings.aws_region)
    for table in (drill.settings.characters_table, drill.settings.scenes_table):
        for row in _rows(drill, table):
            dynamodb.delete_item(TableName=table, Key={names.FAMILY_KEY: row[names.FAMILY_KEY], "id": row["id"]})
    yield CatalogStore(drill.settings)
    seed(CatalogStore(drill.settings))


def test_empty_tables_fail_create_story_with_what_to_do_and_store_nothing(drill: Drill, catalog: CatalogStore) -> None:
    before, runs = drill.story_ids(), len(drill.runtime.bus.started)

    with pytest.raises(FunctionFailedError) as failed:
        drill.runtime.create_story()

    assert failed.value.error_type == "EmptyCatalogError"
    assert "the Characters table is empty: run `storyteller seed`" in failed.value.message
    assert drill.story_ids() == before
    assert len(drill.runtime.bus.started) == runs


def test_a_ten_kilobyte_name_is_refused_by_the_model_and_skipped_in_the_table(
    drill: Drill, catalog: CatalogStore
) -> None:
    with pytest.raises(ValidationError, match=f"at most {NAME_MAX} characters"):
        Character(id="long", name="N" * 10_000, description="a very long name")
    # Written around the model (the console, the AWS CLI), it is skipped; the other characters still make stories.
    dynamodb = client("dynamodb", drill.settings.aws_region)
    item = {
        names.FAMILY_KEY: {"S": names.DEFAULT_FAMILY},
        "id": {"S": "long"},
        "name": {"S": "N" * 10_000},
        "description": {"S": "a very long name"},
    }
    dynamodb.put_item(TableName=drill.settings.characters_table, Item=item)
    seed(catalog)

    assert "long" not in {character.id for character in catalog.characters()}
    story_id = drill.runtime.create_story()
    drill.finished(drill.execution_arn(story_id))
    drill.settle()
    story = drill.stories.get(story_id)
    assert story is not None
    assert story.status is StoryStatus.COMPLETE
    assert all(len(character.name) <= NAME_MAX for character in story.characters)


def test_markup_in_names_and_scenes_is_stored_as_text_and_never_reaches_the_email(
    drill: Drill, catalog: CatalogStore
) -> None:
    catalog.put_character(Character(id="owl", name=SCRIPT_NAME, description="an owl who <b>shouts</b>"))
    catalog.put_character(Character(id="fox", name='Pip "the" Fox & co', description="a fox with a 'tail'"))
    catalog.put_scene(Scene(id="garden", description=SCRIPT_SCENE))

    story_id = drill.runtime.create_story()
    drill.finished(drill.execution_arn(story_id))
    drill.settle()

    story = drill.stories.get(story_id)
    assert story is not None
    assert story.status is StoryStatus.COMPLETE
    assert {character.name for character in story.characters} == {SCRIPT_NAME, 'Pip "the" Fox & co'}
    assert story.scene.description == SCRIPT_SCENE  # the item keeps exactly what was given, as text
    assert "<" not in story.title
    assert "<" not in story.text  # the writer says names without their brackets; the rules refuse markup
    assert "scriptalert('owl')/script" in story.text
    [email] = drill.emails(story_id)
    body = email_text(read_email(email))
    assert "<" not in body
    assert "<script" not in email_html(read_email(email)).lower()


def test_an_event_of_another_version_is_rejected_before_any_work(drill: Drill) -> None:
    story = drill.new_story()
    drill.stories.put_new(story)  # its real run starts from the stream
    drill.finished(drill.execution_arn(story.id))
    drill.settle()
    detail = {**story.to_event().model_dump(mode="json"), "version": "4"}
    event = story.to_event().model_dump(mode="json")
    v3_without_family = {key: value for key, value in event.items() if key != "family"}
    malformed = {"title": "no id, no version"}

    runs = [
        _start(drill, detail),
        _start(drill, v3_without_family),
        _start(drill, malformed),
        _start(drill, ["not", "an", "object"]),
    ]

    for arn in runs:
        run = drill.finished(arn)
        assert (run["status"], run["error"]) == ("FAILED", "InvalidEventError")
        assert "Not a StoryCreated event" in run["cause"]
        assert drill.runtime.states_entered(arn) == ["CheckEvent", "RejectEvent"]
    stored = drill.stories.get(story.id)
    assert stored is not None
    assert stored.executionArn not in runs  # not claimed by the bad event
    assert drill.illustrator.requests.count(story.id) == 1  # no media work for the bad event
    assert len(drill.emails(story.id)) == 1


def test_a_malformed_stream_record_is_logged_and_counted_and_starts_nothing(
    drill: Drill, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    runs = len(drill.runtime.bus.started)
    record = {"eventID": "bad-record-1", "eventName": "INSERT", "dynamodb": {"NewImage": {"id": {"S": "x"}}}}
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")  # the local stack turns EMF off; read it here

    delivered = drill.runtime.invoke(names.STORY_CREATED_FUNCTION, [record])
    drill.runtime.pipe._deliver([record])

    assert delivered == []
    assert len(drill.runtime.bus.started) == runs
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    counted = [value for metric in emitted for value in metric.get("RejectedRecords", [])]
    assert counted.count(1.0) >= 2  # one per delivery (earlier values, kept while EMF was off, may come along)
    log = drill.runtime.log_file.read_text(encoding="utf-8")
    assert "record rejected" in log
    assert "stream record bad-record-1 is not a story" in log


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("Once upon a time. " * 2_000, "the draft is malformed"),  # 36 kB: over the model's 20,000 characters
        ("<script>alert(1)</script>\n" * 40, "markup characters"),
        ("A line with a bell \x07 in it\nand another line\n" * 30, "control characters"),
    ],
    ids=["oversize", "markup", "control-characters"],
)
def test_an_oversize_or_unsafe_model_text_is_never_stored(
    drill: Drill, fake_openai: FakeOpenAI, text: str, why: str
) -> None:
    writer = OpenAIStoryWriter(
        openai.OpenAI(api_key="test", base_url=fake_openai.base_url, max_retries=0),
        "gpt-5.4-mini",
        "omni-moderation-latest",
        drill.settings.prices,
    )
    for _ in range(3):
        fake_openai.reply_story(StoryDraft.model_construct(title="Tonight", text=text))
    before = drill.story_ids()

    with pytest.raises(StoryValidationError, match=why):
        create_story(CatalogStore(drill.settings), drill.stories, writer, random.Random(3))

    assert drill.story_ids() == before


def _start(drill: Drill, detail: Any) -> str:
    # What the bus rule does with any StoryCreated it matches: the detail becomes the run's input.
    started = drill.sfn.start_execution(
        stateMachineArn=drill.state_machine_arn, name=str(uuid.uuid4()), input=json.dumps(detail)
    )
    return str(started["executionArn"])


def test_the_rule_passes_any_version_on_so_the_state_machine_is_the_gate() -> None:
    entry = events.bus_entry({"version": "3", "id": "x"})
    assert entry["detail"]["version"] == "3"  # the pattern matches source and detail-type only
    assert set(events.RULE_PATTERN) == {"source", "detail-type"}
