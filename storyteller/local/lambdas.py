"""Lambda tasks of the local state machine call our handler functions in this process.

moto's Step Functions engine invokes Lambda through moto's Lambda API, which would start a Docker
container; we replace that one method so the same handler runs in-process and its return value
(or exception) becomes the task's real Payload (or Error/Cause), exactly as in AWS.
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.awslambda.models import LambdaFunction

from storyteller import names

Handler = Callable[[Any, Any], Any]

HANDLER_MODULES: dict[str, str] = {
    names.CREATE_STORY_FUNCTION: "functions.create_story.handler",
    names.GENERATE_IMAGE_FUNCTION: "functions.generate_image.handler",
    names.GENERATE_AUDIO_FUNCTION: "functions.generate_audio.handler",
    names.STORY_CREATED_FUNCTION: "functions.story_created.handler",
    names.RUN_STATUS_FUNCTION: "functions.run_status.handler",
    # AWS only (locally the scheduler and the outbox read the Families table); invoked here by tests.
    names.FAMILY_SYNC_FUNCTION: "functions.family_sync.handler",
    names.HOUSEHOLDS_SETUP_FUNCTION: "functions.households_setup.handler",
}

log = logging.getLogger(__name__)

# Handler calls in progress in this process, whichever runtime started them (moto's routing is process-wide).
_running = 0
_idle = threading.Condition()
STOPPING_ERROR = "Storyteller.Stopping"


@dataclass
class LocalLambdaContext:
    """The parts of Lambda's context object that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 1024
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:local:000000000000:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 300_000


class LocalLambdas:
    """Function name → handler, with overrides for tests that need a handler to misbehave."""

    def __init__(self) -> None:
        self._overrides: dict[str, Handler] = {}
        self._closed = False

    def handler(self, function_name: str) -> Handler:
        """The callable that serves this function name."""
        if function_name in self._overrides:
            return self._overrides[function_name]
        module = importlib.import_module(HANDLER_MODULES[function_name])
        handler: Handler = module.handler
        return handler

    def override(self, function_name: str, handler: Handler | None) -> None:
        """Serve a function with another callable (None restores the real handler)."""
        if handler is None:
            self._overrides.pop(function_name, None)
        else:
            self._overrides[function_name] = handler

    def invoke(self, function_name: str, event: Any) -> tuple[str, bool, str]:
        """Run a handler like Lambda does: JSON out, or an error body with the exception's name."""
        global _running
        with _idle:
            if self._closed:  # a stop is draining: nothing new starts that it would have to wait for
                refused = f"{function_name} not run: storyteller is stopping"
                body = {"errorType": STOPPING_ERROR, "errorMessage": refused}
                return json.dumps(body), True, ""
            _running += 1
        try:
            return self._call(function_name, event)
        finally:
            with _idle:
                _running -= 1
                _idle.notify_all()

    def close(self) -> None:
        """Refuse new calls from now on: a stop is waiting for the calls in progress (`wait_idle`)."""
        with _idle:
            self._closed = True

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no call is in progress; False when one still runs after `timeout` seconds."""
        with _idle:
            return _idle.wait_for(lambda: _running == 0, timeout=timeout)

    def _call(self, function_name: str, event: Any) -> tuple[str, bool, str]:
        context = LocalLambdaContext(function_name=function_name)
        try:
            result = self.handler(function_name)(event, context)
        except Exception as error:  # noqa: BLE001 - every failure becomes the task's Error, as in AWS
            log.warning("%s failed: %s: %s", function_name, type(error).__name__, error)
            body = {
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "stackTrace": traceback.format_exception(error),
            }
            return json.dumps(body), True, ""
        return json.dumps(result), False, ""


def running() -> int:
    """How many handler calls are in progress in this process (the CLI's last check before it exits)."""
    with _idle:
        return _running


def route_moto_lambda_to(lambdas: LocalLambdas) -> None:
    """Make moto's Lambda invoke call our handlers; process-wide, as moto's backends are."""

    def _invoke_lambda(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
        payload = json.loads(event) if isinstance(event, str | bytes) else (event or {})
        return lambdas.invoke(self.function_name, payload)

    LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]
