"""The live-event hub's own rules: who hears what, a cap on streams, no page can hold it up."""

import pytest

from webapp.adapters.hub import CLIENTS, STAFF, Busy, Hub


class Quiet:
    """A database that is never listened to: these tests hand events to the hub themselves."""

    def listen(self, channel):
        return iter(())


@pytest.fixture
def hub(monkeypatch):
    hub = Hub(Quiet(), max_streams=3)
    monkeypatch.setattr(hub, "_ensure_listening", lambda: None)
    return hub


def test_each_audience_hears_what_is_for_it_and_only_of_its_shoot(hub):
    staff, client, other_client = hub.subscribe("s1", STAFF), hub.subscribe("s1", "link:7"), hub.subscribe("s1", "link:8")
    for event in ({"shoot": "s1", "kind": "news", "data": {"n": 1}},
                  {"shoot": "s1", "kind": "photo", "to": STAFF, "data": {"n": 2}},  # the whole view: keys, failures
                  {"shoot": "s1", "kind": "photo", "to": CLIENTS, "data": {"n": 3}},  # what a gallery may know
                  {"shoot": "s1", "kind": "link", "to": "link:7", "data": {"n": 4}},
                  {"shoot": "s2", "kind": "photo", "to": STAFF, "data": {"n": 5}}):
        hub.dispatch(event)
    heard = lambda s: [s.queue.get_nowait()["data"]["n"] for _ in range(s.queue.qsize())]  # noqa: E731
    assert heard(staff) == [1, 2]
    assert heard(client) == [1, 3, 4]
    assert heard(other_client) == [1, 3]


def test_beyond_the_cap_a_stream_is_refused_and_a_closed_one_frees_its_place(hub):
    streams = [hub.subscribe("s1", STAFF) for _ in range(3)]
    with pytest.raises(Busy):
        hub.subscribe("s1", STAFF)
    hub.unsubscribe(streams[0])
    hub.subscribe("s1", STAFF)


def test_a_page_that_cannot_keep_up_is_dropped_not_waited_for(hub):
    slow, fine = hub.subscribe("s1", STAFF), hub.subscribe("s1", STAFF)
    for n in range(Hub.QUEUE_SIZE + 5):
        hub.dispatch({"shoot": "s1", "kind": "job", "data": {"n": n}})
        fine.queue.get_nowait()
    assert slow.dropped and not fine.dropped
    assert list(hub.stream(slow, heartbeat=0.01)) == ["retry: 2000\n: connected\n\n"]  # it ends; the browser reconnects
    assert hub.streams == 1


def test_a_stream_sends_events_and_heartbeats(hub):
    subscriber = hub.subscribe("s1", STAFF)
    hub.dispatch({"shoot": "s1", "kind": "job", "data": {"key": "uploads/s1/a.jpg"}})
    stream = hub.stream(subscriber, heartbeat=0.01)
    assert next(stream).startswith("retry:")
    assert next(stream) == 'event: job\ndata: {"key":"uploads/s1/a.jpg"}\n\n'
    assert next(stream) == ": heartbeat\n\n"
    stream.close()
    assert hub.streams == 0
