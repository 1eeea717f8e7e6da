"""The operations page's pure part (its window, its CloudWatch queries, the shaping of their
results), its routes' rules, and the metric names every reader shares (photo_jobs.metrics)."""

import re
from datetime import UTC, datetime

import hcl2
import pytest

from photo_jobs import metrics as names, records
from support import REPO
from webapp.services import ops

NOW = 1_795_603_453.7  # an instant inside a minute, an hour, a day


@pytest.mark.parametrize("hours, points", [(1, 60), (6, 72), (24, 96)])
def test_the_window_covers_the_hours_up_to_now_in_whole_aligned_periods(hours, points):
    win = ops.window(NOW, hours)
    assert win.end - win.start == hours * 3600
    assert win.start % win.period == 0 and win.end % win.period == 0
    assert win.start <= NOW < win.end and win.end - NOW <= win.period  # now is in the last point
    assert len(win.axis) == points and win.axis[0] == win.start and win.axis[-1] == win.end - win.period


def queries(reasons=("corrupt", "unsupported")):
    return ops.metric_queries(ops.window(NOW, 1), "vividart-local-photo-processor", "vividart-local-jobs",
                              "vividart-local-jobs-dlq", list(reasons))


def test_the_queries_read_the_processors_metrics_and_the_queues_by_their_shared_names():
    listed = queries()
    ids = [q["Id"] for q in listed]
    assert len(ids) == len(set(ids)) <= ops.MAX_QUERIES
    assert all(re.fullmatch(r"[a-z][a-zA-Z0-9_]*", i) for i in ids)  # GetMetricData's rule for ids
    by_id = {q["Id"]: q["MetricStat"] for q in listed}
    function = {"Name": names.FUNCTION_DIMENSION, "Value": "vividart-local-photo-processor"}
    assert by_id["processed"]["Metric"] == {"Namespace": names.NAMESPACE, "MetricName": names.PROCESSED,
                                            "Dimensions": [function]}
    assert by_id["processed"]["Stat"] == "Sum" and by_id["processed"]["Period"] == 60
    assert by_id["failed_1"]["Metric"]["Dimensions"] == [function, {"Name": names.REASON_DIMENSION, "Value": "unsupported"}]
    for stage in (*names.JOB_STAGES, names.TOTAL_STAGE):
        for stat in ("p50", "p90"):
            stat_of = by_id[f"stage_{stage}_{stat}"]
            assert stat_of["Metric"]["MetricName"] == names.stage_metric(stage) and stat_of["Stat"] == stat
            assert stat_of["Period"] == 3600  # one figure for the whole window
    assert by_id["job_p90"]["Period"] == 60 and by_id["job_p90"]["Metric"]["MetricName"] == "total_ms"
    assert by_id["queue_oldest"]["Metric"] == {"Namespace": "AWS/SQS", "MetricName": "ApproximateAgeOfOldestMessage",
                                               "Dimensions": [{"Name": "QueueName", "Value": "vividart-local-jobs"}]}
    assert by_id["dead_letter_depth"]["Metric"]["Dimensions"][0]["Value"] == "vividart-local-jobs-dlq"
    assert ops.queue_name("http://127.0.0.1:4566/000000000000/vividart-local-jobs-dlq") == "vividart-local-jobs-dlq"


def at(epoch):
    return datetime.fromtimestamp(epoch, tz=UTC)


