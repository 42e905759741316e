"""Powertools logger, tracer and metrics, configured once for every handler."""

import logging
import os
import sys

from aws_lambda_powertools import Logger, Metrics, Tracer

from storyteller import names

LOG_FILE_VARIABLE = "STORYTELLER_LOG_FILE"


def _handler() -> logging.Handler:
    # In Lambda, stderr goes to CloudWatch. Locally the runtime points this at a file, so a user's
    # terminal shows progress and one-line errors, and stdout stays clean for `--json`.
    path = os.environ.get(LOG_FILE_VARIABLE)
    return logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler(sys.stderr)


logger = Logger(service=names.SERVICE, logger_handler=_handler())
tracer = Tracer(service=names.SERVICE)
metrics = Metrics(namespace=names.METRICS_NAMESPACE, service=names.SERVICE)
