"""Lifecycle emails' rules, pure: what is due given the time, the links and what was sent; what an
email says; unsubscribe tokens; recipients' addresses."""

from datetime import UTC, datetime, timedelta

import pytest

from webapp.services import letters, lifecycle
from webapp.services.lifecycle import Activity, LinkFacts

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
SECRET = "the app's secret"


def link(expires_in=None, deadline_in=None, recipients=("ann@example.com",), state="active", selection_sent=False, id=7):
    return LinkFacts(id, "Ann and Bo", "Smith wedding", state, NOW + expires_in if expires_in else None,
                     NOW + deadline_in if deadline_in else None, selection_sent, tuple(recipients))


def told(*links_):
    """The sent-log once each link's gallery was announced to all its addresses."""
    return {f"ready:{one.id}:{to}" for one in links_ for to in one.recipients}


def kinds(emails):
    return sorted((e.kind, e.days, e.to) for e in emails)


def test_ready_goes_to_each_address_once_and_not_after_an_unsubscribe():
    one = link(recipients=("ann@example.com", "bo@example.com"))
    first = lifecycle.ready(one, set(), set())
    assert kinds(first) == [("ready", None, "ann@example.com"), ("ready", None, "bo@example.com")]
    assert lifecycle.ready(one, {first[0].key}, set())[0].to == "bo@example.com"  # only who was not told
    assert lifecycle.ready(one, {e.key for e in first}, set()) == []
    assert lifecycle.ready(one, set(), {("link:7", "ann@example.com")})[0].to == "bo@example.com"
    assert lifecycle.ready(link(state="revoked"), set(), set()) == []


@pytest.mark.parametrize(("expires_in", "expected"), [
    (timedelta(days=8), []),
    (timedelta(days=7), [7]),
    (timedelta(days=6, hours=23), [7]),
    (timedelta(days=3), [3]),
    (timedelta(days=2, hours=23), [3]),  # made late: the nearest reminder only, not the 7-day one
    (timedelta(hours=23), [1]),
    (timedelta(seconds=-1), []),  # expired: nothing
])
def test_expiry_reminders_7_3_and_1_days_before(expires_in, expected):
    one = link(expires_in=expires_in)
    assert [e.days for e in lifecycle.due(NOW, [one], told(one), set(), "studio@example.com", [])] == expected


def test_each_reminder_is_sent_once_and_the_next_one_follows():
    one = link(expires_in=timedelta(days=3, hours=-1))
    sent = told(one)
    [first] = lifecycle.due(NOW, [one], sent, set(), "studio@example.com", [])
    sent.add(first.key)
    assert lifecycle.due(NOW, [one], sent, set(), "studio@example.com", []) == []  # a second tick
    assert lifecycle.due(NOW + timedelta(days=1), [one], sent, set(), "studio@example.com", []) == []
    [last] = lifecycle.due(NOW + timedelta(days=2), [one], sent, set(), "studio@example.com", [])
    assert last.days == 1 and last.key != first.key


def test_a_new_expiry_brings_its_own_reminders():
    one = link(expires_in=timedelta(days=1))
    sent = told(one) | {e.key for e in lifecycle.due(NOW, [one], told(one), set(), "s@example.com", [])}
    extended = link(expires_in=timedelta(days=3))
    assert [e.days for e in lifecycle.due(NOW, [extended], sent, set(), "s@example.com", [])] == [3]


def test_reminders_go_only_to_addresses_told_and_still_subscribed():
    one = link(expires_in=timedelta(days=1), recipients=("ann@example.com", "bo@example.com", "cy@example.com"))
    sent = {"ready:7:ann@example.com", "ready:7:bo@example.com"}  # cy was added after the gallery was sent
    due = lifecycle.due(NOW, [one], sent, {("link:7", "bo@example.com")}, "s@example.com", [])
    assert kinds(due) == [("expiry", 1, "ann@example.com")]
    assert lifecycle.due(NOW, [link(expires_in=timedelta(days=1), state="revoked")], told(one), set(), "s@e.com", []) == []


def test_selection_deadline_reminders_3_and_1_days_before_until_a_selection_is_sent():
    one = link(deadline_in=timedelta(days=2))
    assert kinds(lifecycle.due(NOW, [one], told(one), set(), "s@example.com", [])) == [("deadline", 3, "ann@example.com")]
    later = lifecycle.due(NOW + timedelta(days=1, hours=1), [one], told(one), set(), "s@example.com", [])
    assert kinds(later) == [("deadline", 1, "ann@example.com")]
    assert lifecycle.due(NOW, [link(deadline_in=timedelta(days=4))], told(one), set(), "s@example.com", []) == []
    assert lifecycle.due(NOW, [link(deadline_in=timedelta(days=2), selection_sent=True)], told(one), set(),
                         "s@example.com", []) == []


