"""AWS_ENDPOINT_URL_SFN: the local runtime runs the ASL on another Step Functions (Step Functions Local), with
every other service still on the local endpoint. Checked with a recording stand-in, no jar needed."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from storyteller import names
from storyteller.dal.aws import client, reset_clients
from storyteller.local.external_engine import step_functions_local_settings
from storyteller.local.runtime import LocalRuntime
from storyteller.settings import get_settings

STATE_MACHINE_ARN = f"arn:aws:states:eu-west-2:123456789012:stateMachine:{names.STATE_MACHINE}"


class _StepFunctionsStandIn(BaseHTTPRequestHandler):
    """Answers the few Step Functions calls the runtime makes, and remembers each one."""

    calls: ClassVar[list[tuple[str, dict[str, Any]]]] = []

    def do_POST(self) -> None:
        operation = self.headers["X-Amz-Target"].split(".")[-1]
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
        type(self).calls.append((operation, body))
        answers: dict[str, dict[str, Any]] = {
            "CreateStateMachine": {"stateMachineArn": STATE_MACHINE_ARN, "creationDate": 0},
            "ListExecutions": {"executions": []},
        }
        payload = json.dumps(answers.get(operation, {})).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def step_functions_local(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    _StepFunctionsStandIn.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StepFunctionsStandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", f"http://127.0.0.1:{server.server_address[1]}")
    reset_clients()
    try:
        yield _StepFunctionsStandIn.calls
    finally:
        server.shutdown()
        reset_clients()


def test_the_state_machine_is_created_on_the_configured_engine(
    step_functions_local: list[tuple[str, dict[str, Any]]],
) -> None:
    settings = get_settings()
    with LocalRuntime(settings) as runtime:
        created = [body for operation, body in step_functions_local if operation == "CreateStateMachine"]
        assert len(created) == 1
        definition = json.loads(created[0]["definition"])
        assert created[0]["name"] == names.STATE_MACHINE
        assert definition["StartAt"] == "CheckEvent"
        # Its tasks point back at this stack: the functions and tables live on the local endpoint.
        image = definition["States"]["MakeMedia"]["Branches"][0]["States"]["Illustrate"]["Parameters"]["FunctionName"]
        assert image.endswith(f":function:{names.GENERATE_IMAGE_FUNCTION}")
        functions = client("lambda", settings.aws_region).list_functions()["Functions"]
        assert image in {function["FunctionArn"] for function in functions}
        assert names.STORIES_TABLE in client("dynamodb", settings.aws_region).list_tables()["TableNames"]
        assert runtime.resources is not None
        assert runtime.resources.state_machine_arn == STATE_MACHINE_ARN
        wiring = step_functions_local_settings(runtime.endpoint.url, settings.aws_region)
    assert wiring["LAMBDA_ENDPOINT"] == wiring["DYNAMODB_ENDPOINT"] == wiring["SNS_ENDPOINT"] == runtime.endpoint.url


def test_without_the_setting_moto_runs_the_state_machine() -> None:
    settings = get_settings()
    with LocalRuntime(settings) as runtime:
        assert runtime.resources is not None
        machines = client("stepfunctions", settings.aws_region).list_state_machines()["stateMachines"]
        assert [m["stateMachineArn"] for m in machines] == [runtime.resources.state_machine_arn]
