"""Operations visible on the local stack as on AWS: a function's EMF log lines become CloudWatch
metrics (the project's executor), percentiles are answered from the raw values, percentile alarms
are evaluated and notify their topic, SQS reports the age of its oldest message, and the ops API
charts it all for staff and for nobody else."""

import io
import json
import math
import time
import uuid
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
import requests

from photo_jobs import metrics as names
from photo_jobs.aws import read_job_record
from photo_jobs.settings import StackSource
from support import photo, wait_for

pytestmark = pytest.mark.integration

EMF_PRINTER = '''
import json
def handler(event, context):
    for line in event["lines"]:
        print(line if isinstance(line, str) else json.dumps(line), flush=True)
    return {"printed": len(event["lines"])}
'''


def metric_stat(namespace, metric, dimensions, stat, period):
    return {"Metric": {"Namespace": namespace, "MetricName": metric,
                       "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()]},
            "Period": period, "Stat": stat}


def figures(cloudwatch, namespace, metric, dimensions, start, end, stats, period=None):
    """{stat: [values, oldest first]} over [start, end), one point per period (default: the whole span)."""
    period = period or math.ceil((end - start).total_seconds() / 60) * 60
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=[{"Id": f"q{n}", "MetricStat": metric_stat(namespace, metric, dimensions, stat, period)}
                           for n, stat in enumerate(stats)],
        StartTime=start, EndTime=end, ScanBy="TimestampAscending")
    by_id = {r["Id"]: r for r in answer["MetricDataResults"]}
    return {stat: by_id[f"q{n}"]["Values"] for n, stat in enumerate(stats)}, \
        {stat: by_id[f"q{n}"]["Timestamps"] for n, stat in enumerate(stats)}


# --- EMF lines -> metrics, exactly --------------------------------------------------------------

@pytest.fixture(scope="module")
def emf_printer(stack):
    """A zip function that prints the lines it is given: EMF documents, or anything else."""
    lam = stack.aws("lambda")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("app.py", EMF_PRINTER)
    name = f"emf-test-{uuid.uuid4().hex[:8]}"
    lam.create_function(FunctionName=name, Runtime="python3.13", Handler="app.handler", Timeout=10, MemorySize=256,
                        Role="arn:aws:iam::000000000000:role/emf-test", Code={"ZipFile": archive.getvalue()})
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    yield name
    lam.delete_function(FunctionName=name)


def test_a_functions_emf_lines_become_metrics_with_their_dimensions_units_values_and_time(stack, emf_printer):
    cloudwatch, namespace = stack.aws("cloudwatch"), f"VividArtTest/{uuid.uuid4().hex[:8]}"
    minute = (datetime.now(UTC) - timedelta(minutes=5)).replace(second=0, microsecond=0)
    stamp_ms = int(minute.timestamp() * 1000) + 17_250  # 17.25 s into that minute, five minutes ago
    document = {"_aws": {"Timestamp": stamp_ms, "CloudWatchMetrics": [{
        "Namespace": namespace, "Dimensions": [["Service"], ["Service", "Kind"]],
        "Metrics": [{"Name": "latency", "Unit": "Milliseconds"}, {"Name": "orders", "Unit": "Count"}]}]},
        "Service": "cart", "Kind": "web", "latency": [float(v) for v in range(10, 101, 10)], "orders": 3,
        "note": "members that are not metrics are left alone"}
    lines = ["plain text", {"level": "INFO", "message": "a JSON log line, not EMF"},
             {"_aws": {"Timestamp": "yesterday", "CloudWatchMetrics": []}},  # malformed: ignored
             document]
    invoked = stack.aws("lambda").invoke(FunctionName=emf_printer, Payload=json.dumps({"lines": lines}))
    returned = time.monotonic()
    assert "FunctionError" not in invoked and json.loads(invoked["Payload"].read()) == {"printed": 4}

    span = (minute, minute + timedelta(minutes=1))
    exact = {"Service": "cart", "Kind": "web"}

    def arrived():
        values, _ = figures(cloudwatch, namespace, "latency", exact, *span, ["SampleCount"], period=60)
        return values["SampleCount"] == [10.0] or None

    wait_for(arrived, timeout=30)
    lag = time.monotonic() - returned
    print(f"EMF line -> metric: {lag:.2f} s after the invocation returned")
    assert lag < 10  # off the invocation's path, but promptly

    stats = ["SampleCount", "Sum", "Average", "Minimum", "Maximum", "p50", "p90", "p99"]
    values, stamps = figures(cloudwatch, namespace, "latency", exact, *span, stats, period=60)
    assert values == {"SampleCount": [10.0], "Sum": [550.0], "Average": [55.0], "Minimum": [10.0],
                      "Maximum": [100.0], "p50": [50.0], "p90": [90.0], "p99": [100.0]}
    assert stamps["p90"] == [minute] == stamps["Average"]  # the document's time, not the invocation's
    orders, _ = figures(cloudwatch, namespace, "orders", exact, *span, ["Sum"], period=60)
    assert orders == {"Sum": [3.0]}
    listed = cloudwatch.list_metrics(Namespace=namespace)["Metrics"]
    assert sorted((m["MetricName"], tuple(sorted(d["Name"] for d in m["Dimensions"]))) for m in listed) == [
        ("latency", ("Kind", "Service")), ("latency", ("Service",)), ("orders", ("Kind", "Service")), ("orders", ("Service",))]


