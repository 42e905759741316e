"""moto's Step Functions engine, made cheap enough to run a hundred stories at once on a laptop.

The engine re-does per run what never changes: it parses the whole definition (ANTLR, ~27 ms), builds
a JSONPath parser for every path it reads (~0.6 ms each, ~30 a run) and creates a new boto3 client
for every task (a service model read from disk, a TLS context). Measured on the 100-story load test:
~0.16 s of CPU a run before, ~0.09 s after. The parsed program is shared by runs: its components keep
per-run state in the run's environment (`env.heap`, keyed by each component's `heap_key`), and the
keys are fixed here before the program is shared, since moto makes them lazily.
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Any

import boto3
from botocore.config import Config
from moto.core.models import botocore_stubber
from moto.settings import moto_server_port
from moto.stepfunctions.parser.asl.component.common.timeouts.timeout import TimeoutSeconds
from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_dynamodb,
    state_task_service_sns,
)
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.asl.utils.boto_client import boto_client_for
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

_lock = threading.Lock()
_programs: dict[str, Any] = {}
_clients: dict[tuple[str, str, str, str], Any] = {}
_parse_json_path = json_path.parse  # type: ignore[attr-defined]


def install() -> None:
    """Share parsed programs, JSONPath expressions and task clients between runs; idempotent."""
    json_path.parse = functools.lru_cache(maxsize=4096)(_parse_json_path)  # type: ignore[attr-defined]
    ExecutionWorker._get_evaluation_entrypoint = _shared_program  # type: ignore[method-assign,assignment]
    for module in (lambda_eval_utils, state_task_service_dynamodb, state_task_service_sns):
        module.boto_client_for = _shared_client  # type: ignore[attr-defined]


def program_for(definition: str) -> Any:
    """The definition parsed once, with its components' heap keys fixed."""
    with _lock:
        if definition not in _programs:
            program = AmazonStateLanguageParser.parse(definition)[0]
            _fix_heap_keys(program, set())
            _programs[definition] = program
        return _programs[definition]


def _shared_program(worker: ExecutionWorker) -> Any:
    return program_for(worker._evaluation_details.state_machine_details.definition)


def _shared_client(region: str, service: str, state_credentials: Any = None) -> Any:
    if botocore_stubber.enabled:
        # Inside `mock_aws` (a test of moto in-process, perhaps after a local endpoint ran in the same
        # process): moto intercepts the calls, as its own client does; a served endpoint is not there.
        return boto_client_for(region, service, state_credentials)
    # boto3 clients are thread-safe; the port and key are part of the cache key, as each local endpoint
    # (and each STORYTELLER_HOME) has its own. moto's own task clients sign with fixed dummy keys, which
    # the guarded endpoint refuses: these sign with this home's credentials, as every client here does.
    access_key = os.environ.get("AWS_ACCESS_KEY_ID", "")
    key = (region, service, moto_server_port(), access_key)
    with _lock:
        if key not in _clients:
            _clients[key] = boto3.client(
                service,
                region_name=region,
                endpoint_url=f"http://127.0.0.1:{moto_server_port()}",
                aws_access_key_id=access_key,
                aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", ""),
                config=Config(
                    parameter_validation=False,
                    retries={"max_attempts": 0, "total_max_attempts": 1},
                    connect_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
                    read_timeout=TimeoutSeconds.DEFAULT_TIMEOUT_SECONDS,
                ),
            )
        return _clients[key]


def _fix_heap_keys(node: Any, seen: set[int]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, EvalComponent):
        _ = node.heap_key
    if isinstance(node, list | tuple | set):
        children: Any = node
    elif isinstance(node, dict):
        children = node.values()
    elif type(node).__module__.startswith("moto.stepfunctions") and hasattr(node, "__dict__"):
        children = vars(node).values()
    else:
        return
    for child in children:
        _fix_heap_keys(child, seen)