def test_results_become_series_on_one_axis_with_counts_per_minute_and_gaps_for_missing_times():
    win = ops.window(NOW, 6)  # 5-minute points
    first, last = win.start, win.end - win.period
    results = {
        "processed": {"Timestamps": [at(last), at(first), at(first - 300)], "Values": [10.0, 5.0, 99.0]},
        "failed_0": {"Timestamps": [at(first)], "Values": [1.0]},
        "failed_1": {"Timestamps": [at(first + 300), at(last)], "Values": [2.0, 3.0]},
        "stage_decode_p50": {"Timestamps": [at(win.start)], "Values": [12.345]},
        "stage_decode_p90": {"Timestamps": [at(win.start)], "Values": [40.0]},
        "stage_total_p50": {"Timestamps": [at(win.start)], "Values": [100.0]},
        "stage_total_p90": {"Timestamps": [at(win.start)], "Values": [250.0]},
        "job_p90": {"Timestamps": [at(first + 300)], "Values": [240.0]},
        "queue_oldest": {"Timestamps": [at(last - 600), at(last - 300)], "Values": [30.0, 45.0]},
        "queue_depth": {"Timestamps": [at(last)], "Values": [4.0]},
    }
    now = {"waiting": 4, "in_flight": 2, "delayed": 0, "dead_letter": 1}
    shaped = ops.shape(win, results, ["corrupt", "unsupported"], now)
    assert len(shaped["timestamps"]) == 72 and shaped["timestamps"][0] == at(first).isoformat().replace("+00:00", "Z")
    per_minute = shaped["processed_per_minute"]
    assert per_minute[0] == 1.0 and per_minute[-1] == 2.0 and per_minute[1:-1] == [0.0] * 70  # 5 and 10 in 5 min
    assert shaped["totals"] == {"processed": 15, "failed": 6}  # the point before the window is not counted
    assert [f["reason"] for f in shaped["failures"]] == ["unsupported", "corrupt"]  # most first
    assert shaped["failures"][0]["total"] == 5 and shaped["failures"][0]["per_minute"][1] == 0.4
    decode = next(s for s in shaped["stages"] if s["stage"] == "decode")
    assert decode == {"stage": "decode", "p50": 12.35, "p90": 40.0}
    assert next(s for s in shaped["stages"] if s["stage"] == "resize") == {"stage": "resize", "p50": None, "p90": None}
    assert [s["stage"] for s in shaped["stages"]] == list(names.JOB_STAGES)
    assert shaped["job"]["p50"] == 100.0 and shaped["job"]["p90"] == 250.0
    assert shaped["job"]["p90_series"][1] == 240.0 and shaped["job"]["p90_series"][0] is None  # no time: no point
    assert shaped["queue"]["depth"][-1] == 4.0 and shaped["queue"]["depth"][0] is None
    assert shaped["queue"]["now"] == dict(now, oldest_age_s=45.0)
    assert shaped["range"] == {"hours": 6, "period_s": 300, "start": shaped["timestamps"][0],
                               "end": at(win.end).isoformat().replace("+00:00", "Z")}


def test_with_no_metrics_at_all_every_figure_is_empty_not_an_error():
    win = ops.window(NOW, 1)
    shaped = ops.shape(win, {}, sorted(records.REASONS), ops.queues_now({}, {}))
    assert shaped["totals"] == {"processed": 0, "failed": 0} and shaped["failures"] == []
    assert set(shaped["processed_per_minute"]) == {0.0} and set(shaped["queue"]["depth"]) == {None}
    assert shaped["queue"]["now"] == {"waiting": 0, "in_flight": 0, "delayed": 0, "dead_letter": 0, "oldest_age_s": None}
    assert all(s["p50"] is None and s["p90"] is None for s in shaped["stages"])


def test_an_old_age_of_the_oldest_job_is_not_shown_as_now():
    win = ops.window(NOW, 1)
    stale = {"queue_oldest": {"Timestamps": [at(win.end - 10 * win.period)], "Values": [30.0]}}
    assert ops.shape(win, stale, [], ops.queues_now({}, {}))["queue"]["now"]["oldest_age_s"] is None


def test_the_queues_now_come_from_their_attributes():
    jobs = {"ApproximateNumberOfMessages": "7", "ApproximateNumberOfMessagesNotVisible": "3",
            "ApproximateNumberOfMessagesDelayed": "1"}
    assert ops.queues_now(jobs, {"ApproximateNumberOfMessages": "2"}) == {
        "waiting": 7, "in_flight": 3, "delayed": 1, "dead_letter": 2}


