"""IAM from recorded calls: run the flow locally, record every AWS call each function and the web app make,
and check each against that role's policies in the synthesized template (a policy evaluator, not string
matching). A missing permission fails; permissions no call used are printed (rare paths keep some)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from frontend.app import create_app
from frontend.settings import FrontendSettings
from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.families import FamilyStore
from storyteller.households.family import new_family
from storyteller.local.runtime import LocalRuntime
from storyteller.mailer.unsubscribe import make_token, signing_key
from storyteller.settings import get_settings
from tests.contract.iam import Call, Recorder, Template
from tests.infrastructure.conftest import Synthesized

pytestmark = [pytest.mark.infra, pytest.mark.e2e]
PASSWORD = "moonlight-operator"
FIRING = "2026-12-02T19:15:00Z"
LEGACY_CHARACTERS, LEGACY_SCENES = "SingleFamilyCharacters", "SingleFamilyScenes"


def _local_names(synthesized: Synthesized) -> dict[str, dict[str, str]]:
    """Logical id → what its Ref and Arn are called on the local stack (moto's account, any region)."""
    stack = synthesized.stack
    storage, workflow = stack.storage, stack.workflow
    found: dict[str, dict[str, str]] = {}
    tables = {
        storage.families: names.FAMILIES_TABLE,
        storage.characters: names.CHARACTERS_TABLE,
        storage.scenes: names.SCENES_TABLE,
        storage.legacy_characters: LEGACY_CHARACTERS,
        storage.legacy_scenes: LEGACY_SCENES,
        storage.stories: names.STORIES_TABLE,
        storage.firings: names.FIRINGS_TABLE,
        stack.mail.deliveries: names.DELIVERIES_TABLE,
        storage.memory: names.MEMORY_TABLE,
    }
    for table, name in tables.items():
        arn = f"arn:aws:dynamodb:*:*:table/{name}"
        found[synthesized.logical_id(table)] = {"Ref": name, "Arn": arn, "StreamArn": f"{arn}/stream/*"}
    found[synthesized.logical_id(storage.media)] = {
        "Ref": names.MEDIA_BUCKET,
        "Arn": f"arn:aws:s3:::{names.MEDIA_BUCKET}",
    }
    found[synthesized.logical_id(workflow.topic)] = {"Ref": f"arn:aws:sns:*:*:{names.NOTIFY_TOPIC}"}
    for name, function in _functions(synthesized).items():
        found[synthesized.logical_id(function.function)] = {"Arn": f"arn:aws:lambda:*:*:function:{name}"}
    return found


def _functions(synthesized: Synthesized) -> dict[str, Any]:
    """Our functions by their name, as the local runtime invokes them."""
    stack = synthesized.stack
    return {
        names.CREATE_STORY_FUNCTION: stack.pipeline.create_story,
        names.STORY_CREATED_FUNCTION: stack.pipeline.story_created,
        names.GENERATE_IMAGE_FUNCTION: stack.workflow.illustrate,
        names.GENERATE_AUDIO_FUNCTION: stack.workflow.narrate,
        names.RUN_STATUS_FUNCTION: stack.workflow.run_status,
        names.FAMILY_SYNC_FUNCTION: stack.households.family_sync,
        names.HOUSEHOLDS_SETUP_FUNCTION: stack.households.setup,
        names.MAILER_FUNCTION: stack.mail.mailer,
        names.MAIL_EVENTS_FUNCTION: stack.mail.recorder,
    }


def _roles(synthesized: Synthesized) -> dict[str, str]:
    """Component (function name, or "web") → the logical id of the role it runs as."""
    resources = synthesized.json["Resources"]
    roles = {
        name: resources[synthesized.logical_id(c.function)]["Properties"]["Role"]["Fn::GetAtt"][0]
        for name, c in _functions(synthesized).items()
    }
    web = synthesized.stack.frontend.web.function
    roles["web"] = resources[synthesized.logical_id(web)]["Properties"]["Role"]["Fn::GetAtt"][0]
    return roles


@pytest.fixture(scope="module")
def recorded(synthesized: Synthesized, tmp_path_factory: pytest.TempPathFactory) -> list[Call]:
    """One night on the local stack (a scheduled firing, the run, the email) and the family and operator pages."""
    mp = pytest.MonkeyPatch()
    mp.setenv("STORYTELLER_HOME", str(tmp_path_factory.mktemp("home")))
    get_settings.cache_clear()
    settings = get_settings()
    recorder = Recorder(region=settings.aws_region)
    with LocalRuntime(settings) as runtime, recorder.installed():
        invoke = runtime.lambdas.invoke

        def invoke_as_function(function_name: str, event: Any) -> tuple[str, bool, str]:
            with recorder.acting_as(function_name):
                return invoke(function_name, event)

        runtime.lambdas.invoke = invoke_as_function  # type: ignore[method-assign]
        deliver = runtime.outbox.deliver

        def deliver_as_mailer(notification: dict[str, Any]) -> dict[str, str]:
            # The local mailer runs on the outbox pump's thread; in AWS it is the mailer function.
            with recorder.acting_as(names.MAILER_FUNCTION):
                return deliver(notification)

        runtime.outbox.deliver = deliver_as_mailer  # type: ignore[method-assign]
        _schedule_targets(runtime, synthesized, mp)  # what the template gives family_sync and the setup
        _set_up_households(runtime, invoke_as_function)  # the default family's starter cast and scenes
        _add_a_family(runtime, invoke_as_function)
        story_id = runtime.create_story(scheduled_time=FIRING)
        outcome = runtime.wait_for_story(story_id, timeout=240)
        assert outcome.status == "COMPLETE", outcome
        assert runtime.resources is not None
        app = create_app(
            settings,
            FrontendSettings(console_password=PASSWORD, state_machine_arn=runtime.resources.state_machine_arn),
        )
        recorder.phase = "web"
        try:
            with TestClient(app, base_url="https://testserver") as web:
                _visit_like_a_family_and_an_operator(web, story_id, recorder)
        finally:
            recorder.phase = None
    mp.undo()
    get_settings.cache_clear()
    return recorder.calls


def _visit_like_a_family_and_an_operator(web: TestClient, story_id: str, recorder: Recorder) -> None:
    page = web.get(f"/stories/{story_id}")
    assert page.status_code == 200
    # The browser fetches the media with the page's presigned links: the role's GetObject signs them.
    for bucket, key in re.findall(r'"http://127\.0\.0\.1:\d+/([^/"]+)/([^"?]+)\?X-Amz-', page.text):
        recorder.calls.append(Call("web", "s3:GetObject", f"arn:aws:s3:::{bucket}/{key}"))
    assert web.get("/").status_code == 200
    family = FamilyStore(get_settings()).require(names.DEFAULT_FAMILY)
    assert web.get(family.shelf_path).status_code == 200
    manage = web.get(f"{family.shelf_path}/manage")
    assert manage.status_code == 200
    found = re.search(r'name="csrf" value="([^"]+)"', manage.text)
    assert found is not None
    csrf = {"csrf": found.group(1)}
    added = web.post(
        f"{family.shelf_path}/manage/cast-add", data={"name": "Zara", "description": "a girl who sings"} | csrf
    )
    assert added.status_code == 200  # followed to the manage page
    household = {"recipients": "family@example.com", "at": "19:20", "timeZone": "Europe/London", "age": "6"}
    assert web.post(f"{family.shelf_path}/manage/household", data=household | csrf).status_code == 200
    assert web.post(f"{family.shelf_path}/manage/cast-remove", data={"id": "zara"} | csrf).status_code == 200
    form = web.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token is not None
    assert web.post("/console/login", data={"csrf": token.group(1), "password": PASSWORD}).status_code == 200
    runs = web.get("/console")
    assert runs.status_code == 200
    run = re.search(r'href="(/console/runs/[^"]+)"', runs.text)
    assert run is not None, "the console lists the night's run"
    assert web.get(run.group(1)).status_code == 200  # with its emails (the Deliveries table)
    token = make_token(signing_key(get_settings()), family.id, family.recipients[0])
    assert web.post(f"/unsubscribe/{token}").status_code == 200


def _set_up_households(runtime: LocalRuntime, invoke: Any) -> None:
    """What the deploy's custom resource does, on single-family tables of the names the template maps."""
    dynamodb = client("dynamodb", runtime.settings.aws_region)
    for table in (LEGACY_CHARACTERS, LEGACY_SCENES):
        dynamodb.create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    assert runtime.resources is not None
    event = {
        "RequestType": "Create",
        "ResourceProperties": {
            "LegacyCharactersTable": LEGACY_CHARACTERS,
            "LegacyScenesTable": LEGACY_SCENES,
            "NotifyTopicArn": runtime.resources.topic_arn,  # its old email subscriptions removed
        },
    }
    _, errored, _ = invoke(names.HOUSEHOLDS_SETUP_FUNCTION, event)
    assert not errored


def _schedule_targets(runtime: LocalRuntime, synthesized: Synthesized, mp: pytest.MonkeyPatch) -> None:
    """The schedule group and the targets family_sync and the households setup have in their environment."""
    region = runtime.settings.aws_region
    resources = synthesized.json["Resources"]
    group = resources[synthesized.logical_id(synthesized.stack.households.schedule_group)]["Properties"]["Name"]
    client("scheduler", region).create_schedule_group(Name=group)
    dlq = client("sqs", region).create_queue(QueueName="schedule-dlq")["QueueUrl"]
    assert runtime.resources is not None
    for variable, value in {
        "STORYTELLER_SCHEDULE_GROUP": group,
        "STORYTELLER_CREATE_STORY_ARN": f"arn:aws:lambda:{region}:123456789012:function:{names.CREATE_STORY_FUNCTION}",
        "STORYTELLER_SCHEDULE_ROLE_ARN": "arn:aws:iam::123456789012:role/storyteller-local",
        "STORYTELLER_SCHEDULE_DLQ_ARN": f"arn:aws:sqs:{region}:123456789012:{dlq.rsplit('/', 1)[1]}",
        "STORYTELLER_NOTIFY_TOPIC_ARN": runtime.resources.topic_arn,
    }.items():
        mp.setenv(variable, value)


def _add_a_family(runtime: LocalRuntime, invoke: Any) -> None:
    """A family added: its stream record through family_sync, against moto's Scheduler and SNS."""
    smiths = new_family("smiths", ["mum@smiths.example", "gran@smiths.example"], "Europe/Paris", "19:30")
    families = FamilyStore(runtime.settings)
    families.add(smiths)
    # An SNS email subscription of an earlier release, kept beside the family: family_sync removes it.
    assert runtime.resources is not None
    old = client("sns", runtime.settings.aws_region).subscribe(
        TopicArn=runtime.resources.topic_arn,
        Protocol="email",
        Endpoint="mum@smiths.example",
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    families.record_subscriptions("smiths", {"mum@smiths.example": old})
    added = _row(runtime, "smiths")
    _sync(invoke, {"eventName": "INSERT", "dynamodb": {"NewImage": added}})
    subscribed = _row(runtime, "smiths")
    assert subscribed["subscriptionArns"]["M"] == {}
    families.replace(smiths.model_copy(update={"at": "20:00", "recipients": ["mum@smiths.example"]}))
    moved = _row(runtime, "smiths")
    _sync(invoke, {"eventName": "MODIFY", "dynamodb": {"OldImage": subscribed, "NewImage": moved}})
    families.remove("smiths")
    _sync(invoke, {"eventName": "REMOVE", "dynamodb": {"OldImage": _row_or(moved, runtime, "smiths")}})


def _row(runtime: LocalRuntime, family_id: str) -> dict[str, Any]:
    found = client("dynamodb", runtime.settings.aws_region).get_item(
        TableName=runtime.settings.families_table, Key={"id": {"S": family_id}}, ConsistentRead=True
    )
    item: dict[str, Any] = found["Item"]
    return item


def _row_or(last: dict[str, Any], runtime: LocalRuntime, family_id: str) -> dict[str, Any]:
    """The row as the REMOVE record's OldImage has it: its last state (gone from the table now)."""
    found = client("dynamodb", runtime.settings.aws_region).get_item(
        TableName=runtime.settings.families_table, Key={"id": {"S": family_id}}
    )
    return found.get("Item") or last


def _sync(invoke: Any, change: dict[str, Any]) -> None:
    record = {"eventID": "1", "eventSource": "aws:dynamodb", **change}
    record["dynamodb"] |= {"SequenceNumber": "1", "StreamViewType": "NEW_AND_OLD_IMAGES"}
    body, errored, _ = invoke(names.FAMILY_SYNC_FUNCTION, {"Records": [record]})
    assert not errored, body
    assert json.loads(body) == {"batchItemFailures": []}


def test_every_call_each_component_made_is_allowed_by_its_role(
    synthesized: Synthesized, recorded: list[Call], capsys: pytest.CaptureFixture[str]
) -> None:
    template = Template(synthesized.json, _local_names(synthesized))
    roles = _roles(synthesized)
    components = {call.component for call in recorded}
    # The night touched every function that runs on it, and the pages.
    assert {
        names.CREATE_STORY_FUNCTION,
        names.GENERATE_IMAGE_FUNCTION,
        names.GENERATE_AUDIO_FUNCTION,
        names.FAMILY_SYNC_FUNCTION,
        names.HOUSEHOLDS_SETUP_FUNCTION,
        names.MAILER_FUNCTION,
        "web",
    } <= components
    missing = sorted(
        {
            f"{c.component}: {c.action} on {c.resource}"
            for c in recorded
            if not template.allows(roles[c.component], c.action, c.resource)
        }
    )
    with capsys.disabled():
        for component, role in sorted(roles.items()):
            unused = template.unused(role, [c for c in recorded if c.component == component])
            if unused:
                print(f"\n  IAM unused by the recorded night: {component}: {', '.join(unused)}")
    assert not missing, "missing permissions:\n" + "\n".join(missing)


def test_the_evaluator_refuses_what_no_statement_allows(synthesized: Synthesized) -> None:
    """The evaluator can fail: a call outside the role's policies is refused, one inside is allowed."""
    template = Template(synthesized.json, _local_names(synthesized))
    role = _roles(synthesized)[names.GENERATE_IMAGE_FUNCTION]
    stories = f"arn:aws:dynamodb:eu-west-2:123456789012:table/{names.STORIES_TABLE}"
    assert template.allows(role, "s3:PutObject", f"arn:aws:s3:::{names.MEDIA_BUCKET}/stories/x/image.png")
    assert not template.allows(role, "s3:PutObject", f"arn:aws:s3:::{names.MEDIA_BUCKET}/elsewhere.png")
    assert not template.allows(role, "dynamodb:DeleteItem", stories)
    assert not template.allows(role, "s3:DeleteObject", f"arn:aws:s3:::{names.MEDIA_BUCKET}/stories/x/image.png")