def test_the_digest_once_a_day_after_its_hour_when_clients_did_something():
    busy = [Activity(7, "Ann and Bo", "Smith wedding", favourites=3, comments=1),
            Activity(8, "Parents", "Smith wedding")]
    [digest] = lifecycle.due(NOW, [], set(), set(), "studio@example.com", busy)
    assert digest.kind == "digest" and digest.to == "studio@example.com" and [a.link_id for a in digest.activity] == [7]
    assert lifecycle.due(NOW, [], {digest.key}, set(), "studio@example.com", busy) == []  # the same day again
    assert lifecycle.due(NOW + timedelta(days=1), [], {digest.key}, set(), "studio@example.com", busy)  # the next day
    assert lifecycle.due(NOW.replace(hour=lifecycle.DIGEST_HOUR - 1), [], set(), set(), "studio@example.com", busy) == []
    assert lifecycle.due(NOW, [], set(), set(), "studio@example.com", busy[1:]) == []  # a quiet day: no email
    assert lifecycle.due(NOW, [], set(), {("digest", "studio@example.com")}, "studio@example.com", busy) == []


def test_emails_say_what_and_when():
    one = link(expires_in=timedelta(days=3, hours=-1), deadline_in=timedelta(days=1, hours=-2))
    [ready] = lifecycle.ready(one, set(), set())
    subject, text = lifecycle.render(ready, NOW, "https://x/g/7-abc")
    assert subject == "Your photos are ready: Smith wedding"
    assert "https://x/g/7-abc" in text
    assert "Saturday 5 December 2026" in text  # until when the link works
    reminders = {e.kind: e for e in lifecycle.due(NOW, [one], told(one), set(), "s@example.com", [])}
    subject, text = lifecycle.render(reminders["expiry"], NOW, "https://x/g")
    assert subject == "Your gallery closes in 3 days: Smith wedding"
    subject, _ = lifecycle.render(reminders["deadline"], NOW, "https://x/g")
    assert subject == "Choose your photos tomorrow: Smith wedding"


def test_an_email_in_html_wears_the_studios_brand_and_says_only_what_the_text_says():
    text = 'Hello,\n\nYour gallery "Smith <wedding>" is ready:\n\nhttps://x.example/g/7-abc.\nSee you'
    page = letters.as_html(text, "Lumen & Co", "#f5d76e", "https://x.example/studio/logo?v=3", "https://x.example/unsubscribe/t")
    assert "background:#f5d76e;color:#1c2128" in page  # dark ink on a light accent
    assert 'src="https://x.example/studio/logo?v=3" alt="Lumen &amp; Co"' in page
    assert "Smith &lt;wedding&gt;" in page and "<wedding>" not in page  # what clients type is text
    assert '<a href="https://x.example/g/7-abc" style="color:#1c2128">https://x.example/g/7-abc</a>.<br>' in page
    assert '<a href="https://x.example/unsubscribe/t"' in page and "— Lumen &amp; Co" in page
    plain = letters.as_html("No link here", "Lumen", "#2a3b4c", None, None)
    assert "<img" not in plain and "Unsubscribe" not in plain and "color:#ffffff" in plain  # white on a dark accent


def test_an_unsubscribe_token_names_its_scope_and_address_and_nothing_else():
    token = letters.unsubscribe_token(SECRET, "link:7", "ann@example.com")
    assert letters.read_token(SECRET, token) == ("link:7", "ann@example.com")
    assert letters.read_token("another secret", token) is None
    payload, mac = token.split(".")
    forged = letters.unsubscribe_token("x", "link:8", "ann@example.com").split(".")[0]
    assert letters.read_token(SECRET, f"{forged}.{mac}") is None  # another link under the same MAC
    assert letters.read_token(SECRET, f"{payload}.{mac[:-1]}A" if mac[-1] != "A" else f"{payload}.{mac[:-1]}B") is None
    for junk in ("", "x", "a.b", token + "x", "../../etc"):
        assert letters.read_token(SECRET, junk) is None


def test_recipients_are_checked_and_bounded():
    assert lifecycle.clean_recipients([" Ann@Example.com", "ann@example.com", "bo@mail.example.org"]) == [
        "ann@example.com", "bo@mail.example.org"]
    for bad in (["not an address"], ["a@b"], ["a@example.com\nBcc: x@y.z"], ["<a@example.com>"], "a@example.com", [3]):
        with pytest.raises(lifecycle.RecipientError):
            lifecycle.clean_recipients(bad)
    with pytest.raises(lifecycle.RecipientError, match="at most 10"):
        lifecycle.clean_recipients([f"c{n}@example.com" for n in range(11)])


def test_a_tick_is_told_apart_from_every_other_message_on_the_topic():
    from photo_jobs import ticks

    assert ticks.of_message(ticks.dumps(NOW)) == NOW
    assert ticks.of_message('{"type": "archive", "archive_id": "x"}') is None
    assert ticks.of_message('{"schema": 1, "type": "processed"}') is None
    with pytest.raises(ValueError):
        ticks.of_message('{"type": "tick", "at": "2026-12-02T09:00:00"}')  # no zone
