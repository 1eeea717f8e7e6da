"""CloudWatch metrics in embedded metric format: one JSON line on stdout per event, which Lambda's
log pipeline turns into metrics (namespace VividArt/PhotoProcessor) without any API call."""

from __future__ import annotations

import json
import os
import time

NAMESPACE = "VividArt/PhotoProcessor"


def _emit(dimensions: dict[str, str], values: dict[str, tuple[float, str]]) -> None:
    dimensions = {"FunctionName": os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local"), **dimensions}
    document = {
        "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [{
            "Namespace": NAMESPACE, "Dimensions": [list(dimensions)],
            "Metrics": [{"Name": name, "Unit": unit} for name, (_, unit) in values.items()],
        }]},
        **dimensions, **{name: value for name, (value, _) in values.items()},
    }
    print(json.dumps(document), flush=True)


def processed(timings_ms: dict[str, float], megapixels: float) -> None:
    values = {f"{stage}_ms": (round(ms, 2), "Milliseconds") for stage, ms in timings_ms.items()}
    values["megapixels"] = (round(megapixels, 2), "None")
    values["processed"] = (1, "Count")
    _emit({}, values)


def failure(reason: str) -> None:
    _emit({"Reason": reason}, {"failed": (1, "Count")})
