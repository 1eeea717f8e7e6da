"""SQS's per-request CloudWatch metrics, left out locally.

LocalStack writes one metric per SQS request (messages sent, received, deleted, and every empty
poll of every event source mapping) to its CloudWatch store as it happens: a new SQLite
connection and a commit each, about a fifth of LocalStack's CPU while a shoot is processed, and a
steady cost when idle. Nothing here reads them. Queue depth and the age of the oldest message,
which the dashboard and the dead-letter alarm read, come from LocalStack's periodic publisher and
are kept.
"""

from __future__ import annotations

from localstack.runtime import hooks
from localstack.services.sqs.provider import CloudwatchDispatcher
from localstack.utils.patch import patch


def _not_recorded(original, self, *args, **kwargs) -> None:
    return None


@hooks.on_infra_start()
def skip_per_request_sqs_metrics() -> None:
    patch(CloudwatchDispatcher.dispatch_sqs_metric)(_not_recorded)
