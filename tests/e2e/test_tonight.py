"""What a newcomer gets: `storyteller seed` then `storyteller tonight --json`, checked as a user would."""

from __future__ import annotations

import html
import io
import json
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from mutagen.mp3 import MP3
from PIL import Image
from typer.testing import CliRunner

from frontend.app import create_app
from storyteller.cli.main import app
from storyteller.local.outbox import email_text, read_email
from storyteller.local.runtime import LocalRuntime
from storyteller.local.store import DurableStore
from storyteller.models import Character, Scene, StoryDraft
from storyteller.settings import get_settings
from storyteller.story.validation import validate_story

runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_tonight_makes_a_complete_story_with_one_email(isolated_env: Path) -> None:
    code, _, err = _run("seed")
    assert code == 0, err

    code, out, err = _run("tonight", "--json")

    assert code == 0, err
    story = json.loads(out)  # stdout is one JSON object and nothing else
    assert story["status"] == "COMPLETE"
    assert story["executionStatus"] == "SUCCEEDED"
    assert 200 <= story["words"] <= 600
    assert story["imageKey"] == f"stories/{story['id']}/image.png"
    assert story["audioKey"] == f"stories/{story['id']}/audio.mp3"
    assert "Illustrate" in err  # progress was shown while it worked
    # The id is said as soon as the story is stored, before the run's states: a run cut short can be retried.
    said = err.index(f"story {story['id']}: ")
    assert said < err.index("· Claim")

    with LocalRuntime(get_settings()) as runtime:  # a restart: what was made is still there
        from storyteller.dal.media import MediaStore
        from storyteller.dal.stories import StoryStore

        item = StoryStore(runtime.settings).get(story["id"])
        assert item is not None
        assert item.status == "COMPLETE"
        assert item.notifiedAt is not None
        validate_story(
            StoryDraft(title=item.title, text=item.text),
            [Character.model_validate(c.model_dump()) for c in item.characters],
            Scene.model_validate(item.scene.model_dump()),
        )
        media = MediaStore(runtime.settings)
        picture = Image.open(io.BytesIO(media.get(story["imageKey"])))
        assert picture.format == "PNG"
        assert min(picture.size) >= 768
        audio = MP3(io.BytesIO(media.get(story["audioKey"])))
        words_per_second = (story["words"] + len(story["title"].split()) + 5) / audio.info.length
        assert 1.2 < words_per_second < 4.0, f"{audio.info.length:.1f} s for {story['words']} words"

        emails = sorted((isolated_env / "outbox").glob("*.eml"))
        assert [path.name.split("-")[0] for path in emails] == [story["id"].split("-")[0]]
        assert story["email"] == str(emails[0])
        body = email_text(read_email(emails[0]))
        link = re.search(r"https?://\S+/stories/[\w-]+", body)
        assert link is not None
        path = "/" + link.group(0).split("/", 3)[3]

        page = TestClient(create_app(runtime.settings)).get(path)
        assert page.status_code == 200
        assert item.title in html.unescape(page.text)  # however the template escapes its quotes
        assert "<audio" in page.text
        assert "<img" in page.text


def test_tonight_with_empty_tables_says_what_to_do_and_writes_nothing(isolated_env: Path) -> None:
    code, out, err = _run("tonight", "--json")

    assert code != 0
    assert out == ""
    assert "Characters table is empty" in err
    assert "storyteller seed" in err
    assert "Traceback" not in err
    assert _stored(isolated_env, "Stories") == []


def test_seed_twice_changes_nothing(isolated_env: Path) -> None:
    assert _run("seed")[0] == 0
    first = _stored(isolated_env, "Characters")
    assert _run("seed")[0] == 0

    assert _stored(isolated_env, "Characters") == first
    assert len(first) >= 6
    assert len(_stored(isolated_env, "Scenes")) >= 8


def _stored(home: Path, table: str) -> list[dict[str, Any]]:
    """What the state file holds for a table, read as the next start will read it."""
    store = DurableStore(home)
    try:
        return store.items(table)
    finally:
        store.close()
