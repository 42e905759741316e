"""Every place the flow can fail × every way it can fail × once or always.

Each cell ends COMPLETE with exactly one email, or FAILED with the failing state and its cause in the
run's description and history; a redrive with the fault removed then ends COMPLETE with exactly one
email, without calling again the provider of a branch that had succeeded. One cell is the exception
that proves the rule: SNS accepted the email but its answer was garbled, so the run failed after the
email went out; `retry` refuses to send a second one unless told to.

The cells after create_story have faults scoped to their own story, so they run side by side; the
module runs them all once (`outcomes`) and each test reports its own cell.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from storyteller.flow.retry import RetryExit, RetryRefusedError, failed_state, retry_story
from storyteller.local.faults import FaultKind, Target
from storyteller.local.runtime import FunctionFailedError
from storyteller.models import StoryStatus
from tests.figures import FIGURES
from tests.reliability.drill import Drill

WORKERS = 24
RUN_TIMEOUT = 60.0


@dataclass(frozen=True)
class Site:
    """One call of the flow: where a fault is injected, and where a run it breaks stops."""

    name: str
    target: Target
    where: tuple[str, ...] = ()  # a piece of the request that picks this call among others of its kind
    state: str | None = None  # the top-level state that fails; None: create_story fails, no run starts
    branch: str | None = None  # the media branch that fails; the other one must not be redone


SITES = (
    Site("writer", Target.WRITER),
    Site("put-story", Target.DYNAMODB_PUT_ITEM),
    Site("illustrator", Target.ILLUSTRATOR, state="MakeMedia", branch="image"),
    Site("narrator", Target.NARRATOR, state="MakeMedia", branch="audio"),
    Site("claim", Target.DYNAMODB_UPDATE_ITEM, ("SET executionArn",), "Claim"),
    Site("save-media", Target.DYNAMODB_UPDATE_ITEM, ("SET imageKey",), "SaveMedia"),
    Site("mark-notified", Target.DYNAMODB_UPDATE_ITEM, ("SET notifiedAt",), "MarkNotified"),
    Site("put-image", Target.S3_PUT_OBJECT, ("/image.png",), "MakeMedia", "image"),
    Site("put-audio", Target.S3_PUT_OBJECT, ("/audio.mp3",), "MakeMedia", "audio"),
    Site("notify", Target.SNS_PUBLISH, state="Notify"),
    Site("invoke-illustrate", Target.LAMBDA_INVOKE, ("generate-image",), "MakeMedia", "image"),
    Site("invoke-narrate", Target.LAMBDA_INVOKE, ("generate-audio",), "MakeMedia", "audio"),
)
TRANSIENT = (FaultKind.THROTTLE, FaultKind.SERVER_ERROR, FaultKind.TIMEOUT)
# A single transient fault at these sites is retried by the ASL: the run succeeds after a failed attempt.
RETRIED_BY_THE_STATE_MACHINE = {
    *((site, kind) for site in ("illustrator", "narrator") for kind in TRANSIENT),
    *((site, kind) for site in ("claim", "save-media", "mark-notified") for kind in TRANSIENT),
    ("notify", FaultKind.THROTTLE),
    *((site, kind) for site in ("invoke-illustrate", "invoke-narrate") for kind in TRANSIENT[:2]),
}
# ...and at these by the handler's AWS SDK (its own retries), before Step Functions sees anything.
RETRIED_BY_THE_SDK = {
    (site, kind) for site in ("put-story", "put-image", "put-audio") for kind in (*TRANSIENT, FaultKind.MALFORMED)
}
# SNS did its work and the answer was lost: the email went out and the run failed in Notify.
SENT_BUT_FAILED = {("notify", FaultKind.MALFORMED)}


@dataclass(frozen=True)
class Cell:
    site: Site
    kind: FaultKind
    mode: str

    @property
    def id(self) -> str:
        return f"{self.site.name}-{self.kind}-{self.mode}"


@dataclass(frozen=True)
class Outcome:
    story_id: str | None
    error: BaseException | None


CELLS = [Cell(site, kind, mode) for site in SITES for kind in FaultKind for mode in ("once", "always")]


def _before_any_run(drill: Drill, cell: Cell) -> str:
    """create_story's own calls (the writer, its PutItem): faults not scoped, so one cell at a time."""
    site, known = cell.site, drill.story_ids()
    fault = getattr(drill.plan, cell.mode)(site.target, cell.kind, where=site.where)
    try:
        story_id = drill.runtime.create_story()
    except FunctionFailedError as failure:
        said = failure.message
        drill.plan.remove(fault)
        assert said, "create_story failed without saying why"
        landed = drill.story_ids() - known
        assert len(landed) <= 1
        # Nothing stored: the next firing starts over. Stored though its answer was lost: that story goes on.
        story_id = landed.pop() if landed else drill.runtime.create_story()
    finally:
        drill.plan.remove(fault)
    assert fault.served >= 1, "the fault was never met"
    if cell.mode == "once" and (site.name, cell.kind) in RETRIED_BY_THE_SDK:
        assert drill.story_ids() - known == {story_id}
    assert drill.finished(drill.execution_arn(story_id), RUN_TIMEOUT)["status"] == "SUCCEEDED"
    return story_id


