"""Live job events for open pages. A cache of what S3 already holds: losing it loses nothing."""

from __future__ import annotations

import queue
import threading
from collections import deque

RECENT = 50


class Broker:
    def __init__(self) -> None:
        self._subscribers: set[queue.Queue] = set()
        self._recent: deque[dict] = deque(maxlen=RECENT)
        self._lock = threading.Lock()

    def publish(self, event: dict) -> None:
        with self._lock:
            self._recent.appendleft(event)
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber.put(event)

    def subscribe(self) -> queue.Queue:
        subscriber: queue.Queue = queue.Queue()
        with self._lock:
            self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: queue.Queue) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    def recent(self) -> list[dict]:
        with self._lock:
            return list(self._recent)