def test_percentiles_are_answered_per_period_and_other_statistics_are_unchanged(stack):
    cloudwatch, namespace = stack.aws("cloudwatch"), f"VividArtTest/{uuid.uuid4().hex[:8]}"
    start = (datetime.now(UTC) - timedelta(minutes=10)).replace(second=0, microsecond=0)
    for minute, values in ((0, range(1, 101)), (2, [7.0])):  # nothing in minute 1
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=[{
            "MetricName": "took", "Unit": "Seconds", "Timestamp": start + timedelta(minutes=minute, seconds=30),
            "Values": [float(v) for v in values]}])
    values, stamps = figures(cloudwatch, namespace, "took", {}, start, start + timedelta(minutes=3),
                             ["p50", "p90", "p99.9", "Average", "Maximum"], period=60)
    assert values == {"p50": [50.0, 7.0], "p90": [90.0, 7.0], "p99.9": [100.0, 7.0], "Average": [50.5, 7.0],
                      "Maximum": [100.0, 7.0]}
    assert stamps["p90"] == [start, start + timedelta(minutes=2)] == stamps["Average"]
    newest_first = cloudwatch.get_metric_data(
        MetricDataQueries=[{"Id": "p", "MetricStat": metric_stat(namespace, "took", {}, "p90", 60)}],
        StartTime=start, EndTime=start + timedelta(minutes=3))["MetricDataResults"][0]
    assert newest_first["Values"] == [7.0, 90.0]  # CloudWatch's default order


# --- the processor's own metrics -----------------------------------------------------------------

@pytest.fixture(scope="module")
def shoot_processed(stack):
    """Four photos processed and one that fails for good, just now, with their job records."""
    started = datetime.now(UTC) - timedelta(seconds=5)
    shoot = stack.studio.create_shoot("Operations")
    keys = [stack.upload(photo(960, 640, seed=70 + n), f"ops {n}.jpg", shoot=shoot["id"]) for n in range(4)]
    broken = stack.upload(b"this is not a photo, whatever its name says " * 20, "ops broken.jpg", shoot=shoot["id"])
    done = {key: stack.studio.wait(key, timeout=90) for key in [*keys, broken]}
    assert [done[k]["status"] for k in keys] == ["processed"] * 4 and done[broken]["status"] == "failed"
    current = StackSource({"VIVIDART_STACK_FILE": str(stack.run_dir / "stack" / "outputs.json")}).current()
    s3 = stack.aws("s3")
    records = [read_job_record(s3, current, key, done[key]["job_id"]) for key in keys]
    return {"shoot": shoot, "keys": keys, "broken": broken, "reason": done[broken]["error"]["reason"],
            "totals": [r["timings_ms"][names.TOTAL_STAGE] for r in records], "started": started}


