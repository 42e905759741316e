"""The EventBridge Pipe and the bus rule, emulated from the same definitions the CDK app deploys."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.events.models import EventPattern

from storyteller import names
from storyteller.dal.aws import client
from storyteller.flow import events
from storyteller.local.lambdas import LocalLambdas

log = logging.getLogger(__name__)


def _matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    # moto's EventBridge pattern matcher: the same rules as AWS's, without writing our own.
    return bool(EventPattern.load(json.dumps(pattern)).matches_event(event))  # type: ignore[arg-type]


@dataclass
class StreamPipe:
    """Reads the Stories stream, filters, enriches and puts StoryCreated on the bus."""

    stream_arn: str
    region: str
    lambdas: LocalLambdas
    bus: LocalBus
    _iterators: dict[str, str] = field(default_factory=dict)
    _shard_ids: list[str] = field(default_factory=list)  # a local table's stream keeps its one shard

    def __post_init__(self) -> None:
        # botocore's account-id endpoints make moto answer 404 for streams.
        self._streams = client_without_account_endpoint(self.region)

    def start_from_latest(self) -> None:
        """Ignore what is already in the stream (e.g. restored state): only new stories start runs."""
        self._iterators = {shard: self._iterator(shard, "LATEST") for shard in self._shards()}

    def poll(self) -> int:
        """Deliver every new record once; returns how many passed the filter (runs to start)."""
        passed = 0
        for shard in self._shards():
            iterator = self._iterators.get(shard) or self._iterator(shard, "TRIM_HORIZON")
            try:
                page = self._streams.get_records(ShardIterator=iterator)
            except ClientError:
                self._shard_ids = []  # described again at the next poll
                raise
            self._iterators[shard] = page.get("NextShardIterator") or iterator
            records = [json.loads(json.dumps(record, default=str)) for record in page["Records"]]
            new_stories = [record for record in records if _matches(events.PIPE_FILTER, record)]
            passed += len(new_stories)
            self._deliver(new_stories)
        return passed

    def deliver_items(self, items: list[dict[str, Any]]) -> None:
        """Stories already in the table, sent on as their INSERT records would have been."""
        records = [
            {"eventID": f"recovered-{item['id']['S']}", "eventName": "INSERT", "dynamodb": {"NewImage": item}}
            for item in items
        ]
        self._deliver(records)

    def _deliver(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        body, errored, _ = self.lambdas.invoke(names.STORY_CREATED_FUNCTION, records)
        if errored:
            log.error("pipe enrichment failed: %s", body)
            return
        for detail in json.loads(body):
            self.bus.put(events.bus_entry(detail))

    def _shards(self) -> list[str]:
        if not self._shard_ids:
            stream = self._streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
            self._shard_ids = [shard["ShardId"] for shard in stream["Shards"]]
        return self._shard_ids

    def _iterator(self, shard: str, kind: str) -> str:
        found: str = self._streams.get_shard_iterator(StreamArn=self.stream_arn, ShardId=shard, ShardIteratorType=kind)[
            "ShardIterator"
        ]
        return found


@dataclass
class LocalBus:
    """The custom bus with its one rule: StoryCreated starts the state machine with the detail."""

    state_machine_arn: str
    region: str
    started: list[str] = field(default_factory=list)

    def put(self, entry: dict[str, Any]) -> None:
        """Route an entry like EventBridge: if the rule matches, start an execution, named at random."""
        event = {"id": str(uuid.uuid4()), **entry}
        if not _matches(events.RULE_PATTERN, event):
            log.info("no rule matched %s", entry.get("detail-type"))
            return
        execution = client("stepfunctions", self.region).start_execution(
            stateMachineArn=self.state_machine_arn,
            name=str(uuid.uuid4()),
            input=json.dumps(event["detail"]),  # the rule target's input path: events.RULE_TARGET_INPUT_PATH
        )
        self.started.append(execution["executionArn"])


def client_without_account_endpoint(region: str) -> Any:
    """A DynamoDB Streams client that moto answers (see DESIGN.md's engine facts)."""
    return boto3.session.Session().client(
        "dynamodbstreams", region_name=region, config=Config(account_id_endpoint_mode="disabled")
    )
