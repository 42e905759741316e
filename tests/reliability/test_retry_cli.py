"""`storyteller retry <story-id>` against a running stack: what the console's Retry does, from a terminal."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from typer.testing import CliRunner

from storyteller.cli.main import app
from storyteller.flow.retry import RetryExit
from storyteller.local.faults import FaultKind, QuickNarrator, Target
from storyteller.local.lock import HomeLock
from tests.reliability.drill import Drill

runner = CliRunner()


@pytest.fixture
def up(drill: Drill) -> Iterator[Drill]:
    """The module's stack, holding its home's lock as `storyteller up` does."""
    lock = HomeLock(drill.settings.home)
    lock.acquire()
    yield drill
    lock.release()


def _retry(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["retry", *args])
    return result.exit_code, result.stdout, result.stderr


def _failed(drill: Drill, target: Target, kind: FaultKind) -> tuple[str, str]:
    story = drill.new_story()
    fault = drill.plan.always(target, kind, where=story.id)
    drill.put_story(story)
    arn = drill.execution_arn(story.id)
    assert drill.finished(arn)["status"] == "FAILED"
    drill.plan.remove(fault)
    return story.id, arn


def test_retry_redrives_the_failed_run_of_a_running_stack_and_emails_once(up: Drill) -> None:
    story_id, arn = _failed(up, Target.NARRATOR, FaultKind.SERVER_ERROR)
    drawn = up.illustrator.requests.count(story_id)

    code, out, err = _retry(story_id)

    assert code == RetryExit.COMPLETE, err
    assert out.strip() == f"story {story_id}: redrove its run (retry 1): SUCCEEDED; story COMPLETE, emailed"
    assert up.sfn.describe_execution(executionArn=arn)["redriveCount"] == 1
    up.settle()
    assert len(up.emails(story_id)) == 1
    assert up.illustrator.requests.count(story_id) == drawn  # the finished picture was not drawn again


def test_retry_finds_a_run_that_failed_before_it_claimed_the_story(up: Drill) -> None:
    story_id, arn = _failed(up, Target.DYNAMODB_UPDATE_ITEM, FaultKind.THROTTLE)
    story = up.stories.get(story_id)
    assert story is not None
    assert story.executionArn is None  # Claim never wrote it

    code, _, err = _retry(story_id)

    assert code == RetryExit.COMPLETE, err
    story = up.stories.get(story_id)
    assert story is not None
    assert story.executionArn == arn


def test_retry_of_a_complete_story_changes_nothing(up: Drill) -> None:
    story = up.put_story()
    up.finished(up.execution_arn(story.id))

    code, out, err = _retry(story.id)

    assert code == RetryExit.NOT_RETRIED
    assert out == ""
    assert f"story {story.id}'s run succeeded and the story was emailed at" in err
    assert "nothing to retry" in err


def test_retry_while_a_retry_is_running_says_so_and_changes_nothing(up: Drill) -> None:
    story_id, arn = _failed(up, Target.NARRATOR, FaultKind.TIMEOUT)
    release = threading.Event()

    class SlowNarrator(QuickNarrator):
        def narrate(self, text: str) -> bytes:
            release.wait(timeout=30)
            return super().narrate(text)

    quick, up.narrator.inner = up.narrator.inner, SlowNarrator()
    try:
        up.sfn.redrive_execution(executionArn=arn)  # someone pressed Retry in the console
        code, _, err = _retry(story_id)
    finally:
        release.set()
        up.narrator.inner = quick

    assert code == RetryExit.NOT_RETRIED
    assert f"story {story_id}'s run is still running, retried 1 time: nothing was changed" in err
    assert up.finished(arn)["status"] == "SUCCEEDED"
    assert up.sfn.describe_execution(executionArn=arn)["redriveCount"] == 1


def test_a_run_that_failed_while_emailing_is_retried_only_when_asked_to_resend(up: Drill) -> None:
    story_id, _ = _failed(up, Target.SNS_PUBLISH, FaultKind.SERVER_ERROR)

    code, _, err = _retry(story_id)

    assert code == RetryExit.NOT_RETRIED
    assert "failed while emailing (SNS.InternalErrorException), so the email may have been sent" in err
    assert "retry with --resend" in err
    up.settle()
    assert up.emails(story_id) == []  # a person looks: no email came, so
    code, _, err = _retry("--resend", story_id)
    assert code == RetryExit.COMPLETE, err
    up.settle()
    assert len(up.emails(story_id)) == 1


@pytest.mark.parametrize(
    ("story_id", "said"),
    [
        ("7b0c3f5e-0000-4000-8000-000000000000", "no story 7b0c3f5e-0000-4000-8000-000000000000: it never existed"),
        ("../../etc/passwd", "is not a story id"),
        ("x" * 10_000, "is not a story id"),
    ],
    ids=["unknown", "path", "ten-kilobytes"],
)
def test_retry_of_an_unknown_story_says_so_in_one_line(up: Drill, story_id: str, said: str) -> None:
    code, out, err = _retry(story_id)

    assert code == RetryExit.NO_SUCH_STORY
    assert out == ""
    assert said in err
    assert len(err.strip().splitlines()) == 1
    assert len(err) < 200


def test_retry_of_an_expired_story_says_when_it_expired(up: Drill) -> None:
    story = up.new_story()
    gone = datetime.now(UTC) - timedelta(hours=1)
    up.stories.put_new(story.model_copy(update={"ttl": int(gone.timestamp())}))  # DynamoDB deletes lazily

    code, _, err = _retry(story.id)

    assert code == RetryExit.NO_SUCH_STORY
    assert f"story {story.id} expired at {gone:%Y-%m-%d %H:%M} UTC (stories last two days)" in err


def test_a_retry_that_fails_again_says_why_in_one_readable_line(up: Drill) -> None:
    story = up.new_story()
    fault = up.plan.always(Target.NARRATOR, FaultKind.SERVER_ERROR, where=story.id)
    up.put_story(story)
    up.finished(up.execution_arn(story.id))

    code, _, err = _retry(story.id)
    up.plan.remove(fault)

    assert code == RetryExit.FAILED_AGAIN
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ProviderUnavailableError: ")
    assert "stackTrace" not in err
    assert "errorType" not in err
    assert len(lines[0]) < 400
