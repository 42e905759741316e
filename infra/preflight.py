"""`make deploy`'s first step: refuse a deploy that would fail on its first night, before CloudFormation starts.

python -m infra.preflight [-c key=value ...] [--profile NAME]   (the same arguments as `make deploy CDK_ARGS=...`)

A placeholder recipient deploys fine and emails nobody; a missing OpenAI secret deploys fine and fails the
first story. Both are checked here, with the deployer's own credentials, and each problem is one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from infra.config import DeployConfig, DeployConfigError
from infra.stack import cdk_json_context
from storyteller.providers.openai_client import key_in_secret


class _Node:
    """What DeployConfig.from_context reads, from cdk.json plus the command line's -c values."""

    def __init__(self, context: dict[str, Any]) -> None:
        self._context = context

    def try_get_context(self, key: str) -> Any:
        return self._context.get(key)


def problems(config: DeployConfig, secrets: Any) -> list[str]:
    """What would break the first night, one line each; empty when the deploy may go ahead."""
    found = []
    if config.is_example_email:
        found.append(
            f"notifyEmail is the placeholder {config.notify_email}: nobody would get the stories or the alarms. "
            "Deploy with CDK_ARGS='-c notifyEmail=you@your.domain'"
        )
    name = config.openai_secret_name
    try:
        value = secrets.get_secret_value(SecretId=name).get("SecretString") or ""
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        if code == "ResourceNotFoundException":
            found.append(
                f"the OpenAI key's secret {name!r} does not exist in this account and region: "
                f'aws secretsmanager create-secret --name {name} --secret-string "$OPENAI_API_KEY"'
            )
        else:
            found.append(f"cannot read the OpenAI key's secret {name!r}: {code or error}")
    except BotoCoreError as error:
        found.append(f"cannot reach Secrets Manager to check secret {name!r}: {error}")
    else:
        if not key_in_secret(value):
            found.append(f"secret {name!r} holds no OpenAI key: store the key itself, or JSON with OPENAI_API_KEY")
    return found


def _context(arguments: Sequence[str]) -> tuple[dict[str, Any], str | None]:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-c", "--context", action="append", default=[])
    parser.add_argument("--profile")
    known, _ = parser.parse_known_args(arguments)
    context = cdk_json_context()
    for pair in known.context:
        key, separator, value = pair.partition("=")
        if not separator:
            raise DeployConfigError(f"-c {pair!r}: context values are key=value")
        context[key] = value
    return context, known.profile


def main(arguments: Sequence[str] | None = None) -> int:
    """Exit 0 when the deploy may go ahead, 2 with one line per problem otherwise."""
    try:
        context, profile = _context(sys.argv[1:] if arguments is None else arguments)
        config = DeployConfig.from_context(_Node(context))  # type: ignore[arg-type]
        secrets = boto3.session.Session(profile_name=profile).client("secretsmanager")
        found = problems(config, secrets)
    except (DeployConfigError, BotoCoreError) as error:
        found = [str(error)]
    for problem in found:
        print(f"preflight: {problem}", file=sys.stderr)
    if not found:
        print("preflight: the recipient is real and the OpenAI key is in place", file=sys.stderr)
    return 2 if found else 0


if __name__ == "__main__":
    sys.exit(main())
