"""Create on the local endpoint every resource the CDK app creates in AWS, by the same names."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from storyteller import names
from storyteller.dal.aws import client
from storyteller.flow.workflow import WorkflowResources, render_definition
from storyteller.settings import Settings

_ROLE_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
_LAMBDA_FUNCTIONS = (
    names.CREATE_STORY_FUNCTION,
    names.GENERATE_IMAGE_FUNCTION,
    names.GENERATE_AUDIO_FUNCTION,
    names.STORY_CREATED_FUNCTION,
)


@dataclass(frozen=True)
class LocalResources:
    """ARNs and URLs the local adapters need."""

    state_machine_arn: str
    topic_arn: str
    outbox_queue_url: str
    stories_stream_arn: str


def provision(settings: Settings) -> LocalResources:
    """Tables, bucket, topic, functions and the state machine from the real ASL file."""
    region = settings.aws_region
    dynamodb = client("dynamodb", region)
    _table(dynamodb, settings.families_table, "id")
    for table in (settings.characters_table, settings.scenes_table):
        _table(dynamodb, table, names.FAMILY_KEY, "id")
    stories = _table(
        dynamodb,
        settings.stories_table,
        "id",
        ttl=names.TTL_ATTRIBUTE,
        extra_attributes=(names.FAMILY_KEY, "createdAt"),
        GlobalSecondaryIndexes=[
            {
                "IndexName": names.STORIES_BY_FAMILY_INDEX,
                "KeySchema": [
                    {"AttributeName": names.FAMILY_KEY, "KeyType": "HASH"},
                    {"AttributeName": "createdAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    _table(dynamodb, settings.firings_table, "id", ttl=names.FIRINGS_TTL_ATTRIBUTE)
    _table(dynamodb, settings.deliveries_table, "storyId", "recipient", ttl=names.TTL_ATTRIBUTE)
    _table(dynamodb, settings.memory_table, names.FAMILY_KEY, "toldAt", ttl=names.TTL_ATTRIBUTE)
    s3 = client("s3", region)
    s3.create_bucket(Bucket=settings.media_bucket, CreateBucketConfiguration={"LocationConstraint": region})

    sns, sqs = client("sns", region), client("sqs", region)
    topic_arn = sns.create_topic(Name=names.NOTIFY_TOPIC)["TopicArn"]
    # The mailer's queue on the topic, as in AWS (infra/mail.py): the local mailer drains it.
    queue_url = sqs.create_queue(QueueName="storyteller-outbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)

    role_arn = client("iam", region).create_role(RoleName="storyteller-local", AssumeRolePolicyDocument=_ROLE_POLICY)[
        "Role"
    ]["Arn"]
    function_arns = {name: _create_function(name, role_arn, region) for name in _LAMBDA_FUNCTIONS}
    workflow = WorkflowResources(
        stories_table=settings.stories_table,
        generate_image_function_arn=function_arns[names.GENERATE_IMAGE_FUNCTION],
        generate_audio_function_arn=function_arns[names.GENERATE_AUDIO_FUNCTION],
        notify_topic_arn=topic_arn,
    )
    state_machine_arn = client("stepfunctions", region).create_state_machine(
        name=names.STATE_MACHINE, definition=render_definition(workflow), roleArn=role_arn, type="STANDARD"
    )["stateMachineArn"]
    return LocalResources(
        state_machine_arn=state_machine_arn,
        topic_arn=topic_arn,
        outbox_queue_url=queue_url,
        stories_stream_arn=stories["TableDescription"]["LatestStreamArn"],
    )


def _create_function(name: str, role_arn: str, region: str) -> str:
    # moto needs a function to exist before the engine invokes it; its code never runs (lambdas.py).
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("handler.py", "def handler(event, context):\n    raise NotImplementedError\n")
    created = client("lambda", region).create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role_arn,
        Handler="handler.handler",
        Code={"ZipFile": archive.getvalue()},
        Timeout=300,
    )
    arn: str = created["FunctionArn"]
    return arn


def _table(
    dynamodb: Any,
    name: str,
    hash_key: str,
    range_key: str | None = None,
    *,
    ttl: str | None = None,
    extra_attributes: tuple[str, ...] = (),
    **options: Any,
) -> dict[str, Any]:
    """One on-demand table keyed by string attributes, with its TTL attribute when it has one (as infra/storage)."""
    keys = [(hash_key, "HASH")] + ([(range_key, "RANGE")] if range_key else [])
    described: dict[str, Any] = dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": key, "KeyType": kind} for key, kind in keys],
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": "S"}
            for attribute in [key for key, _ in keys] + list(extra_attributes)
        ],
        BillingMode="PAY_PER_REQUEST",
        **options,
    )
    if ttl is not None:
        dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl})
    return described
