"""EMF log lines -> PutMetricData, as CloudWatch Logs makes metrics of them (the LocalStack
plugin's pure part, emf.py), and the forwarder that publishes them off the invocation's path."""

import json
import threading
import time
from datetime import UTC, datetime

import pytest

from photo_jobs import metrics as names
from vividart_localstack import emf
from vividart_localstack.emf_forwarder import EmfForwarder

STAMP_MS = 1_795_603_453_163


def document(**root):
    base = {"_aws": {"Timestamp": STAMP_MS, "CloudWatchMetrics": [
        {"Namespace": "Shop", "Dimensions": [["Service"], ["Service", "Region"]],
         "Metrics": [{"Name": "latency", "Unit": "Milliseconds"}, {"Name": "orders"}]}]},
        "Service": "cart", "Region": "eu", "latency": [12.5, 30.0], "orders": 3, "message": "not a metric"}
    base.update(root)
    return base


def by_dimensions(data):
    return {(d.datum["MetricName"], tuple(x["Name"] for x in d.datum["Dimensions"])): d.datum for d in data}


def test_every_dimension_set_and_metric_is_a_datum_with_its_unit_values_and_timestamp():
    data = emf.metric_data(json.dumps(document()))
    assert {d.namespace for d in data} == {"Shop"}
    datums = by_dimensions(data)
    assert set(datums) == {("latency", ("Service",)), ("latency", ("Service", "Region")),
                           ("orders", ("Service",)), ("orders", ("Service", "Region"))}
    latency = datums[("latency", ("Service", "Region"))]
    assert latency["Values"] == [12.5, 30.0] and latency["Unit"] == "Milliseconds"
    assert latency["Dimensions"] == [{"Name": "Service", "Value": "cart"}, {"Name": "Region", "Value": "eu"}]
    assert latency["Timestamp"] == datetime.fromtimestamp(STAMP_MS / 1000, tz=UTC)
    assert datums[("orders", ("Service",))]["Values"] == [3.0]
    assert datums[("orders", ("Service",))]["Unit"] == "None"  # no unit given


def test_the_processors_own_lines_become_its_stage_times_and_failures(capsys, monkeypatch):
    """Lines from Powertools as the processor writes them, read back as the dashboard reads them."""
    from photo_processor import telemetry

    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "vividart-test-photo-processor")
    telemetry.set_function_dimension()
    telemetry.record_processed({"decode": 12.0, "encode": 30.5, "total": 50.0}, megapixels=2.0)
    telemetry.record_processed({"decode": 14.0, "encode": 20.0, "total": 40.0}, megapixels=3.0)
    telemetry.metrics.flush_metrics()
    telemetry.record_failure("unsupported_format")
    lines = list(emf.documents(capsys.readouterr().out))
    assert len(lines) == 2
    data = [d for line in lines for d in emf.metric_data(line)]
    assert {d.namespace for d in data} == {names.NAMESPACE}
    datums = by_dimensions(data)
    function = (names.FUNCTION_DIMENSION,)
    assert datums[(names.stage_metric("decode"), function)]["Values"] == [12.0, 14.0]
    assert datums[(names.stage_metric("total"), function)]["Unit"] == "Milliseconds"
    assert datums[(names.PROCESSED, function)]["Values"] == [1.0, 1.0]
    failed = datums[(names.FAILED, (names.FUNCTION_DIMENSION, names.REASON_DIMENSION))]
    assert {d["Name"]: d["Value"] for d in failed["Dimensions"]} == {
        names.FUNCTION_DIMENSION: "vividart-test-photo-processor", names.REASON_DIMENSION: "unsupported_format"}
    assert failed["Values"] == [1.0]


def test_only_lines_that_look_like_documents_are_parsed():
    text = "\n".join(["START RequestId: 1", json.dumps(document()), '{"level": "INFO", "message": "about _aws"}',
                      "  " + json.dumps(document()) + "  ", "plain _aws text", "REPORT RequestId: 1"])
    assert len(list(emf.documents(text))) == 2


@pytest.mark.parametrize("broken", [
    "{not json",
    "[1, 2]",
    json.dumps({"_aws": "nope"}),
    json.dumps({"_aws": {"Timestamp": STAMP_MS}}),
    json.dumps({"_aws": {"CloudWatchMetrics": [], "Timestamp": "yesterday"}}),
    json.dumps({"_aws": {"CloudWatchMetrics": [], "Timestamp": 1e30}}),
    json.dumps({"_aws": {"CloudWatchMetrics": ["x"], "Timestamp": STAMP_MS}}),
    json.dumps({"_aws": {"CloudWatchMetrics": [{"Dimensions": [], "Metrics": []}], "Timestamp": STAMP_MS}}),
    json.dumps({"_aws": {"CloudWatchMetrics": [{"Namespace": "N", "Metrics": []}], "Timestamp": STAMP_MS}}),
])
def test_documents_cloudwatch_would_refuse_are_refused_whole(broken):
    with pytest.raises(emf.MalformedEmf):
        emf.metric_data(broken)


