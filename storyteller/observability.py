"""Powertools logger, tracer and metrics, configured once for every handler."""

import logging
import os
import sys
import threading
import warnings
from collections.abc import Callable
from typing import IO, Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics, Tracer

from storyteller import names

LOG_FILE_VARIABLE = "STORYTELLER_LOG_FILE"


class _Destination:
    """stderr in Lambda (CloudWatch takes it); the file STORYTELLER_LOG_FILE names, when set, locally.

    Decided at each write, not at import: whichever module imports this first, the local runtime's
    choice (a file, so the terminal shows progress and stdout stays clean for `--json`) holds.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, IO[str]] = {}

    def write(self, text: str) -> int:
        path = os.environ.get(LOG_FILE_VARIABLE)
        if not path:
            return sys.stderr.write(text)
        with self._lock:
            if path not in self._files:
                self._files[path] = open(path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the process
            written = self._files[path].write(text)
            self._files[path].flush()
            return written

    def flush(self) -> None:
        sys.stderr.flush()


# A handler that failed (or made nothing to count) flushes no metrics; Powertools warns about it on
# stderr, which is noise beside the one-line error the CLI prints.
warnings.filterwarnings("ignore", message="No application metrics to publish")

Handler = TypeVar("Handler", bound=Callable[..., Any])


class Untraced:
    """The tracer's decorators when tracing is off: Powertools' Tracer imports the X-Ray SDK even when
    disabled, ~30 ms of every cold start (bench/cold_start.py) for subsegments nobody records."""

    def capture_lambda_handler(self, handler: Handler) -> Handler:
        return handler

    def capture_method(self, method: Handler) -> Handler:
        return method


def tracing_on() -> bool:
    """Powertools' own rule (in Lambda, not under SAM or Chalice locally, POWERTOOLS_TRACE_DISABLED not
    true), asked of the Tracer class without building one, which would import the SDK."""
    return not Tracer._is_tracer_disabled()


logger = Logger(service=names.SERVICE, logger_handler=logging.StreamHandler(_Destination()))
# Typed as the two decorators the handlers use, which Powertools' Tracer has with the same meaning.
tracer = cast(Untraced, Tracer(service=names.SERVICE)) if tracing_on() else Untraced()
metrics = Metrics(namespace=names.METRICS_NAMESPACE, service=names.SERVICE)
