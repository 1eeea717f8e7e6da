"""The deployed CloudWatch dashboard shows what on-call looks at: jobs done and failed, where the
time goes, the function, the queues and the alarms, for this stack's resources."""

import json

import pytest

from photo_processor import telemetry as metrics

pytestmark = pytest.mark.integration


def test_the_dashboard_watches_this_stacks_jobs_function_queues_and_alarms(stack):
    out, cloudwatch = stack.outputs, stack.aws("cloudwatch")
    body = json.loads(cloudwatch.get_dashboard(DashboardName=out["dashboard_name"])["DashboardBody"])
    widgets = {w["properties"]["title"]: w for w in body["widgets"]}
    assert set(widgets) == {"Photos processed and failed", "Time per job (ms)",
                            "Where the time goes: average per stage (ms)", "Photo processor function",
                            "Jobs waiting", "Alarms"}

    def metric_rows(title):
        return [row for row in widgets[title]["properties"]["metrics"] if isinstance(row[0], str)]

    processed = metric_rows("Photos processed and failed")[0]
    assert processed[:4] == [metrics.NAMESPACE, "processed", "FunctionName", out["function_name"]]
    failed = widgets["Photos processed and failed"]["properties"]["metrics"][1][0]["expression"]
    assert metrics.NAMESPACE in failed and "Reason" in failed  # every failure reason, found by search
    assert f'FunctionName="{out["function_name"]}"' in failed  # of this stack only
    stages = {row[1] for row in metric_rows("Where the time goes: average per stage (ms)")}
    assert {"decode_ms", "adjust_ms", "resize_ms", "sharpen_ms", "encode_ms", "download_ms", "upload_ms"} <= stages
    assert metric_rows("Photo processor function")[0][3] == out["function_name"]
    queues = {row[3] for row in metric_rows("Jobs waiting") if len(row) > 3 and row[3] != "."}
    assert queues == {out["queue_url"].rsplit("/", 1)[1], out["dlq_url"].rsplit("/", 1)[1]}
    alarms = cloudwatch.describe_alarms(AlarmNames=[a.rsplit(":", 1)[1] for a in widgets["Alarms"]["properties"]["alarms"]])
    assert len(alarms["MetricAlarms"]) == 4  # the processor's and the queue's (the web's are AWS-only)
