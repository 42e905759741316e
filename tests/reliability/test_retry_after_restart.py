"""`storyteller retry` when no stack is running: the failed run is still there after the restart.

Runs are kept in the state file (storyteller/local/run_journal.py), so after `tonight` failed and
exited, `retry` finds the same run and redrives it under its ARN: finished media are found in S3
(restored from disk), one email goes out. A run that failed while emailing is retried only with
--resend. Homes from before runs were kept lost their runs with each restart; for those, `retry`
re-runs the run under its own name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyteller.cli import main as cli
from storyteller.cli import support as cli_support
from storyteller.dal.stories import StoryStore
from storyteller.flow.retry import RetryExit
from storyteller.local.faults import FaultKind, FaultPlan, FaultyIllustrator, FaultyNarrator, Target
from storyteller.local.outbox import emails_for
from storyteller.local.runtime import LocalRuntime
from storyteller.local.store import DurableStore
from storyteller.models import StoryStatus
from storyteller.settings import get_settings
from tests.reliability.drill import story_through_a_stack

runner = CliRunner()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh home per test: these tests start and stop stacks of their own."""
    monkeypatch.setenv("STORYTELLER_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


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
    monkeypatch.setattr(cli_support, "LocalRuntime", partial(LocalRuntime, providers=overrides))
    return Counted(overrides.illustrator, overrides.narrator)


def test_a_failed_run_is_still_there_after_a_restart_and_retry_redrives_it(home: Path, cli_providers: Counted) -> None:
    story_id, arn = story_through_a_stack(get_settings(), (Target.NARRATOR, FaultKind.SERVER_ERROR))

    result = runner.invoke(cli.app, ["retry", story_id])

    assert result.exit_code == RetryExit.COMPLETE, result.stderr
    assert result.stdout.strip() == f"story {story_id}: redrove its run (retry 1): SUCCEEDED; story COMPLETE, emailed"
    assert cli_providers.illustrator.requests.count(story_id) == 0  # the picture was restored, not drawn again
    assert cli_providers.narrator.requests.count(story_id) == 1
    assert len(emails_for(home / "outbox", story_id)) == 1
    with LocalRuntime(get_settings()) as restarted:
        story = StoryStore(restarted.settings).get(story_id)
    assert story is not None
    assert story.status is StoryStatus.COMPLETE
    assert story.executionArn == arn


def test_a_run_that_failed_while_emailing_is_retried_after_a_restart_only_with_resend(
    home: Path, cli_providers: Counted
) -> None:
    story_id, _ = story_through_a_stack(get_settings(), (Target.SNS_PUBLISH, FaultKind.SERVER_ERROR))

    refused = runner.invoke(cli.app, ["retry", story_id])
    resent = runner.invoke(cli.app, ["retry", "--resend", story_id])

    assert refused.exit_code == RetryExit.NOT_RETRIED
    assert "failed while emailing" in refused.stderr
    assert "retry with --resend" in refused.stderr
    assert resent.exit_code == RetryExit.COMPLETE, resent.stderr
    assert cli_providers.illustrator.requests.count(story_id) == 0
    assert cli_providers.narrator.requests.count(story_id) == 0
    assert len(emails_for(home / "outbox", story_id)) == 1


def test_a_run_an_older_install_lost_with_a_restart_is_re_run_under_its_own_name(
    home: Path, cli_providers: Counted
) -> None:
    story_id, arn = story_through_a_stack(get_settings(), (Target.NARRATOR, FaultKind.SERVER_ERROR))
    store = DurableStore(home)
    store.forget_executions([arn])  # as a home from before runs were kept has them: not at all
    store.close()

    result = runner.invoke(cli.app, ["retry", story_id])

    assert result.exit_code == RetryExit.COMPLETE, result.stderr
    assert result.stdout.strip() == f"story {story_id}: re-ran its lost run: SUCCEEDED; story COMPLETE, emailed"
    assert cli_providers.illustrator.requests.count(story_id) == 0
    assert cli_providers.narrator.requests.count(story_id) == 1
    assert len(emails_for(home / "outbox", story_id)) == 1
