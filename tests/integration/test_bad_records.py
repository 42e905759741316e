"""One malformed Stories row (edited by hand, half-migrated) is skipped with a warning: never a 500, never a
refusal to start, and the good stories beside it are still shown."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from frontend.app import create_app
from frontend.settings import FrontendSettings
from storyteller import names
from storyteller.dal.aws import client
from storyteller.dal.families import FamilyStore
from storyteller.dal.stories import StoryStore
from storyteller.local.runtime import LocalRuntime
from tests.unit.test_frontend_pages import story


def test_a_row_without_a_title_is_skipped_and_named_in_the_log(
    runtime: LocalRuntime, caplog: pytest.LogCaptureFixture
) -> None:
    settings = runtime.settings
    stories = StoryStore(settings)
    good = story("good-one", title="Pip and the Counting Stars", family=names.DEFAULT_FAMILY)
    stories.put_new(good)
    client("dynamodb", settings.aws_region).put_item(
        TableName=settings.stories_table,
        # On the family's index too, so the shelf meets it: a half-written row of the default family's.
        Item={
            "id": {"S": "no-title"},
            "text": {"S": "half a story"},
            names.FAMILY_KEY: {"S": names.DEFAULT_FAMILY},
            "createdAt": {"S": good.createdAt.isoformat()},
        },
    )

    with caplog.at_level(logging.WARNING, logger="storyteller.dal.stories"):
        assert [s.id for s in stories.recent()] == ["good-one"]
        assert stories.get("no-title") is None
    assert "skipped malformed story row 'no-title'" in caplog.text
    assert "title" in caplog.text

    assert runtime.resources is not None
    pages = TestClient(
        create_app(
            settings,
            FrontendSettings(
                console_password="moonlight-operator", state_machine_arn=runtime.resources.state_machine_arn
            ),
        )
    )
    shelf = pages.get(FamilyStore(settings).require(names.DEFAULT_FAMILY).shelf_path)
    assert shelf.status_code == 200
    assert "Pip and the Counting Stars" in shelf.text
    assert pages.get("/stories/no-title").status_code == 404