def _in_the_run(drill: Drill, cell: Cell) -> str:
    """A fault at a call of this story's run only, injected before the story is stored."""
    site, story = cell.site, drill.new_story()
    fault = getattr(drill.plan, cell.mode)(site.target, cell.kind, where=(story.id, *site.where))
    drill.put_story(story)
    arn = drill.execution_arn(story.id, RUN_TIMEOUT)
    run = drill.finished(arn, RUN_TIMEOUT)
    assert fault.served >= 1, "the fault was never met"
    if cell.mode == "once" and (site.name, cell.kind) in RETRIED_BY_THE_STATE_MACHINE | RETRIED_BY_THE_SDK:
        assert run["status"] == "SUCCEEDED", f"one {cell.kind} at {site.name} should be retried: {run.get('cause')}"
    if cell.mode == "once" and (site.name, cell.kind) in RETRIED_BY_THE_STATE_MACHINE:
        history = drill.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        assert any(event["type"] == "TaskFailed" for event in history), "succeeded without a retried attempt"
    if run["status"] == "SUCCEEDED":
        assert drill.sent(story.id) == 1
        drill.plan.remove(fault)
        return story.id

    assert run["status"] == "FAILED"
    assert run.get("error")
    assert run.get("cause")
    assert failed_state(drill.sfn, arn) == site.state
    sent_already = site.state == "MarkNotified" or (site.name, cell.kind) in SENT_BUT_FAILED
    assert drill.sent(story.id) == (1 if sent_already else 0)
    drill.plan.remove(fault)
    if (site.name, cell.kind) in SENT_BUT_FAILED:
        with pytest.raises(RetryRefusedError, match="may have been sent") as refused:
            retry_story(drill.stories, drill.sfn, drill.state_machine_arn, story.id, timeout=RUN_TIMEOUT)
        assert refused.value.exit_code is RetryExit.NOT_RETRIED
        assert drill.finished(arn)["status"] == "FAILED"  # nothing was changed
        return story.id

    called = (drill.illustrator.requests.count(story.id), drill.narrator.requests.count(story.id))
    # Which branch states ended before the run failed: an unfinished one (cancelled when its sibling failed
    # first, as a quick retry can under load) is rightly run again by a redrive, in AWS as here.
    before = drill.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    finished = {event["stateExitedEventDetails"]["name"] for event in before if event["type"] == "TaskStateExited"}
    drill.sfn.redrive_execution(executionArn=arn)

    redriven = drill.finished(arn, RUN_TIMEOUT)
    assert redriven["status"] == "SUCCEEDED", redriven.get("cause")
    assert redriven["redriveCount"] == 1
    assert drill.sent(story.id) == 1
    redone = {
        "image": drill.illustrator.requests.count(story.id) > called[0],
        "audio": drill.narrator.requests.count(story.id) > called[1],
    }
    if site.state == "MakeMedia":
        other, other_state = ("audio", "Narrate") if site.branch == "image" else ("image", "Illustrate")
        if other_state in finished:
            assert not redone[other], f"the {other} branch had succeeded but its provider was called again"
    elif site.state != "Claim":
        assert redone == {"image": False, "audio": False}, "finished media were made again"
    return story.id


