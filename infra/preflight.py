"""`make deploy`'s first step: refuse a deploy that would fail on its first night, before CloudFormation starts.

python -m infra.preflight [-c key=value ...] [--profile NAME]   (the same arguments as `make deploy CDK_ARGS=...`)

A placeholder recipient deploys fine and emails nobody; a missing OpenAI secret deploys fine and fails the
first story. Both are checked here, with the deployer's own credentials, and each problem is one line. It
also says where SES stands (notes, not refusals): the sender identity's verification and the sandbox.
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


def ses_notes(config: DeployConfig, ses: Any, recipients: Sequence[str]) -> list[str]:
    """Where email stands in SES, one line each: not blockers (the deploy creates the identity), but the
    reason nothing arrives until they are done (docs/deploy.md)."""
    identity = config.mail_domain or config.mail_from
    notes = []
    verified = _verified(ses, identity)
    if verified is None:
        notes.append(
            f"SES identity {identity} does not exist yet: the deploy creates it; then "
            + (
                "publish its three DKIM CNAME records (stack resources, SES console)"
                if config.mail_domain
                else f"click the link SES emails to {identity}"
            )
        )
    elif not verified:
        notes.append(f"SES identity {identity} is not verified yet: no story email can be sent until it is")
    try:
        production = bool(ses.get_account().get("ProductionAccessEnabled"))
    except (ClientError, BotoCoreError) as error:
        return [*notes, f"cannot ask SES whether the account is in the sandbox: {error}"]
    if not production:
        unverified = sorted(address for address in recipients if not _verified(ses, address))
        notes.append(
            "this account is in the SES sandbox in this region: only verified recipients get mail, 200 a day, "
            "1 a second; ask for production access (docs/deploy.md)"
            + (f"; unverified recipients: {', '.join(unverified)}" if unverified else "")
        )
    return notes


def _verified(ses: Any, identity: str) -> bool | None:
    """Whether SES may send from/to this identity (an address counts when its domain is verified)."""
    for candidate in (identity, identity.rpartition("@")[2]) if "@" in identity else (identity,):
        try:
            found = ses.get_email_identity(EmailIdentity=candidate)
        except ClientError:
            continue  # not there (NotFoundException), or not ours to read: not verified as far as we know
        if found.get("VerifiedForSendingStatus"):
            return True
        if candidate == identity:
            return False
    return None


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
        session = boto3.session.Session(profile_name=profile)
        found = problems(config, session.client("secretsmanager"))
        notes = ses_notes(config, session.client("sesv2"), [config.notify_email])
    except (DeployConfigError, BotoCoreError, ClientError) as error:
        found, notes = [str(error)], []
    for note in notes:
        print(f"preflight: note: {note}", file=sys.stderr)
    for problem in found:
        print(f"preflight: {problem}", file=sys.stderr)
    if not found:
        print("preflight: the recipient is real and the OpenAI key is in place", file=sys.stderr)
    return 2 if found else 0


if __name__ == "__main__":
    sys.exit(main())
