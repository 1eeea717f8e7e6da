"""SQS's CloudWatch metrics as the project reads them: per-request ones left out, the age of the
oldest message added.

LocalStack writes one metric per SQS request (messages sent, received, deleted, and every empty
poll of every event source mapping) to its CloudWatch store as it happens: a new SQLite
connection and a commit each, about a fifth of LocalStack's CPU while a shoot is processed, and a
steady cost when idle. Nothing here reads them. Queue depth comes from LocalStack's periodic
publisher and is kept; that publisher lacks ApproximateAgeOfOldestMessage (AWS publishes it, the
dashboard and the operations page chart it), so it is published beside the others, every
SQS_CLOUDWATCH_METRICS_REPORT_INTERVAL seconds.
"""

from __future__ import annotations

import logging
import time

from localstack.runtime import hooks
from localstack.services.sqs.models import sqs_stores
from localstack.services.sqs.provider import CloudwatchDispatcher, CloudwatchPublishWorker
from localstack.utils.cloudwatch.cloudwatch_util import publish_sqs_metric_batch
from localstack.utils.patch import patch

LOG = logging.getLogger(__name__)


def _not_recorded(original, self, *args, **kwargs) -> None:
    return None


def _messages(queue) -> list:
    """Every message the queue holds: waiting, in flight or delayed (FIFO: in its groups)."""
    with queue.mutex:
        held = list(queue.inflight) + list(queue.delayed)
        if hasattr(queue, "visible"):
            held += list(queue.visible.queue)
        for group in getattr(queue, "message_groups", {}).values():
            held += list(group.messages)
    return [message for message in held if not message.deleted]


def oldest_message_age_s(queue, now: float) -> int:
    ages = [now - message.created for message in _messages(queue)]
    return int(max(ages, default=0))


def _with_age_of_oldest_message(original, self, *args, **kwargs):
    original(self, *args, **kwargs)
    now = time.time()
    for account_id, region, store in sqs_stores.iter_stores():
        ages = []
        for queue in list(store.queues.values()):
            try:
                ages.append({"QueueName": queue.name, "MetricName": "ApproximateAgeOfOldestMessage",
                             "Value": oldest_message_age_s(queue, now), "Unit": "Seconds"})
            except RuntimeError:  # changed while read: next time
                LOG.debug("queue %s changed while its oldest message was looked for", queue.name)
        if ages:
            publish_sqs_metric_batch(account_id=account_id, region=region, sqs_metric_batch_data=ages)


@hooks.on_infra_start()
def skip_per_request_sqs_metrics() -> None:
    patch(CloudwatchDispatcher.dispatch_sqs_metric)(_not_recorded)


@hooks.on_infra_start()
def publish_age_of_oldest_message() -> None:
    patch(CloudwatchPublishWorker.publish_approximate_cloudwatch_metrics)(_with_age_of_oldest_message)