def _attempt(drill: Drill, cell: Cell) -> Outcome:
    run_cell = _before_any_run if cell.site.state is None else _in_the_run
    try:
        return Outcome(run_cell(drill, cell), None)
    except BaseException as error:  # noqa: BLE001 - reported by this cell's own test
        return Outcome(None, error)


@pytest.fixture(scope="module")
def outcomes(drill: Drill) -> dict[str, Outcome]:
    started, faults, runs = time.monotonic(), drill.plan.total_injected(), len(drill.runtime.bus.started)
    results = {cell.id: _attempt(drill, cell) for cell in CELLS if cell.site.state is None}
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        running = {cell.id: pool.submit(_attempt, drill, cell) for cell in CELLS if cell.site.state is not None}
    results.update({cell_id: future.result() for cell_id, future in running.items()})
    drill.settle()
    emails = sum(drill.emails_by_story()[outcome.story_id] for outcome in results.values() if outcome.story_id)
    FIGURES["fault matrix"] = (
        f"{len(CELLS)} cells, {drill.plan.total_injected() - faults} faults injected, "
        f"{len(drill.runtime.bus.started) - runs} runs, {emails} emails, {time.monotonic() - started:.0f} s"
    )
    return results


@pytest.mark.parametrize("cell", CELLS, ids=lambda cell: cell.id)
def test_a_fault_ends_complete_with_one_email_or_failed_visibly_then_redriven(
    drill: Drill, outcomes: dict[str, Outcome], cell: Cell
) -> None:
    outcome = outcomes[cell.id]
    if outcome.error is not None:
        raise outcome.error
    assert outcome.story_id is not None
    story = drill.stories.get(outcome.story_id)
    assert story is not None
    assert story.status is StoryStatus.COMPLETE
    assert drill.media_ok(story)
    assert len(drill.emails(outcome.story_id)) == 1  # what SNS accepted is what reached the outbox
    if (cell.site.name, cell.kind) not in SENT_BUT_FAILED:
        assert story.notifiedAt is not None


def test_the_failure_is_visible_in_the_history_with_its_state_and_cause(drill: Drill) -> None:
    story = drill.new_story()
    fault = drill.plan.always(Target.NARRATOR, FaultKind.SERVER_ERROR, where=story.id)
    drill.put_story(story)
    arn = drill.execution_arn(story.id)
    run = drill.finished(arn)
    drill.plan.remove(fault)

    assert (run["status"], run["error"]) == ("FAILED", "ProviderUnavailableError")
    assert "the narrator had a server error (500)" in run["cause"]
    history = drill.sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
    failures = [event["taskFailedEventDetails"] for event in history if event["type"] == "TaskFailed"]
    assert len(failures) == 4  # the first attempt and three retries
    assert all(json.loads(failure["cause"])["errorType"] == "ProviderUnavailableError" for failure in failures)
    entered = [event["stateEnteredEventDetails"]["name"] for event in history if "stateEnteredEventDetails" in event]
    assert entered[-2:] == ["Illustrate", "Narrate"] or entered[-2:] == ["Narrate", "Illustrate"]
    assert history[-1]["type"] == "ExecutionFailed"
    assert drill.sent(story.id) == 0
