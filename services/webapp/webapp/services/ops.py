"""How the photo pipeline is doing (the operations page's figures), from the same CloudWatch
metrics the dashboard and the alarms read, locally and on AWS alike.

GET /api/ops/metrics?hours=1|6|24 answers photos processed per minute, failures by reason, the
time per stage (p50 and p90), the job's time over the window, the queue's depth and the age of
its oldest job, and the dead-letter queue's depth. One GetMetricData call (the failure reasons
are the records' fixed list) and the queues' attributes for "now".

The pure part (window, queries, shape) takes and gives plain data; `collect` is the adapter.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from photo_jobs import metrics as names, records
from webapp.context import aws, stack

# The time ranges offered, in hours, and the period of each chart's points (about 60 to 100 points).
PERIODS = {1: 60, 6: 300, 24: 900}
STAGES = (*names.JOB_STAGES, names.TOTAL_STAGE)
PERCENTILES = ("p50", "p90")
SQS = "AWS/SQS"
MAX_QUERIES = 500  # GetMetricData's limit per call


# --- the pure part -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Window:
    start: int  # epoch seconds, a multiple of period
    end: int  # the end of the period holding "now"
    period: int

    @property
    def axis(self) -> list[int]:
        return list(range(self.start, self.end, self.period))


def window(now: float, hours: int) -> Window:
    """The last `hours` up to the end of the current period, aligned to periods (as CloudWatch
    aligns its points, so each point is one whole period)."""
    period = PERIODS[hours]
    end = math.floor(now / period) * period + period
    return Window(end - hours * 3600, end, period)


def queue_name(queue_url: str) -> str:
    return queue_url.rstrip("/").rsplit("/", 1)[-1]


def metric_queries(win: Window, function_name: str, queue: str, dead_letter_queue: str,
                   reasons: list[str]) -> list[dict]:
    """GetMetricData queries, their ids saying what each is (shape() reads them back)."""
    function = [{"Name": names.FUNCTION_DIMENSION, "Value": function_name}]

    def query(query_id, namespace, metric, dimensions, stat, period=win.period):
        return {"Id": query_id, "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": namespace, "MetricName": metric, "Dimensions": dimensions},
            "Period": period, "Stat": stat}}

    queries = [query("processed", names.NAMESPACE, names.PROCESSED, function, "Sum")]
    for n, reason in enumerate(reasons):
        queries.append(query(f"failed_{n}", names.NAMESPACE, names.FAILED,
                             function + [{"Name": names.REASON_DIMENSION, "Value": reason}], "Sum"))
    for stage in STAGES:
        for stat in PERCENTILES:
            # over the whole window (one point), and per period for the job as a whole
            queries.append(query(f"stage_{stage}_{stat}", names.NAMESPACE, names.stage_metric(stage), function,
                                 stat, period=win.end - win.start))
    for stat in PERCENTILES:
        queries.append(query(f"job_{stat}", names.NAMESPACE, names.stage_metric(names.TOTAL_STAGE), function, stat))
    for query_id, name, metric in (("queue_depth", queue, "ApproximateNumberOfMessagesVisible"),
                                   ("queue_oldest", queue, "ApproximateAgeOfOldestMessage"),
                                   ("dead_letter_depth", dead_letter_queue, "ApproximateNumberOfMessagesVisible")):
        queries.append(query(query_id, SQS, metric, [{"Name": "QueueName", "Value": name}], "Maximum"))
    return queries


def _points(result: dict | None, win: Window) -> dict[int, float]:
    """A GetMetricData result's values by the start of their period, inside the window."""
    if not result:
        return {}
    points = {}
    for stamp, value in zip(result.get("Timestamps", []), result.get("Values", [])):
        epoch = int(stamp.timestamp()) if isinstance(stamp, datetime) else int(stamp)
        if win.start <= epoch < win.end:
            points[win.start + (epoch - win.start) // win.period * win.period] = float(value)
    return points


def _series(result: dict | None, win: Window, missing: float | None) -> list[float | None]:
    points = _points(result, win)
    return [_round(points.get(t, missing)) for t in win.axis]


def _single(result: dict | None) -> float | None:
    values = (result or {}).get("Values") or []
    return _round(values[0]) if values else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _latest(values: list[float | None], within: int) -> float | None:
    recent = [v for v in values[-within:] if v is not None]
    return recent[-1] if recent else None


def shape(win: Window, results: dict[str, dict], reasons: list[str], queues_now: dict) -> dict:
    """The API's answer from GetMetricData's results (by query id) and the queues' attributes."""
    per_minute = 60 / win.period
    processed = _series(results.get("processed"), win, 0.0)
    failures = []
    for n, reason in enumerate(reasons):
        counts = _series(results.get(f"failed_{n}"), win, 0.0)
        if sum(counts):  # the reasons that happened in the window
            failures.append({"reason": reason, "per_minute": [_round(c * per_minute) for c in counts],
                             "total": int(sum(counts))})
    failures.sort(key=lambda f: (-f["total"], f["reason"]))
    oldest = _series(results.get("queue_oldest"), win, None)
    stages = [{"stage": stage, **{stat: _single(results.get(f"stage_{stage}_{stat}")) for stat in PERCENTILES}}
              for stage in names.JOB_STAGES]
    job = {stat: _single(results.get(f"stage_{names.TOTAL_STAGE}_{stat}")) for stat in PERCENTILES}
    return {
        "range": {"hours": (win.end - win.start) // 3600, "period_s": win.period,
                  "start": _iso(win.start), "end": _iso(win.end)},
        "timestamps": [_iso(t) for t in win.axis],
        "totals": {"processed": int(sum(processed)), "failed": sum(f["total"] for f in failures)},
        "processed_per_minute": [_round(c * per_minute) for c in processed],
        "failures": failures,
        "stages": stages,
        "job": dict(job, **{f"{stat}_series": _series(results.get(f"job_{stat}"), win, None)
                            for stat in PERCENTILES}),
        "queue": {
            "depth": _series(results.get("queue_depth"), win, None),
            "oldest_age_s": oldest,
            "dead_letter_depth": _series(results.get("dead_letter_depth"), win, None),
            # SQS publishes the age once a minute; older than a few periods is no longer "now"
            "now": dict(queues_now, oldest_age_s=_latest(oldest, within=3)),
        },
    }


def queues_now(jobs: dict, dead_letters: dict) -> dict:
    """What the queues hold now, from GetQueueAttributes' answers."""
    def count(attributes, name):
        return int(attributes.get(name, 0))
    return {"waiting": count(jobs, "ApproximateNumberOfMessages"),
            "in_flight": count(jobs, "ApproximateNumberOfMessagesNotVisible"),
            "delayed": count(jobs, "ApproximateNumberOfMessagesDelayed"),
            "dead_letter": count(dead_letters, "ApproximateNumberOfMessages")}


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat().replace("+00:00", "Z")


# --- the adapter -------------------------------------------------------------------------------

def metric_data(cloudwatch, queries: list[dict], win: Window) -> dict[str, dict]:
    assert len(queries) <= MAX_QUERIES, len(queries)  # a fixed set, well within one call
    results: dict[str, dict] = {}
    token = None
    while True:
        page = cloudwatch.get_metric_data(
            MetricDataQueries=queries, ScanBy="TimestampAscending",
            StartTime=datetime.fromtimestamp(win.start, tz=UTC), EndTime=datetime.fromtimestamp(win.end, tz=UTC),
            **({"NextToken": token} if token else {}))
        for result in page["MetricDataResults"]:
            into = results.setdefault(result["Id"], {"Timestamps": [], "Values": []})
            into["Timestamps"] += result.get("Timestamps", [])
            into["Values"] += result.get("Values", [])
        token = page.get("NextToken")
        if not token:
            return results


def collect(hours: int, now: float | None = None) -> dict:
    current = stack()
    cloudwatch, sqs = aws("cloudwatch"), aws("sqs")
    win = window(time.time() if now is None else now, hours)
    reasons = sorted(records.REASONS)
    queries = metric_queries(win, current.function_name, queue_name(current.queue_url),
                             queue_name(current.dlq_url), reasons)
    results = metric_data(cloudwatch, queries, win)
    wanted = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
              "ApproximateNumberOfMessagesDelayed"]
    jobs = sqs.get_queue_attributes(QueueUrl=current.queue_url, AttributeNames=wanted)["Attributes"]
    dead = sqs.get_queue_attributes(QueueUrl=current.dlq_url, AttributeNames=wanted)["Attributes"]
    return shape(win, results, reasons, queues_now(jobs, dead))


# --- the API and the page ----------------------------------------------------------------------
