"""Live events for open pages, as server-sent events, on every instance of the web app.

Whatever one instance learns (an SNS notification, a client's favourite) it publishes with
PostgreSQL's NOTIFY; each instance LISTENs on one connection and hands every event to the pages
open on it that may see it: the staff of the shoot, or the clients of one share link. A page's
queue is bounded: a page that cannot keep up is dropped (its browser reconnects and reloads), and
beyond MAX_STREAMS an instance answers 503 rather than starve its other requests.

Events name photos and say what happened to them; they never carry a URL. Each goes to an audience:
"staff" (the studio's pages of the shoot), "clients" (every client gallery of the shoot), "link:<id>"
(one link's galleries), or "everyone".
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field

LOG = logging.getLogger(__name__)
CHANNEL = "vividart_events"
STAFF, CLIENTS, EVERYONE = "staff", "clients", "everyone"
WITHDRAWN = "withdrawn"  # a link's streams end now, on every instance (revoked, or its PIN changed)


class Busy(Exception):
    """This instance holds as many event streams as it may."""


@dataclass(eq=False)
class Subscriber:
    shoot: str
    audience: str  # STAFF, or "link:<id>" for a client's share link
    queue: queue.Queue = field(default_factory=lambda: queue.Queue(maxsize=Hub.QUEUE_SIZE))
    dropped: bool = False

    def wants(self, event: dict) -> bool:
        """Staff hear what is for staff or everyone; a client what is for clients, everyone or its link."""
        if event.get("shoot") != self.shoot:
            return False
        to = event.get("to", EVERYONE)
        if self.audience == STAFF:
            return to in (EVERYONE, STAFF)
        return to in (EVERYONE, CLIENTS, self.audience)


class Hub:
    QUEUE_SIZE = 100
    STAFF_SHARE = 0.2  # of an instance's streams, kept for staff: clients cannot take them all

    def __init__(self, database, max_streams: int = 1000) -> None:
        self._db = database
        self.max_streams = max_streams
        self._subscribers: set[Subscriber] = set()
        self._lock = threading.Lock()
        self._listener: threading.Thread | None = None
        self._stopped = threading.Event()

    def publish(self, shoot: str, kind: str, data: dict, to: str = EVERYONE) -> None:
        """Tell every instance's pages of this shoot (and audience) what happened."""
        self._db.notify(CHANNEL, {"shoot": shoot, "kind": kind, "to": to, "data": data})

    def withdraw(self, shoot: str, audience: str) -> None:
        """End the open streams of this audience (a link's) now, on every instance; the check at
        each heartbeat is there for what no one announces (an expiry) and for a lost notice."""
        self.publish(shoot, WITHDRAWN, {}, to=audience)

    # --- pages ------------------------------------------------------------------------------

    def subscribe(self, shoot: str, audience: str) -> Subscriber:
        self._ensure_listening()
        subscriber = Subscriber(shoot, audience)
        with self._lock:
            if len(self._subscribers) >= self.max_streams:
                raise Busy(f"{self.max_streams} event streams are open on this instance")
            if audience != STAFF and self._client_streams() >= self.max_streams * (1 - self.STAFF_SHARE):
                raise Busy("the streams clients may hold on this instance are all open")
            self._subscribers.add(subscriber)
        return subscriber

    def _client_streams(self) -> int:
        return sum(1 for s in self._subscribers if s.audience != STAFF)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    @property
    def streams(self) -> int:
        return len(self._subscribers)

    def stream(self, subscriber: Subscriber, heartbeat: float, still_allowed=lambda: True, closed=lambda: None):
        """The text of a server-sent event stream: events, and a comment line every `heartbeat`
        seconds so that proxies and load balancers keep it open. Every `heartbeat` seconds, busy
        or idle, `still_allowed()` is asked again: once the session, token or link behind the
        stream is withdrawn, it says so (event `ended`) and closes. `closed()` runs at the end."""
        try:
            yield "retry: 2000\n: connected\n\n"
            check_at = time.monotonic() + heartbeat
            while not subscriber.dropped:
                try:
                    event = subscriber.queue.get(timeout=max(0.0, check_at - time.monotonic()))
                except queue.Empty:
                    event = None
                if time.monotonic() >= check_at:
                    if not still_allowed():
                        yield "event: ended\ndata: {}\n\n"
                        return
                    check_at = time.monotonic() + heartbeat
                    if event is None:
                        yield ": heartbeat\n\n"
                if event is not None and event["kind"] == WITHDRAWN:
                    yield "event: ended\ndata: {}\n\n"
                    return
                if event is not None:
                    yield f"event: {event['kind']}\ndata: {json.dumps(event['data'], separators=(',', ':'))}\n\n"
        finally:
            self.unsubscribe(subscriber)
            closed()

    # --- the listener -----------------------------------------------------------------------

    def dispatch(self, event: dict) -> None:
        with self._lock:
            subscribers = [s for s in self._subscribers if s.wants(event)]
        for subscriber in subscribers:
            try:
                subscriber.queue.put_nowait(event)
            except queue.Full:
                subscriber.dropped = True  # too slow: its browser reconnects and reloads the page's state

    def start(self) -> None:
        """Listen from now on (create_app calls it: events published before a page subscribes
        are its to miss, not the instance's)."""
        self._ensure_listening()

    def _ensure_listening(self) -> None:
        with self._lock:
            if self._listener is None or not self._listener.is_alive():
                self._listener = threading.Thread(target=self._listen, daemon=True, name="events-listener")
                self._listener.start()

    def _listen(self) -> None:
        while not self._stopped.is_set():
            try:
                for event in self._db.listen(CHANNEL):
                    if self._stopped.is_set():
                        return
                    if event is not None:
                        self.dispatch(event)
            except Exception:  # noqa: BLE001 - the database went away: listen again shortly
                LOG.exception("lost the events channel; listening again in a second")
                time.sleep(1)

    def stop(self) -> None:
        self._stopped.set()
