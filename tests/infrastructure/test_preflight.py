"""`make deploy` refuses, before CloudFormation starts, what would fail on the first night."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra import preflight
from infra.config import DeployConfig
from infra.stack import cdk_json_context

REAL = ["-c", "notifyEmail=parents@family.example.net"]
SECRET = "storyteller/openai-api-key"  # cdk.json's openaiSecretName


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    for variable in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    # moto has no SES GetAccount; the SES notes have their own tests below, with a small SES of their own.
    monkeypatch.setattr(preflight, "ses_notes", lambda config, ses, recipients: [])
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="eu-west-2")


def test_a_real_recipient_and_a_stored_key_may_deploy(account: object, capsys: pytest.CaptureFixture[str]) -> None:
    account.create_secret(Name=SECRET, SecretString="sk-test-123")  # type: ignore[attr-defined]
    assert preflight.main(REAL) == 0


def test_the_placeholder_recipient_is_refused(account: object, capsys: pytest.CaptureFixture[str]) -> None:
    account.create_secret(Name=SECRET, SecretString="sk-test-123")  # type: ignore[attr-defined]
    assert preflight.main([]) == 2
    assert "notifyEmail is the placeholder family@example.com" in capsys.readouterr().err


def test_a_missing_secret_is_refused_with_how_to_create_it(account: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert preflight.main(REAL) == 2
    err = capsys.readouterr().err
    assert f"secret {SECRET!r} does not exist" in err
    assert f"aws secretsmanager create-secret --name {SECRET}" in err
    assert len(err.strip().splitlines()) == 1


def test_a_secret_without_a_key_is_refused(account: object, capsys: pytest.CaptureFixture[str]) -> None:
    account.create_secret(Name=SECRET, SecretString='{"note": "fill me in"}')  # type: ignore[attr-defined]
    assert preflight.main(REAL) == 2
    assert "holds no OpenAI key" in capsys.readouterr().err


def test_a_bad_context_value_is_one_line(account: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert preflight.main([*REAL, "-c", "scheduleTimeZone=Mars/Olympus"]) == 2
    assert "scheduleTimeZone 'Mars/Olympus' is not an IANA time zone" in capsys.readouterr().err


class Ses:
    """SES v2's answers for identities and the account, as a small fake (moto has no GetAccount)."""

    def __init__(self, verified: set[str], unverified: set[str], production: bool) -> None:
        self.verified, self.unverified, self.production = verified, unverified, production

    def get_email_identity(self, EmailIdentity: str) -> dict[str, object]:  # noqa: N803 - boto3's name
        if EmailIdentity not in self.verified | self.unverified:
            raise ClientError({"Error": {"Code": "NotFoundException", "Message": EmailIdentity}}, "GetEmailIdentity")
        return {"VerifiedForSendingStatus": EmailIdentity in self.verified}

    def get_account(self) -> dict[str, object]:
        return {"ProductionAccessEnabled": self.production}


def _config(**context: str) -> DeployConfig:
    values = {**cdk_json_context(), "notifyEmail": "parents@family.example.net", **context}
    return DeployConfig.from_context(preflight._Node(values))  # type: ignore[arg-type]


def test_the_sandbox_and_unverified_recipients_are_named() -> None:
    ses = Ses(verified={"stories@mail.example.net", "gran@family.example.net"}, unverified=set(), production=False)
    config = _config(mailFrom="stories@mail.example.net")

    [sandbox] = preflight.ses_notes(config, ses, ["gran@family.example.net", "parents@family.example.net"])

    assert "in the SES sandbox" in sandbox
    assert sandbox.endswith("unverified recipients: parents@family.example.net")


def test_an_unverified_or_missing_sender_is_said_and_production_needs_no_note() -> None:
    config = _config(mailFrom="stories@mail.example.net", mailDomain="mail.example.net")

    missing = preflight.ses_notes(config, Ses(set(), set(), production=True), [])
    pending = preflight.ses_notes(config, Ses(set(), {"mail.example.net"}, production=True), [])
    ready = preflight.ses_notes(config, Ses({"mail.example.net"}, set(), production=True), ["a@b.example"])

    assert len(missing) == 1
    assert "does not exist yet" in missing[0]
    assert "DKIM" in missing[0]
    assert pending == ["SES identity mail.example.net is not verified yet: no story email can be sent until it is"]
    assert ready == []
