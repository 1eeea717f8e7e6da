"""Logs and metrics, through Powertools: one JSON object per log line (the job id and source key
appended to every line of a job), and CloudWatch metrics in embedded metric format.

Metrics are added from whichever thread finishes a job; Powertools' Metrics is not thread-safe,
so a lock keeps them whole. Their namespace, dimensions and names are photo_jobs.metrics', which
the web app's operations page reads too.
"""

from __future__ import annotations

import os
import threading

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from photo_jobs import metrics as names
from photo_jobs.metrics import NAMESPACE

logger = Logger(service="photo-processor")
metrics = Metrics(namespace=NAMESPACE)
_lock = threading.Lock()


def set_function_dimension() -> None:
    metrics.set_default_dimensions(**{names.FUNCTION_DIMENSION: os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")})


def record_processed(timings_ms: dict[str, float], megapixels: float) -> None:
    with _lock:
        for stage, ms in timings_ms.items():
            metrics.add_metric(name=names.stage_metric(stage), unit=MetricUnit.Milliseconds, value=round(ms, 2))
        metrics.add_metric(name=names.MEGAPIXELS, unit=MetricUnit.Count, value=round(megapixels, 2))
        metrics.add_metric(name=names.PROCESSED, unit=MetricUnit.Count, value=1)


def record_failure(reason: str) -> None:
    # Its own EMF document: the Reason dimension belongs to this metric alone.
    with _lock, single_metric(name=names.FAILED, unit=MetricUnit.Count, value=1, namespace=NAMESPACE,
                              default_dimensions=metrics.default_dimensions) as metric:
        metric.add_dimension(name=names.REASON_DIMENSION, value=reason)
