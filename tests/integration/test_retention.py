"""A story lives two days, everywhere: after it expires (or its family is removed) no store we keep tells it.

The real flow on the local stack (offline providers, the media functions reading the story from the
table), then a search of every store: the state file (each table, the runs, their history, the messages),
the outbox, the logs, the media folder, the runs through the Step Functions API, the console's pages and
exports.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from frontend.app import create_app
from frontend.settings import FrontendSettings
from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.families import FamilyStore
from storyteller.dal.stories import StoryStore
from storyteller.households.family import new_family
from storyteller.households.forget import remove_family
from storyteller.local.outbox import emails_for
from storyteller.local.runtime import LocalRuntime
from storyteller.local.store import STATE_FILE
from storyteller.models import Character, Scene, StoryItem

PASSWORD = "retention-operator"
CAST = (
    Character(id="zephyrine", name="Zephyrine Quillfeather", description="a heron who knits fog into scarves"),
    Character(id="bartholomew", name="Bartholomew Snorkelwick", description="a mole who collects lost echoes"),
)
SCENE = Scene(id="marsh", description="a marsh of whispering reeds under a plum-coloured moon")
LINES = (
    "Zephyrine knitted fog beneath the plum-coloured moon,",
    "and Bartholomew hummed her an echo-stitched tune.",
)
# Every piece of the story that must not outlive it; the title carries a name too.
TOLD = (*(character.name for character in CAST), SCENE.description, *LINES, "fog into scarves")


def _story(family_id: str = names.DEFAULT_FAMILY) -> StoryItem:
    created = datetime.now(UTC).replace(microsecond=0)
    return StoryItem(
        id=str(uuid.uuid4()),
        familyId=family_id,
        title="Zephyrine Quillfeather and the Plum Moon",
        text="\n".join(LINES),
        scene=SCENE,
        characters=list(CAST),
        createdAt=created,
        ttl=int(created.timestamp()) + names.STORY_LIFETIME_SECONDS,
        words=16,
    )


def _state_rows(home: Path) -> list[tuple[str, str]]:
    """(where, text) for every row of the state file: which table or record, and its content."""
    with sqlite3.connect(home / STATE_FILE) as db:
        rows = [(f"items:{table}", item) for table, item in db.execute("SELECT tbl, item FROM items")]
        rows += [("executions", record) for (record,) in db.execute("SELECT record FROM executions")]
        rows += [("events", event) for (event,) in db.execute("SELECT event FROM events")]
        rows += [("messages", message) for (message,) in db.execute("SELECT notification FROM messages")]
    return rows


def _on_disk(home: Path) -> int:
    """The state file and its write-ahead log, in bytes."""
    return sum(path.stat().st_size for path in (home / STATE_FILE, home / f"{STATE_FILE}-wal") if path.exists())


def _runs_through_the_api(runtime: LocalRuntime) -> str:
    """Every run's description, output and history as Step Functions answers: what an operator can read."""
    assert runtime.resources is not None
    sfn = client("stepfunctions", runtime.settings.aws_region)
    found = []
    for execution in sfn.list_executions(stateMachineArn=runtime.resources.state_machine_arn)["executions"]:
        arn = execution["executionArn"]
        found.append(sfn.describe_execution(executionArn=arn))
        found.append(sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"])
    return json.dumps(found, default=str, ensure_ascii=False)


def _console(runtime: LocalRuntime) -> TestClient:
    app = create_app(runtime.settings, FrontendSettings(console_password=PASSWORD))
    web = TestClient(app, base_url="https://testserver", follow_redirects=False)
    form = web.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token is not None
    web.post("/console/login", data={"csrf": token.group(1), "password": PASSWORD, "next": "/console"})
    return web


def _console_text(runtime: LocalRuntime, story_id: str) -> dict[str, str]:
    """The console's pages and exports that could show the story, by address."""
    web = _console(runtime)
    pages = {address: web.get(address) for address in ("/console", "/console/nights", "/console/nights.json")}
    pages["/console/nights.csv"] = web.get("/console/nights.csv")
    for run in re.findall(r'href="/console/runs/([^"?#/]+)"', pages["/console"].text):
        pages[f"/console/runs/{run}"] = web.get(f"/console/runs/{run}")
        pages[f"/console/runs/{run}/history.json"] = web.get(f"/console/runs/{run}/history.json")
    assert all(page.status_code == 200 for page in pages.values()), {a: p.status_code for a, p in pages.items()}
    return {address: page.text for address, page in pages.items()}


def _files(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): path.read_bytes().decode("utf-8", errors="replace")
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _where(told: str, runtime: LocalRuntime, story_id: str) -> set[str]:
    """Every store (as a short name) whose content holds `told`."""
    home = runtime.settings.home
    places: dict[str, str] = {f"state:{where}": text for where, text in _state_rows(home)}
    # The raw bytes too: deleted rows must not linger in the file's free pages or its kept generation.
    for path in sorted(home.glob(f"{STATE_FILE}*")):
        places[f"file:{path.name}"] = path.read_bytes().decode("utf-8", errors="replace")
    places |= {f"outbox:{name}": text for name, text in _files(runtime.outbox_dir).items()}
    places |= {f"logs:{name}": text for name, text in _files(runtime.log_file.parent).items()}
    places["runs-api"] = _runs_through_the_api(runtime)
    places |= {f"console:{address}": text for address, text in _console_text(runtime, story_id).items()}
    return {where for where, text in places.items() if told in text or told.replace("'", "&#39;") in text}


def _expire(runtime: LocalRuntime, story_id: str) -> None:
    """Two days pass for this story: its TTL is moved to the past, as the clock would."""
    client("dynamodb", runtime.settings.aws_region).update_item(
        TableName=runtime.settings.stories_table,
        Key={"id": {"S": story_id}},
        UpdateExpression="SET #t = :past",
        ExpressionAttributeNames={"#t": names.TTL_ATTRIBUTE},
        ExpressionAttributeValues={":past": {"N": str(int(datetime.now(UTC).timestamp()) - 1)}},
    )


def _made(runtime: LocalRuntime, story: StoryItem) -> None:
    StoryStore(runtime.settings).put_new(story)
    outcome = runtime.wait_for_story(story.id, timeout=240)
    assert outcome.execution_status == "SUCCEEDED", outcome
    assert emails_for(runtime.outbox_dir, story.id)
    assert (runtime.settings.home / "media" / names.image_key(story.id)).exists()
    assert (runtime.settings.home / "media" / names.audio_key(story.id)).exists()


def test_an_expired_story_is_told_nowhere(runtime: LocalRuntime) -> None:
    story = _story()
    _made(runtime, story)

    # While it lives: the Stories table and its email (the mailer's, with the opening lines and the picture's
    # scene) have it; the console shows its title and cast, read from the table; no run has it.
    table = {
        f"state:items:{runtime.settings.stories_table}",
        f"file:{STATE_FILE}",
        f"file:{STATE_FILE}-wal",
        f"file:{STATE_FILE}.previous",
        *(f"outbox:{email.name}" for email in emails_for(runtime.outbox_dir, story.id)),
    }
    for told in (*LINES, SCENE.description):
        assert _where(told, runtime, story.id) <= table, told
    [run] = _run_names(runtime)
    run_pages = {f"console:/console/runs/{run}", f"console:/console/runs/{run}/history.json"}
    assert _where(CAST[1].name, runtime, story.id) - table == run_pages
    assert f"console:/console/runs/{run}" in _where(story.title, runtime, story.id)

    _expire(runtime, story.id)
    size = _on_disk(runtime.settings.home)
    pruned = runtime.prune()

    assert (pruned.stories, pruned.runs) == (1, 1)
    assert pruned.emails >= 1
    for told in TOLD:
        assert _where(told, runtime, story.id) == set(), told
    assert _where(story.id, runtime, story.id) == set()  # not even its id: no email, run, log line or file
    assert not (runtime.settings.home / "media" / "stories" / story.id).exists()
    # Compacted: no free page keeps old bytes, and the file with its log takes less room than before.
    with sqlite3.connect(runtime.settings.home / STATE_FILE) as db:
        assert db.execute("PRAGMA freelist_count").fetchone() == (0,)
    assert _on_disk(runtime.settings.home) < size


def test_a_removed_family_leaves_nothing_behind(runtime: LocalRuntime) -> None:
    family = new_family("zephyr-house", ["heron.keeper@example.org"], "Europe/London", "19:30", name="Quillfeathers")
    FamilyStore(runtime.settings).add(family)
    story = _story(family.id)
    _made(runtime, story)
    kept = _other_story()  # another family's story stays
    _made(runtime, kept)

    _, forgotten = remove_family(family.id, runtime.settings)
    runtime.prune()

    assert forgotten.story_ids == [story.id]
    assert FamilyStore(runtime.settings).get(family.id) is None
    for told in (*TOLD, story.id, family.shelfToken, "heron.keeper@example.org", "Quillfeathers"):
        assert _where(told, runtime, story.id) == set(), told
    assert StoryStore(runtime.settings).get(kept.id) is not None
    assert emails_for(runtime.outbox_dir, kept.id)
    assert not emails_for(runtime.outbox_dir, story.id)


def _other_story() -> StoryItem:
    created = datetime.now(UTC).replace(microsecond=0)
    return StoryItem(
        id=str(uuid.uuid4()),
        title="Pip and the Counting Stars",
        text="Pip counted stars above the pines,\nand Luna hooted soft and low.",
        scene=Scene(id="forest", description="a pine forest at dusk"),
        characters=[Character(id="pip", name="Pip", description="a small red fox")],
        createdAt=created,
        ttl=int(created.timestamp()) + names.STORY_LIFETIME_SECONDS,
        words=14,
    )


def _run_names(runtime: LocalRuntime) -> list[str]:
    assert runtime.resources is not None
    sfn = client("stepfunctions", runtime.settings.aws_region)
    return [e["name"] for e in sfn.list_executions(stateMachineArn=runtime.resources.state_machine_arn)["executions"]]