def test_the_processor_reports_every_stage_time_and_its_counts(stack, shoot_processed):
    cloudwatch, function = stack.aws("cloudwatch"), {names.FUNCTION_DIMENSION: stack.outputs["function_name"]}
    start, ours = shoot_processed["started"], shoot_processed["totals"]

    def ours_counted():  # other tests' jobs share the function: wait for the times of ours
        end = datetime.now(UTC) + timedelta(minutes=1)
        total, _ = figures(cloudwatch, names.NAMESPACE, names.stage_metric(names.TOTAL_STAGE), function, start, end,
                           ["Minimum", "Maximum"])
        return total["Minimum"] and min(total["Minimum"]) <= min(ours) and max(total["Maximum"]) >= max(ours) or None

    def every_stage_counted():  # the jobs' lines arrive one by one: all four of ours, in every stage
        end = datetime.now(UTC) + timedelta(minutes=1)
        stages = {stage: figures(cloudwatch, names.NAMESPACE, names.stage_metric(stage), function, start, end,
                                 ["SampleCount", "Average", "p50", "p90", "Minimum", "Maximum"])[0]
                  for stage in (*names.JOB_STAGES, names.TOTAL_STAGE)}
        return all(sum(got["SampleCount"]) >= 4 for got in stages.values()) and stages

    # the span may fall in two periods: each point is checked on its own, the counts summed
    wait_for(ours_counted, timeout=60)  # the minimum and maximum of the whole jobs hold ours, as their records say
    for stage, got in wait_for(every_stage_counted, timeout=60, interval=1).items():
        for point in zip(got["Minimum"], got["p50"], got["p90"], got["Average"], got["Maximum"], strict=True):
            low, p50, p90, average, high = point
            slack = 1e-9 * max(1.0, high)  # an average of equal values can be one rounding below them
            assert low - slack <= p50 <= p90 <= high + slack and low - slack <= average <= high + slack, (stage, got)
    reason = {**function, names.REASON_DIMENSION: shoot_processed["reason"]}

    def failure_counted():
        failed, _ = figures(cloudwatch, names.NAMESPACE, names.FAILED, reason, start, datetime.now(UTC) + timedelta(minutes=1), ["Sum"])
        return failed["Sum"] and failed["Sum"][0] >= 1 or None

    wait_for(failure_counted, timeout=30)


def test_the_deployed_alarms_are_evaluated_including_the_percentile_one(stack):
    cloudwatch, topic = stack.aws("cloudwatch"), stack.outputs["alarm_topic_arn"]
    alarms = {a["MetricName"]: a for a in cloudwatch.describe_alarms()["MetricAlarms"] if topic in a["AlarmActions"]}
    assert {"ApproximateNumberOfMessagesVisible", "Errors", "Throttles", "total_ms"} <= set(alarms)
    p90 = alarms["total_ms"]
    assert p90["ExtendedStatistic"] == "p90" and p90["Namespace"] == names.NAMESPACE
    assert p90["OKActions"] == [topic]
    # evaluated when created: with no slow photos, OK (LocalStack alone leaves it unevaluated)
    for metric in ("total_ms", "Throttles", "ApproximateNumberOfMessagesVisible"):
        assert alarms[metric]["StateValue"] in ("OK", "ALARM"), (metric, alarms[metric]["StateValue"])