def test_parts_cloudwatch_would_skip_are_skipped_and_the_rest_kept():
    doc = document(latency=["slow", float("nan"), True, 7], orders="three", Region=5)
    doc["_aws"]["CloudWatchMetrics"][0]["Metrics"] += [{"Name": "absent"}, {"Unit": "Count"}, "junk",
                                                       {"Name": "Service"}]
    doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"] += [["Missing"], "junk", ["x"] * 31]
    datums = by_dimensions(emf.metric_data(doc))
    # Region is not a string: that dimension set goes; orders is not a number; latency keeps 7
    assert set(datums) == {("latency", ("Service",))}
    assert datums[("latency", ("Service",))]["Values"] == [7.0]


def test_no_dimension_set_means_metrics_without_dimensions_and_odd_units_are_none():
    doc = {"_aws": {"Timestamp": STAMP_MS, "CloudWatchMetrics": [
        {"Namespace": "N", "Dimensions": [], "Metrics": [{"Name": "m", "Unit": "Furlongs", "StorageResolution": 1}]}]},
        "m": 1}
    [item] = emf.metric_data(doc)
    assert item.datum["Dimensions"] == [] and item.datum["Unit"] == "None" and item.datum["StorageResolution"] == 1


def test_long_arrays_and_many_data_fit_put_metric_data_limits():
    doc = document(latency=list(range(400)))
    data = emf.metric_data(doc)
    latency = [d.datum for d in data if d.datum["MetricName"] == "latency"]
    assert [len(d["Values"]) for d in latency] == [150, 150, 100] * 2
    calls = emf.put_metric_data_calls(data * 300)
    assert all(len(call["MetricData"]) <= emf.MAX_DATA_PER_CALL for call in calls)
    assert sum(len(call["MetricData"]) for call in calls) == len(data) * 300
    assert {call["Namespace"] for call in calls} == {"Shop"}
    mixed = emf.put_metric_data_calls([emf.NamespacedDatum("A", {}), emf.NamespacedDatum("B", {}),
                                       emf.NamespacedDatum("A", {})])
    assert [(c["Namespace"], len(c["MetricData"])) for c in mixed] == [("A", 2), ("B", 1)]


class Recorder:
    """Stands in for CloudWatch's PutMetricData at the forwarder's seam: records, or is slow."""

    def __init__(self, delay_s=0.0, failures=0):
        self.calls, self.delay_s, self.failures = [], delay_s, failures
        self.done = threading.Event()

    def __call__(self, account, region, call):
        time.sleep(self.delay_s)
        if self.failures:
            self.failures -= 1
            raise ConnectionError("CloudWatch is not up yet")
        self.calls.append((account, region, call))
        self.done.set()


def test_the_forwarder_never_holds_up_the_invocation_and_publishes_in_batches():
    slow = Recorder(delay_s=1.0)
    forwarder = EmfForwarder(publish=slow, linger_s=0.1)
    started = time.perf_counter()
    for n in range(20):
        forwarder.submit("000000000000", "us-east-1", f"START\n{json.dumps(document(orders=n))}\n{{\"_aws\": 1}}\nEND")
    assert time.perf_counter() - started < 0.1  # queued, not published, on the caller's thread
    assert slow.done.wait(5)
    deadline = time.monotonic() + 10
    while sum(len(c["MetricData"]) for _, _, c in slow.calls) < 20 * 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    orders = sorted(v for _, _, c in slow.calls for d in c["MetricData"] if d["MetricName"] == "orders"
                    for v in d["Values"])
    assert orders == sorted([float(n) for n in range(20)] * 2)  # every line, both dimension sets
    assert len(slow.calls) < 20  # batched
    assert {(a, r) for a, r, _ in slow.calls} == {("000000000000", "us-east-1")}


def test_the_forwarder_retries_a_cloudwatch_that_is_not_up_and_ignores_output_without_emf():
    flaky = Recorder(failures=1)
    forwarder = EmfForwarder(publish=flaky, linger_s=0.0)
    forwarder.submit("1", "r", "no metrics here")
    forwarder.submit("1", "r", json.dumps(document()))
    assert flaky.done.wait(10)
    assert len(flaky.calls) == 1 and len(flaky.calls[0][2]["MetricData"]) == 4
