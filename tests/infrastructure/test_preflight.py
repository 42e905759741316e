"""`make deploy` refuses, before CloudFormation starts, what would fail on the first night."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from infra import preflight

REAL = ["-c", "notifyEmail=parents@family.example.net"]
SECRET = "storyteller/openai-api-key"  # cdk.json's openaiSecretName


@pytest.fixture
def account(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    for variable in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
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
