"""boto3 clients: one Session makes them all, so botocore's data files are parsed once (issue 25)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from botocore.loaders import JSONFileLoader

from storyteller.dal.aws import client, reset_clients

REGION = "eu-west-2"


def test_clients_of_several_services_parse_botocores_endpoints_once(monkeypatch: pytest.MonkeyPatch) -> None:
    read: Counter[str] = Counter()
    load_file = JSONFileLoader.load_file

    def counted(loader: JSONFileLoader, file_path: str) -> Any:
        read[file_path.rsplit("/", 1)[-1]] += 1
        return load_file(loader, file_path)

    monkeypatch.setattr(JSONFileLoader, "load_file", counted)
    for service in ("s3", "dynamodb", "secretsmanager"):
        client(service, REGION)

    assert read["endpoints"] == 1  # 1.2 MB of JSON: a cold start paid it once per client before
    assert read["service-2"] == 3  # each service's own model, of course


def test_after_a_reset_new_clients_take_the_new_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "first-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "first-secret")
    assert _access_key(client("s3", REGION)) == "first-key"

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "second-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "second-secret")
    reset_clients()

    assert _access_key(client("s3", REGION)) == "second-key"
    assert _access_key(client("dynamodb", REGION)) == "second-key"


def _access_key(made: Any) -> str:
    return str(made._request_signer._credentials.access_key)
