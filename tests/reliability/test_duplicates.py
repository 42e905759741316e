"""At-least-once delivery everywhere: a replayed stream record, a schedule firing delivered twice.

The same StoryCreated three times on the bus is tests/integration/test_flow.py's
`test_the_same_event_three_times_sends_one_email`; these are the other two doors a duplicate comes in by.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import ClientError

from storyteller.flow import events
from storyteller.local.faults import FaultKind, Target
from storyteller.local.pipe import client_without_account_endpoint
from tests.reliability.drill import Drill


def _ends(drill: Drill, story_id: str) -> list[str]:
    """The last state each of the story's runs entered, sorted."""
    ends = []
    for page in drill.sfn.get_paginator("list_executions").paginate(stateMachineArn=drill.state_machine_arn):
        for execution in page["executions"]:
            described = drill.sfn.describe_execution(executionArn=execution["executionArn"])
            if json.loads(described["input"]).get("id") == story_id:
                entered = drill.runtime.states_entered(execution["executionArn"])
                ends.append(entered[-1])
    return sorted(ends)


def _insert_record(drill: Drill, story_id: str) -> dict[str, Any]:
    """The Stories stream's INSERT record for the story, as the pipe read it."""
    streams = client_without_account_endpoint(drill.settings.aws_region)
    assert drill.runtime.resources is not None
    arn = drill.runtime.resources.stories_stream_arn
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")
        records = streams.get_records(ShardIterator=iterator["ShardIterator"], Limit=1000)["Records"]
        for record in records:
            if record["eventName"] == "INSERT" and record["dynamodb"]["Keys"]["id"]["S"] == story_id:
                return dict(json.loads(json.dumps(record, default=str)))
    raise AssertionError(f"no INSERT record for {story_id}")


def test_a_replayed_stream_record_starts_a_run_that_does_nothing(drill: Drill) -> None:
    story = drill.put_story()
    drill.finished(drill.execution_arn(story.id))
    record = _insert_record(drill, story.id)

    drill.runtime.pipe._deliver([record])  # the pipe reads the same record again (a shard replay)
    drill.settle()

    assert _ends(drill, story.id) == ["AlreadyClaimed", "MarkNotified"]
    assert len(drill.emails(story.id)) == 1
    assert drill.illustrator.requests.count(story.id) == 1
    assert drill.narrator.requests.count(story.id) == 1


def test_one_firing_delivered_twice_makes_one_story_and_one_email(drill: Drill) -> None:
    before = drill.story_ids()
    firing = "2026-11-25T19:15:00Z"

    first = drill.runtime.create_story(scheduled_time=firing)
    again = drill.runtime.create_story(scheduled_time=firing)
    drill.finished(drill.execution_arn(first))
    drill.settle()

    assert again == first
    assert drill.story_ids() - before == {first}
    assert _ends(drill, first) == ["MarkNotified"]
    assert len(drill.emails(first)) == 1


def test_one_firing_delivered_twice_at_once_makes_one_story(drill: Drill) -> None:
    before = drill.story_ids()
    event = {"source": "aws.scheduler", "scheduledTime": "2026-11-26T19:15:00Z"}

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(lambda _: drill.runtime.invoke("storyteller-create-story", event), range(2)))
    made = drill.story_ids() - before
    [story_id] = made
    drill.finished(drill.execution_arn(story_id))
    drill.settle()

    # The second delivery either waited its turn and got the same story, or met the first still writing.
    assert all(answer.get("id") == story_id or answer == {"duplicateOf": event["scheduledTime"]} for answer in answers)
    assert len(drill.emails(story_id)) == 1


def test_two_firings_in_the_same_minute_make_two_stories_with_one_email_each(drill: Drill) -> None:
    before = drill.story_ids()

    nightly = drill.runtime.create_story(scheduled_time="2026-11-27T19:15:00Z")
    by_hand = drill.runtime.create_story()  # `storyteller tonight` in the same minute: a firing of its own
    for story_id in (nightly, by_hand):
        drill.finished(drill.execution_arn(story_id))
    drill.settle()

    assert drill.story_ids() - before == {nightly, by_hand}
    assert [len(drill.emails(story_id)) for story_id in (nightly, by_hand)] == [1, 1]


def test_a_duplicate_of_an_event_already_emailed_sends_nothing_more(drill: Drill) -> None:
    story = drill.put_story()
    drill.finished(drill.execution_arn(story.id))
    drill.settle()

    drill.runtime.bus.put(events.bus_entry(story.to_event().model_dump(mode="json")))  # a day-late redelivery
    drill.settle()

    assert _ends(drill, story.id) == ["AlreadyClaimed", "MarkNotified"]
    assert len(drill.emails(story.id)) == 1


def test_a_story_put_retried_after_its_answer_was_lost_finds_its_own_item(drill: Drill) -> None:
    story = drill.put_story()
    drill.finished(drill.execution_arn(story.id))  # the run has claimed and finished it meanwhile

    drill.stories.put_new(story)  # what the SDK's retry of the same put does: success, nothing changed

    stored = drill.stories.get(story.id)
    assert stored is not None
    assert stored.notifiedAt is not None
    other = story.model_copy(update={"title": "Another story entirely"})
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        drill.stories.put_new(other)  # an id that is taken is still an error, never an overwrite


def test_a_story_put_whose_answer_is_garbled_stores_one_story(drill: Drill) -> None:
    story = drill.new_story()
    fault = drill.plan.once(Target.DYNAMODB_PUT_ITEM, FaultKind.MALFORMED, where=story.id)

    drill.put_story(story)  # landed, answer cut short, the SDK retried and met its own item

    drill.finished(drill.execution_arn(story.id))
    drill.settle()
    assert fault.served == 1
    assert len(drill.emails(story.id)) == 1


def test_a_redrive_retried_with_the_same_client_token_redrives_once(drill: Drill) -> None:
    story = drill.new_story()
    fault = drill.plan.always(Target.NARRATOR, FaultKind.SERVER_ERROR, where=story.id)
    drill.put_story(story)
    arn = drill.execution_arn(story.id)
    drill.finished(arn)

    drill.sfn.redrive_execution(executionArn=arn, clientToken="the-sdk-retries-this-one")
    drill.finished(arn)  # failed again: the fault is still there
    drill.sfn.redrive_execution(executionArn=arn, clientToken="the-sdk-retries-this-one")  # the SDK's retry
    drill.plan.remove(fault)
    drill.finished(arn)

    assert drill.sfn.describe_execution(executionArn=arn)["redriveCount"] == 1


def test_a_new_client_token_redrives_again(drill: Drill) -> None:
    story = drill.new_story()
    fault = drill.plan.always(Target.NARRATOR, FaultKind.SERVER_ERROR, where=story.id)
    drill.put_story(story)
    arn = drill.execution_arn(story.id)
    drill.finished(arn)

    drill.sfn.redrive_execution(executionArn=arn, clientToken="first-retry")
    drill.finished(arn)  # failed again: the fault is still there
    drill.plan.remove(fault)
    drill.sfn.redrive_execution(executionArn=arn, clientToken="second-retry")  # the operator tries again
    drill.finished(arn)

    assert drill.sfn.describe_execution(executionArn=arn)["redriveCount"] == 2
    assert drill.sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
    drill.settle()  # the email reaches the outbox after the run ends
    assert len(drill.emails(story.id)) == 1