# --- one name for each metric, everywhere --------------------------------------------------------

def test_the_stages_read_are_the_stages_the_processor_times():
    from photo_processor import jobs

    assert names.JOB_STAGES == jobs.STAGES


def test_the_alarms_watch_the_metrics_the_processor_writes_and_notify_the_topic():
    with open(REPO / "terraform" / "modules" / "observability" / "main.tf") as config:
        parsed = hcl2.load(config)
    alarms = {unquote(name): body for block in parsed["resource"] for kind, named in block.items()
              if unquote(kind) == "aws_cloudwatch_metric_alarm" for name, body in named.items()}
    assert {"dlq_not_empty", "processor_errors", "processor_throttles", "job_duration_p90"} <= set(alarms)
    p90 = alarms["job_duration_p90"]
    assert unquote(p90["metric_name"]) == names.stage_metric(names.TOTAL_STAGE)
    assert unquote(p90["extended_statistic"]) == "p90" and "statistic" not in p90
    assert p90["namespace"] == "${local.metrics_namespace}"
    assert set(p90["dimensions"]) == {names.FUNCTION_DIMENSION}
    for alarm in alarms.values():
        assert alarm["alarm_actions"] == ["${aws_sns_topic.alarms.arn}"] == alarm["ok_actions"]
        assert unquote(alarm["treat_missing_data"]) == "notBreaching"


def unquote(value):
    return value.strip('"') if isinstance(value, str) else value


# --- the routes ----------------------------------------------------------------------------------

@pytest.fixture
def app(database_url, monkeypatch):
    from photo_jobs.settings import StackSource
    from webapp import create_app
    from webapp.services import accounts

    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "test")
    app = create_app({"TESTING": True, "SECRET_KEY": "test secret", "DATABASE_URL": database_url,
                      "STACK_SOURCE": StackSource({}), "START_EVENTS": False})
    with app.extensions["db"].transaction() as conn:
        conn.execute("TRUNCATE staff, api_tokens RESTART IDENTITY CASCADE")
        staff = accounts.create_staff(conn, "ops@studio.example", "correct horse battery", "Ops")
        app.config["TOKEN"] = accounts.create_token(conn, staff.id, "tests")
    yield app
    app.extensions["db"].close()


def test_the_page_and_its_api_are_for_staff_only(app):
    client = app.test_client()
    refused = client.get("/api/ops/metrics?hours=6")
    assert refused.status_code == 401 and "sign in" in refused.get_json()["message"]
    page = client.get("/ops")
    assert page.status_code == 302 and page.headers["Location"].startswith("/signin?next=") and "ops" in page.headers["Location"]
    wrong = client.get("/api/ops/metrics", headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401


def test_only_the_offered_ranges_are_taken(app):
    staff = {"Authorization": f"Bearer {app.config['TOKEN']}"}
    client = app.test_client()
    for hours in ("5", "0", "-1", "abc", "1e9"):
        assert client.get(f"/api/ops/metrics?hours={hours}", headers=staff).status_code == 422, hours
    assert client.get("/api/ops/metrics?hours=6", headers=staff).status_code == 503  # nothing deployed yet


def test_the_page_charts_with_the_vendored_chart_js_and_is_in_the_staff_navigation(app):
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").get_data(as_text=True)).group(1)
    client.post("/signin", data={"email": "ops@studio.example", "password": "correct horse battery",
                                 "csrf_token": token})
    html = client.get("/ops").get_data(as_text=True)
    assert '<a href="/ops" aria-current="page">Operations</a>' in html
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html and "//cdn" not in html
    assert [int(h) for h in re.findall(r'data-hours="(\d+)"', html)][1:] == sorted(ops.PERIODS)
    assert (REPO / "services/webapp/webapp/static/js/ops.js").exists()
    assert '<a href="/ops">Operations</a>' in client.get("/").get_data(as_text=True)
    assert "/api/ops/metrics" in client.get("/api/openapi.json").get_json()["paths"]
