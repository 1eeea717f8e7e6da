"""SQS event source mappings that scale like AWS's: several pollers, each invoking the function.

LocalStack's core runs one poller per mapping and invokes synchronously, so a mapping never has
more than one execution environment busy, however long the queue. AWS scales the pollers of an
SQS mapping up to its `ScalingConfig.MaximumConcurrency`; this hook does the same, so a shoot
uses every core of the machine, and LocalStack starts (and keeps warm) one environment per busy
poller. The first poller is LocalStack's own loop, which keeps the mapping's state; the others
only poll. FIFO queues keep one poller, for their order.
"""

from __future__ import annotations

import logging
import threading

from localstack import config
from localstack.runtime import hooks
from localstack.services.lambda_.event_source_mapping.esm_worker import EsmWorker
from localstack.services.lambda_.event_source_mapping.pollers.poller import EmptyPollResultsException
from localstack.services.lambda_.event_source_mapping.pollers.sqs_poller import SqsPoller
from localstack.utils.backoff import ExponentialBackoff
from localstack.utils.patch import patch

LOG = logging.getLogger(__name__)


def pollers_for(worker: EsmWorker) -> int:
    if not isinstance(worker.poller, SqsPoller) or worker.poller.is_fifo_queue:
        return 1
    return max(1, int((worker.esm_config.get("ScalingConfig") or {}).get("MaximumConcurrency") or 1))


def _more_polls(worker: EsmWorker) -> None:
    """One extra poller, with LocalStack's own waits between polls."""
    empty = ExponentialBackoff(initial_interval=1, max_interval=config.LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_EMPTY_POLL_SEC)
    failing = ExponentialBackoff(initial_interval=2, max_interval=config.LAMBDA_EVENT_SOURCE_MAPPING_MAX_BACKOFF_ON_ERROR_SEC)
    while not worker._shutdown_event.is_set():
        try:
            worker.poller.poll_events()
            empty.reset()
            failing.reset()
            wait = config.LAMBDA_EVENT_SOURCE_MAPPING_POLL_INTERVAL_SEC
        except EmptyPollResultsException:
            wait = empty.next_backoff()
        except Exception as error:  # noqa: BLE001 - as LocalStack's loop: log, back off, go on
            LOG.warning("an extra poller of mapping %s failed: %s", worker.uuid, error)
            wait = failing.next_backoff()
        worker._shutdown_event.wait(wait)


def _scaled_poller_loop(original, self: EsmWorker, *args, **kwargs):
    extra = [threading.Thread(target=_more_polls, args=(self,), daemon=True, name=f"esm-poller-{self.uuid}-{n}")
             for n in range(1, pollers_for(self))]
    for thread in extra:
        thread.start()
    if extra:
        LOG.info("event source mapping %s: %d pollers", self.uuid, len(extra) + 1)
    try:
        return original(self, *args, **kwargs)
    finally:
        for thread in extra:
            thread.join(timeout=5)


@hooks.on_infra_start()
def scale_sqs_pollers() -> None:
    patch(EsmWorker.poller_loop)(_scaled_poller_loop)
