"""A run that ends without its email marks its story FAILED (the same function as AWS's status rule),
a successful redrive makes it COMPLETE, and a late or foreign status event changes nothing."""

from __future__ import annotations

import threading
import time

from storyteller.flow.run_outcome import ExecutionStatusChange, record_run_outcome
from storyteller.local.faults import TINY_MP3, FaultKind, Target
from storyteller.models import StoryItem, StoryStatus
from tests.reliability.drill import Drill


def _story_when(drill: Drill, story_id: str, status: StoryStatus, timeout: float = 30.0) -> StoryItem:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        story = drill.stories.get(story_id)
        if story is not None and story.status is status:
            return story
        time.sleep(0.05)
    raise AssertionError(f"story {story_id} is {drill.stories.get(story_id)}, not {status} after {timeout} s")


def test_a_failed_run_marks_its_story_failed_and_a_redrive_completes_it(drill: Drill) -> None:
    story = drill.new_story()
    fault = drill.plan.always(Target.NARRATOR, FaultKind.SERVER_ERROR, where=story.id)
    drill.put_story(story)
    arn = drill.execution_arn(story.id)
    assert drill.finished(arn)["status"] == "FAILED"

    failed = _story_when(drill, story.id, StoryStatus.FAILED)
    assert failed.runError is not None
    assert failed.runError.startswith("ProviderUnavailableError")
    assert "\n" not in failed.runError

    drill.plan.remove(fault)
    drill.sfn.redrive_execution(executionArn=arn)
    assert drill.finished(arn)["status"] == "SUCCEEDED"
    done = _story_when(drill, story.id, StoryStatus.COMPLETE)
    assert done.notifiedAt is not None
    drill.settle()
    assert len(drill.emails(story.id)) == 1


def test_a_late_failure_event_does_not_undo_a_finished_story(drill: Drill) -> None:
    story = drill.put_story()
    arn = drill.execution_arn(story.id)
    assert drill.finished(arn)["status"] == "SUCCEEDED"
    _story_when(drill, story.id, StoryStatus.COMPLETE)

    late = ExecutionStatusChange(executionArn=arn, status="FAILED", input=f'{{"id": "{story.id}"}}', error="X")
    assert record_run_outcome(late, drill.settings) is False
    assert drill.stories.get(story.id).status is StoryStatus.COMPLETE  # type: ignore[union-attr]


class HeldNarrator:
    """Narrates only once released: the story stays claimed and unfinished for as long as the test needs."""

    model = "drill/held"

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()

    def narrate(self, text: str) -> bytes:
        self.reached.set()
        assert self.release.wait(timeout=60), "the test never released the narrator"
        return TINY_MP3


def test_a_duplicate_runs_failure_does_not_mark_a_story_still_being_made(drill: Drill) -> None:
    # While the real run is narrating, the story is neither emailed nor COMPLETE: only the run's own ARN in
    # the condition keeps a duplicate run's failure from marking it.
    held = HeldNarrator()
    quick, drill.narrator.inner = drill.narrator.inner, held
    try:
        story = drill.put_story()
        assert held.reached.wait(timeout=30), "the run never reached the narrator"
        arn = drill.execution_arn(story.id)
        before = drill.stories.get(story.id)
        assert before is not None
        assert before.status is not StoryStatus.COMPLETE
        assert before.notifiedAt is None

        other = arn.replace(arn.rsplit(":", 1)[1], "a-duplicate-run")
        foreign = ExecutionStatusChange(executionArn=other, status="FAILED", input=f'{{"id": "{story.id}"}}')
        assert record_run_outcome(foreign, drill.settings) is False
        assert drill.stories.get(story.id) == before
    finally:
        held.release.set()
        drill.narrator.inner = quick
    assert drill.finished(arn)["status"] == "SUCCEEDED"
    assert _story_when(drill, story.id, StoryStatus.COMPLETE).runError is None
