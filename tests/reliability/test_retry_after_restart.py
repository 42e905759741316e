"""`storyteller retry` when no stack is running: the local endpoint forgot the run, the story did not.

The local endpoint keeps executions in memory (tables and media are saved), so after `tonight` failed
and exited, the run `retry` finds on the story is gone. It re-runs it under its own name: Claim
accepts its own ARN, finished media are found in S3 (restored from disk), one email goes out. A run
that got as far as emailing is not re-run without --resend.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyteller import cli
from storyteller.dal.stories import StoryStore
from storyteller.local.faults import FaultKind, FaultPlan, FaultyIllustrator, FaultyNarrator, Target
from storyteller.local.outbox import emails_for
from storyteller.local.runtime import LocalRuntime
from storyteller.models import StoryStatus
from storyteller.retry import RetryExit
from storyteller.settings import get_settings
from tests.reliability.drill import Drill

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh home per test: these tests start and stop stacks of their own."""
    monkeypatch.setenv("STORYTELLER_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


def _failed_then_stopped(target: Target, kind: FaultKind) -> tuple[str, str]:
    """A story whose run failed, in a stack that then stopped (as `tonight` does when it exits)."""
    drill = Drill(get_settings()).start()
    try:
        story = drill.new_story()
        drill.plan.always(target, kind, where=story.id)
        drill.put_story(story)
        arn = drill.execution_arn(story.id)
        assert drill.finished(arn)["status"] == "FAILED"
        drill.settle()
    finally:
        drill.stop()
    return story.id, arn


@dataclass(frozen=True)
class Counted:
    illustrator: FaultyIllustrator
    narrator: FaultyNarrator


@pytest.fixture
def cli_providers(monkeypatch: pytest.MonkeyPatch) -> Counted:
    """The stack `retry` starts gets quick providers that count their calls (and no faults)."""
    overrides = FaultPlan().providers()
    assert isinstance(overrides.illustrator, FaultyIllustrator)
    assert isinstance(overrides.narrator, FaultyNarrator)
    monkeypatch.setattr(cli, "LocalRuntime", partial(LocalRuntime, providers=overrides))
    return Counted(overrides.illustrator, overrides.narrator)


def test_a_run_lost_with_a_restart_is_re_run_under_its_own_name(home: Path, cli_providers: Counted) -> None:
    story_id, arn = _failed_then_stopped(Target.NARRATOR, FaultKind.SERVER_ERROR)

    result = runner.invoke(cli.app, ["retry", story_id])

    assert result.exit_code == RetryExit.COMPLETE, result.stderr
    assert result.stdout.strip() == f"story {story_id}: re-ran its lost run: SUCCEEDED; story COMPLETE, emailed"
    assert cli_providers.illustrator.requests.count(story_id) == 0  # the picture was restored, not drawn again
    assert cli_providers.narrator.requests.count(story_id) == 1
    assert len(emails_for(home / "outbox", story_id)) == 1
    with LocalRuntime(get_settings()) as restarted:
        story = StoryStore(restarted.settings).get(story_id)
    assert story is not None
    assert story.status is StoryStatus.COMPLETE
    assert story.executionArn == arn  # the same run, as far as the story can tell


def test_a_lost_run_that_reached_the_email_is_re_run_only_with_resend(home: Path, cli_providers: Counted) -> None:
    story_id, _ = _failed_then_stopped(Target.SNS_PUBLISH, FaultKind.SERVER_ERROR)

    refused = runner.invoke(cli.app, ["retry", story_id])
    resent = runner.invoke(cli.app, ["retry", "--resend", story_id])

    assert refused.exit_code == RetryExit.NOT_RETRIED
    assert "its run was lost with a restart while emailing, so the email may have been sent" in refused.stderr
    assert resent.exit_code == RetryExit.COMPLETE, resent.stderr
    assert cli_providers.illustrator.requests.count(story_id) == 0
    assert cli_providers.narrator.requests.count(story_id) == 0
    assert len(emails_for(home / "outbox", story_id)) == 1
