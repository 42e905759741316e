"""Powertools logger, tracer and metrics, configured once for every handler."""

import logging
import sys

from aws_lambda_powertools import Logger, Metrics, Tracer

from storyteller import names

# stderr: CloudWatch takes both streams, and locally stdout belongs to the CLI's --json output.
logger = Logger(service=names.SERVICE, logger_handler=logging.StreamHandler(sys.stderr))
tracer = Tracer(service=names.SERVICE)
metrics = Metrics(namespace=names.METRICS_NAMESPACE, service=names.SERVICE)