def test_a_percentile_alarm_goes_off_when_breached_and_tells_its_topic(stack, shoot_processed):
    """The deployed p90 alarm, as a copy with a threshold our photos cross, evaluated every minute."""
    cloudwatch, sqs, sns = stack.aws("cloudwatch"), stack.aws("sqs"), stack.aws("sns")
    key = stack.upload(photo(640, 480, seed=77), "ops alarm.jpg", shoot=shoot_processed["shoot"]["id"])
    assert stack.studio.wait(key, timeout=60)["status"] == "processed"  # a datapoint in the last minutes
    deployed = next(a for a in cloudwatch.describe_alarms()["MetricAlarms"] if a.get("ExtendedStatistic") == "p90")
    inbox = sqs.create_queue(QueueName=f"alarm-inbox-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name=f"alarm-test-{uuid.uuid4().hex[:8]}")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn)
    name = f"{deployed['AlarmName']}-test-{uuid.uuid4().hex[:6]}"
    try:
        cloudwatch.put_metric_alarm(
            AlarmName=name, Namespace=deployed["Namespace"], MetricName=deployed["MetricName"],
            Dimensions=deployed["Dimensions"], ExtendedStatistic="p90", Period=60, EvaluationPeriods=1,
            Threshold=0.001, ComparisonOperator=deployed["ComparisonOperator"], TreatMissingData="notBreaching",
            AlarmActions=[topic], OKActions=[topic])
        state = wait_for(lambda: (s := cloudwatch.describe_alarms(AlarmNames=[name])["MetricAlarms"][0])["StateValue"]
                         == "ALARM" and s, timeout=150)
        reason = json.loads(state["StateReasonData"])
        assert reason["recentDatapoints"] and min(reason["recentDatapoints"]) > 0.001

        def notified():
            for message in sqs.receive_message(QueueUrl=inbox, WaitTimeSeconds=2, MaxNumberOfMessages=10).get("Messages", []):
                body = json.loads(json.loads(message["Body"])["Message"])
                if body["AlarmName"] == name and body["NewStateValue"] == "ALARM":
                    return body
            return None

        told = wait_for(notified, timeout=30)
        assert told["Trigger"]["ExtendedStatistic"] == "p90" and told["Trigger"]["MetricName"] == "total_ms"
    finally:
        cloudwatch.delete_alarms(AlarmNames=[name])
        sns.delete_topic(TopicArn=topic)
        sqs.delete_queue(QueueUrl=inbox)


def test_sqs_reports_the_age_of_its_oldest_message(stack):
    sqs, cloudwatch = stack.aws("sqs"), stack.aws("cloudwatch")
    name = f"age-test-{uuid.uuid4().hex[:8]}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    sent = datetime.now(UTC)
    try:
        sqs.send_message(QueueUrl=url, MessageBody="waiting")

        def aged():  # published once a minute, as on AWS
            got, _ = figures(cloudwatch, "AWS/SQS", "ApproximateAgeOfOldestMessage", {"QueueName": name},
                             sent - timedelta(minutes=1), datetime.now(UTC) + timedelta(minutes=1), ["Maximum"])
            return got["Maximum"] and got["Maximum"][0] >= 1 and got["Maximum"][0]

        oldest = wait_for(aged, timeout=150)
        assert oldest <= (datetime.now(UTC) - sent).total_seconds() + 1
    finally:
        sqs.delete_queue(QueueUrl=url)


# --- the ops API ----------------------------------------------------------------------------------

def test_the_ops_api_charts_the_pipeline_for_staff(stack, shoot_processed):
    staff = {"Authorization": f"Bearer {stack.staff['api_token']}"}
    began = time.perf_counter()
    answer = requests.get(f"{stack.web_url}/api/ops/metrics?hours=1", headers=staff, timeout=30)
    print(f"GET /api/ops/metrics?hours=1: {1000 * (time.perf_counter() - began):.0f} ms")
    assert answer.status_code == 200, answer.text[:500]
    data = answer.json()
    assert data["range"]["hours"] == 1 and data["range"]["period_s"] == 60 and len(data["timestamps"]) == 60
    assert data["totals"]["processed"] >= 4 and data["totals"]["failed"] >= 1
    assert sum(data["processed_per_minute"]) == pytest.approx(data["totals"]["processed"])
    assert shoot_processed["reason"] in {f["reason"] for f in data["failures"]}
    assert [s["stage"] for s in data["stages"]] == list(names.JOB_STAGES)
    assert all(s["p50"] is not None and s["p50"] <= s["p90"] for s in data["stages"]), data["stages"]
    assert data["job"]["p50"] <= data["job"]["p90"] and any(v is not None for v in data["job"]["p90_series"])
    now = data["queue"]["now"]
    assert set(now) == {"waiting", "in_flight", "delayed", "dead_letter", "oldest_age_s"}
    assert now["oldest_age_s"] is not None  # the plugin's ApproximateAgeOfOldestMessage
    for hours in (6, 24):
        wider = requests.get(f"{stack.web_url}/api/ops/metrics?hours={hours}", headers=staff, timeout=30).json()
        assert wider["totals"]["processed"] >= data["totals"]["processed"]
        assert len(wider["timestamps"]) == {6: 72, 24: 96}[hours]


def test_the_ops_page_and_api_refuse_anyone_but_staff(stack, shoot_processed):
    url = stack.web_url
    assert requests.get(f"{url}/api/ops/metrics", timeout=30).status_code == 401
    assert requests.get(f"{url}/api/ops/metrics", headers={"Authorization": "Bearer nope"}, timeout=30).status_code == 401
    page = requests.get(f"{url}/ops", timeout=30, allow_redirects=False)
    assert page.status_code == 302 and "/signin" in page.headers["Location"]
    # a client: the shoot's share link, opened in a browser-like session, and its token as a bearer
    link = requests.post(f"{url}/api/shoots/{shoot_processed['shoot']['id']}/links", timeout=30,
                         headers={"Authorization": f"Bearer {stack.staff['api_token']}"},
                         json={"name": "Client", "downloads": "web", "proofs": True}).json()
    client = requests.Session()
    assert client.get(link["url"], timeout=30).status_code == 200
    assert client.get(f"{url}/api/ops/metrics", timeout=30).status_code == 401
    assert "/signin" in client.get(f"{url}/ops", timeout=30, allow_redirects=False).headers["Location"]
    token = link["url"].rsplit("/g/", 1)[1]
    assert requests.get(f"{url}/api/ops/metrics", headers={"Authorization": f"Bearer {token}"},
                        timeout=30).status_code == 401
