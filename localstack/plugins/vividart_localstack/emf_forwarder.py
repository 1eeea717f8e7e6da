"""A function's EMF log lines become CloudWatch metrics, as AWS's Lambda service and CloudWatch
Logs make them: the executor hands each invocation's output here, and one background thread
parses it (emf.py) and publishes it to LocalStack's own CloudWatch, in batches.

Off the invocation's path: `submit` only queues the text (an unbounded queue: it never blocks and
never drops), so a slow or failing CloudWatch costs the function nothing.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from vividart_localstack import emf

LOG = logging.getLogger(__name__)
LINGER_S = 0.2  # gather output for this long after the first, so busy moments publish in batches
TRIES = 3


def _put_metric_data(account: str, region: str, call: dict) -> None:
    from localstack.aws.connect import connect_to  # LocalStack's in-process client

    connect_to(aws_access_key_id=account, region_name=region).cloudwatch.put_metric_data(**call)


class EmfForwarder:
    def __init__(self, publish: Callable[[str, str, dict], None] = _put_metric_data, linger_s: float = LINGER_S):
        self._publish = publish
        self._linger_s = linger_s
        self._queue: queue.SimpleQueue[tuple[str, str, str, float]] = queue.SimpleQueue()
        self._started = False
        self._lock = threading.Lock()

    def submit(self, account: str, region: str, log_text: str) -> None:
        """Queue one invocation's output (cheap; called on the invocation's thread)."""
        if '"_aws"' not in log_text:
            return
        if not self._started:
            self._start()
        self._queue.put((account, region, log_text, time.monotonic()))

    def _start(self) -> None:
        with self._lock:
            if not self._started:
                threading.Thread(target=self._run, daemon=True, name="vividart-emf-forwarder").start()
                self._started = True

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            deadline = time.monotonic() + self._linger_s
            while (left := deadline - time.monotonic()) > 0:
                try:
                    batch.append(self._queue.get(timeout=left))
                except queue.Empty:
                    break
            try:
                self._forward(batch)
            except Exception:  # noqa: BLE001 - the thread must outlive any one bad batch
                LOG.exception("EMF forwarding failed for a batch of %d outputs", len(batch))

    def _forward(self, batch: list[tuple[str, str, str, float]]) -> None:
        by_target: dict[tuple[str, str], list[emf.NamespacedDatum]] = {}
        for account, region, text, _ in batch:
            for line in emf.documents(text):
                try:
                    by_target.setdefault((account, region), []).extend(emf.metric_data(line))
                except emf.MalformedEmf as error:
                    LOG.debug("not an EMF document CloudWatch would take (%s): %.200s", error, line)
        for (account, region), data in by_target.items():
            for call in emf.put_metric_data_calls(data):
                self._publish_with_retries(account, region, call)
        LOG.debug("EMF: %d outputs published, the oldest queued %.0f ms ago", len(batch),
                  (time.monotonic() - batch[0][3]) * 1000)

    def _publish_with_retries(self, account: str, region: str, call: dict) -> None:
        for attempt in range(1, TRIES + 1):
            try:
                self._publish(account, region, call)
                return
            except Exception as error:  # noqa: BLE001 - CloudWatch still starting, or refusing a datum
                if attempt == TRIES:
                    LOG.warning("EMF: %d metric data to %s not published: %s", len(call["MetricData"]),
                                call["Namespace"], error)
                    return
                time.sleep(attempt)


FORWARDER = EmfForwarder()
