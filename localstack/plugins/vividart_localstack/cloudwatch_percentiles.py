"""Percentile statistics in LocalStack's CloudWatch, so the same queries and alarms work locally.

LocalStack's CloudWatch (provider v2) keeps every value put in SQLite, but computes only Sum,
Average, Minimum, Maximum and SampleCount: GetMetricData with "p90" fails, and alarms with an
ExtendedStatistic are never evaluated. This hook answers a pNN statistic from the stored raw
values (percentiles.py), for GetMetricData and so for the alarm scheduler, which queries through
it; it evaluates alarms with an ExtendedStatistic; and it lets their state changes reach Lambda
actions. Values put as StatisticValues (sums, no raw values) have no percentiles, as on AWS.
The rows are chosen exactly as LocalStack chooses them for its other statistics.
"""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

from localstack.aws.api.cloudwatch import ScanBy
from localstack.runtime import hooks
from localstack.services.cloudwatch import alarm_scheduler, provider_v2
from localstack.services.cloudwatch.alarm_scheduler import AlarmScheduler
from localstack.services.cloudwatch.cloudwatch_database_helper import CloudwatchDatabase
from localstack.utils.patch import patch

from vividart_localstack.percentiles import percent_of, percentile_series


def _metric_data_stat(original, self: CloudwatchDatabase, account_id, region, query, start_time, end_time,
                      scan_by=None, **kwargs):
    metric_stat = query.get("MetricStat") or {}
    percent = percent_of(metric_stat.get("Stat"))
    if percent is None:
        return original(self, account_id=account_id, region=region, query=query, start_time=start_time,
                        end_time=end_time, scan_by=scan_by, **kwargs)
    metric, unit = metric_stat["Metric"], metric_stat.get("Unit")
    dimensions = metric.get("Dimensions") or []
    start, end = self._convert_timestamp_to_unix(start_time), self._convert_timestamp_to_unix(end_time)
    sql = (f"SELECT timestamp, value FROM {self.TABLE_SINGLE_METRICS} WHERE account_id = ? AND region = ? "
           "AND namespace = ? AND metric_name = ? AND timestamp >= ? AND timestamp < ?")
    params = [account_id, region, metric.get("Namespace"), metric.get("MetricName"), start, end]
    if dimensions:
        sql += " AND dimensions LIKE ?"
        params.append(self._get_ordered_dimensions_with_separator(list(dimensions), for_search=True))
    else:
        sql += " AND dimensions IS NULL"
    if unit == "NULL_VALUE":
        sql += " AND unit IS NULL"
    elif unit:
        sql += " AND unit = ?"
        params.append(unit)
    with self.DATABASE_LOCK, sqlite3.connect(self.METRICS_DB_READ_ONLY, uri=True) as conn:
        rows = conn.execute(sql, params).fetchall()
    newest_first = scan_by is None or scan_by == ScanBy.TimestampDescending
    timestamps, values = percentile_series(rows, start, end, int(metric_stat["Period"]), percent, newest_first)
    return {"timestamps": timestamps, "values": values}


def _alarm_supported(original, self: AlarmScheduler, alarm_details) -> bool:
    if "Statistic" not in alarm_details and percent_of(alarm_details.get("ExtendedStatistic")) is not None:
        alarm_details = dict(alarm_details, Statistic=alarm_details["ExtendedStatistic"])
    return original(self, alarm_details)


def _alarm_query(original, alarm_details):
    return original(dict(alarm_details, Statistic=_statistic_of(alarm_details)))


def _alarm_query_for_lambda_actions(original, alarm):
    return original(SimpleNamespace(alarm=dict(alarm.alarm, Statistic=_statistic_of(alarm.alarm))))


def _statistic_of(alarm_details) -> str:
    return alarm_details.get("Statistic") or alarm_details.get("ExtendedStatistic")


@hooks.on_infra_start()
def percentiles_in_cloudwatch() -> None:
    patch(CloudwatchDatabase.get_metric_data_stat)(_metric_data_stat)
    patch(AlarmScheduler._is_alarm_supported)(_alarm_supported)
    patch(alarm_scheduler.generate_metric_query)(_alarm_query)
    patch(provider_v2.create_metric_data_query_from_alarm)(_alarm_query_for_lambda_actions)
