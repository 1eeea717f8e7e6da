"""CloudWatch embedded metric format (EMF) -> PutMetricData, as CloudWatch Logs does on AWS.

Pure: no LocalStack here, so the project's own tests import it. emf_forwarder.py is the adapter
that feeds it a function's log lines and publishes what comes out.

A document is one log line holding a JSON object with `_aws.CloudWatchMetrics` (a list of
directives) and `_aws.Timestamp` (epoch milliseconds). Each directive names a namespace, its
dimension sets (lists of keys whose values are root members) and its metrics (root members
holding a number or an array of numbers). Every (dimension set, metric) pair is one metric datum.
What AWS would reject is skipped: a whole document when its metadata is wrong, a single dimension
set or metric when only that part is.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

# CloudWatch's StandardUnit values; anything else is stored as "None", as an absent unit is.
UNITS = frozenset((
    "Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes", "Terabytes",
    "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
    "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
    "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None",
))
MAX_DIMENSIONS = 30  # per dimension set, as the EMF specification and PutMetricData allow
MAX_VALUES_PER_DATUM = 150  # PutMetricData's limit on Values
MAX_DATA_PER_CALL = 1000  # PutMetricData's limit on MetricData


class MalformedEmf(ValueError):
    """The line claims to be EMF (it has `_aws`) but is not a document CloudWatch would take."""


@dataclass(frozen=True)
class NamespacedDatum:
    namespace: str
    datum: dict  # one PutMetricData MetricData entry


def documents(log_text: str) -> Iterator[str]:
    """The lines of a function's output that may be EMF documents (cheap test, no parsing)."""
    for line in log_text.splitlines():
        line = line.strip()
        if line.startswith("{") and line.endswith("}") and '"_aws"' in line:
            yield line


def metric_data(document: str | dict) -> list[NamespacedDatum]:
    """One EMF document as metric data; raises MalformedEmf when the document as a whole is wrong."""
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except ValueError as error:
            raise MalformedEmf(f"not JSON: {error}") from None
    if not isinstance(document, dict):
        raise MalformedEmf("not a JSON object")
    meta = document.get("_aws")
    if not isinstance(meta, dict):
        raise MalformedEmf("no _aws object")
    directives, stamp = meta.get("CloudWatchMetrics"), meta.get("Timestamp")
    if not isinstance(directives, list):
        raise MalformedEmf("_aws.CloudWatchMetrics is not a list")
    if not _is_number(stamp):
        raise MalformedEmf("_aws.Timestamp is not a number (epoch milliseconds)")
    try:
        timestamp = datetime.fromtimestamp(stamp / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedEmf(f"_aws.Timestamp {stamp} is out of range") from None
    found: list[NamespacedDatum] = []
    for directive in directives:
        found.extend(_directive_data(directive, document, timestamp))
    return found


def _directive_data(directive, root: dict, timestamp: datetime) -> Iterator[NamespacedDatum]:
    if not isinstance(directive, dict):
        raise MalformedEmf("a metric directive is not an object")
    namespace, dimension_sets, metrics = directive.get("Namespace"), directive.get("Dimensions"), directive.get("Metrics")
    if not isinstance(namespace, str) or not namespace.strip():
        raise MalformedEmf("a directive has no Namespace")
    if not isinstance(dimension_sets, list) or not isinstance(metrics, list):
        raise MalformedEmf("a directive needs Dimensions and Metrics lists")
    dimension_sets = dimension_sets or [[]]  # no dimension set: the metrics without dimensions
    for keys in dimension_sets:
        dimensions = _dimensions(keys, root)
        if dimensions is None:
            continue
        for metric in metrics:
            yield from (NamespacedDatum(namespace, datum) for datum in _metric_data(metric, root, dimensions, timestamp))


def _dimensions(keys, root: dict) -> list[dict] | None:
    """The dimension set's name/value pairs, or None when a key or its value is not usable."""
    if not isinstance(keys, list) or len(keys) > MAX_DIMENSIONS:
        return None
    dimensions = []
    for key in keys:
        value = root.get(key) if isinstance(key, str) else None
        if not isinstance(value, str) or not value:
            return None
        dimensions.append({"Name": key, "Value": value})
    return dimensions


def _metric_data(metric, root: dict, dimensions: list[dict], timestamp: datetime) -> Iterator[dict]:
    if not isinstance(metric, dict) or not isinstance(metric.get("Name"), str) or not metric["Name"]:
        return
    raw = root.get(metric["Name"])
    values = [v for v in (raw if isinstance(raw, list) else [raw]) if _is_number(v)]
    if not values:
        return
    unit = metric.get("Unit") if metric.get("Unit") in UNITS else "None"
    datum = {"MetricName": metric["Name"], "Dimensions": dimensions, "Timestamp": timestamp, "Unit": unit}
    if metric.get("StorageResolution") in (1, 60):
        datum["StorageResolution"] = metric["StorageResolution"]
    for start in range(0, len(values), MAX_VALUES_PER_DATUM):
        yield dict(datum, Values=[float(v) for v in values[start:start + MAX_VALUES_PER_DATUM]])


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def put_metric_data_calls(data: Iterable[NamespacedDatum]) -> list[dict]:
    """Metric data as few PutMetricData requests as the API allows: one namespace each, at most
    MAX_DATA_PER_CALL entries, in the order they came."""
    by_namespace: dict[str, list[dict]] = {}
    for item in data:
        by_namespace.setdefault(item.namespace, []).append(item.datum)
    return [{"Namespace": namespace, "MetricData": entries[start:start + MAX_DATA_PER_CALL]}
            for namespace, entries in by_namespace.items()
            for start in range(0, len(entries), MAX_DATA_PER_CALL)]
