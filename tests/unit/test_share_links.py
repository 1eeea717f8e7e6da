"""Share links' own rules, on a real PostgreSQL: tokens, states, modes, PINs and their guessing,
selections, submitted and locked."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from webapp.repositories.photos import favourite_count
from webapp.services import feedback, links, shoots, visitors
from webapp.db import Database

SECRET = "the app's secret"
PIN = "246813"


@pytest.fixture
def database(database_url):
    database = Database(database_url, max_size=24).open()
    database.migrate()
    with database.transaction() as connection:
        connection.execute("TRUNCATE shoots, share_links RESTART IDENTITY CASCADE")
    yield database
    database.close()


@pytest.fixture
def conn(database):
    with database.transaction() as connection:
        yield connection


@pytest.fixture
def shoot(conn):
    return shoots.create(conn, "Smith wedding", None)


def test_a_token_opens_its_link_and_nothing_else(conn, shoot):
    one = links.create(conn, shoot.id, "Bride", None, None, "web", True)
    two = links.create(conn, shoot.id, "Parents", None, None, "none", True)
    assert links.by_token(conn, SECRET, one.token(SECRET)).id == one.id
    assert one.token(SECRET) != two.token(SECRET)
    link_id, mac = one.token(SECRET).split("-", 1)
    assert links.by_token(conn, SECRET, f"{two.id}-{mac}") is None  # another link's id with this MAC
    assert links.by_token(conn, "another secret", one.token(SECRET)) is None
    token = one.token(SECRET)
    assert links.by_token(conn, SECRET, token[:-1] + ("x" if token[-1] != "x" else "y")) is None  # one character off
    for nonsense in ("", "1", "1-", "x-" + mac, "99999-" + mac, "1-" + mac + "extra", "1\x00-" + mac):
        assert links.by_token(conn, SECRET, nonsense) is None
    assert len(mac) == 32  # 192 bits


def test_revoked_and_expired_links_say_so(conn, shoot):
    link = links.create(conn, shoot.id, "Bride", datetime.now(UTC) + timedelta(days=7), None, "web", False)
    assert link.state == "active"
    assert links.revoke(conn, shoot.id, link.id).state == "revoked"
    old = links.create(conn, shoot.id, "Old", datetime.now(UTC) - timedelta(seconds=1), None, "web", False)
    assert old.state == "expired"
    assert links.revoke(conn, "another00000", link.id) is None  # only through its own shoot


def _linked(database, shoot, pin=PIN, **options):
    with database.transaction() as conn:
        return links.create(conn, shoot.id, "Bride", None, pin, options.get("downloads", "none"), True)


def _forgive(database, link, address):
    """Let the address's wait pass (the waits are seconds to minutes: a test does not sleep them)."""
    with database.transaction() as conn:
        conn.execute("UPDATE pin_guesses SET blocked_until = now() WHERE link_id = %s AND address = %s", (link.id, address))


@pytest.fixture
def shoot_of(database):
    with database.transaction() as conn:
        return shoots.create(conn, "Smith wedding", None)


def test_guesses_sent_together_from_one_address_are_refused_unchecked(database, shoot_of):
    link = _linked(database, shoot_of)
    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(lambda _: _try(database, link, "000000", "10.0.0.1"), range(16)))
    # one guess at a time per address: the others are refused without checking
    assert outcomes.count("wrong") == 1 and outcomes.count("wait") == 15, outcomes


def _try(database, link, pin, address) -> str:
    try:
        return "opened" if links.check_pin(database, link, pin, address) else "wrong"
    except links.TooManyGuesses:
        return "wait"
    except links.Locked:
        return "locked"


def test_each_wrong_pin_doubles_the_wait_of_its_address_only(database, shoot_of):
    link = _linked(database, shoot_of)
    waits = []
    for n in range(1, 8):
        assert _try(database, link, "000000", "10.0.0.1") == "wrong"
        waits.append(links.pin_wait(n).total_seconds())
        if waits[-1]:
            assert _try(database, link, PIN, "10.0.0.1") == "wait"  # even the right PIN waits
        _forgive(database, link, "10.0.0.1")
    assert waits == [0, 0, 1, 2, 4, 8, 16]
    assert links.pin_wait(40) == links.PIN_MAX_WAIT
    # the client, from elsewhere, is not locked out by someone else's guesses
    assert _try(database, link, PIN, "10.9.9.9") == "opened"


def test_a_crowd_of_addresses_locks_the_link_until_the_studio_reopens_it(database, shoot_of):
    link = _linked(database, shoot_of)
    for n in range(links.LOCK_AFTER):
        assert _try(database, link, "000000", f"10.1.{n // 250}.{n % 250}") == "wrong"
    assert _try(database, link, PIN, "10.9.9.9") == "locked"  # no new browser opens it now
    with database.transaction() as conn:
        seen = links.get(conn, shoot_of.id, link.id)
        assert seen.locked and seen.pin_failures == links.LOCK_AFTER
        links.clear_lock(conn, shoot_of.id, link.id)
    assert _try(database, link, PIN, "10.9.9.9") == "opened"


def test_pins_are_at_least_six_letters_or_digits(conn, shoot):
    for short in ("2468", "12345", "12 345", "123456789012345"):
        with pytest.raises(links.LinkError, match="6 to 12"):
            links.create(conn, shoot.id, "Bride", None, short, "none", True)
    assert links.create(conn, shoot.id, "Bride", None, "123456", "none", True).pin_hash


def test_a_proofs_link_never_offers_the_clean_files(conn, shoot):
    with pytest.raises(links.LinkError, match="delivery link"):
        links.create(conn, shoot.id, "Bride", None, None, "full", True)
    proofs = links.create(conn, shoot.id, "Bride", None, None, "web", True)  # watermarked proofs at web size
    with pytest.raises(links.LinkError, match="delivery link"):
        links.update(conn, shoot.id, proofs.id, downloads="full")
    delivered = links.update(conn, shoot.id, proofs.id, downloads="full", proofs=False)
    assert (delivered.proofs, delivered.downloads) == (False, "full")
    with pytest.raises(links.LinkError, match="delivery link"):
        links.update(conn, shoot.id, proofs.id, proofs=True)  # back to proofs with full downloads: no


@pytest.mark.parametrize("changes, message", [({"name": ""}, "needs a name"), ({"name": "two\nlines"}, "one line"),
                                              ({"pin": "12"}, "6 to 12"), ({"pin": "12 3456"}, "6 to 12"),
                                              ({"downloads": "all"}, "downloads is one of")])
def test_bad_links_say_why(conn, shoot, changes, message):
    link = links.create(conn, shoot.id, "Bride", None, None, "none", True)
    with pytest.raises(links.LinkError, match=message):
        links.update(conn, shoot.id, link.id, **changes)


def test_favourites_comments_and_the_submitted_selection(conn, shoot):
    link = links.create(conn, shoot.id, "Bride", None, None, "none", True)
    bride = visitors.main(conn, link)
    with pytest.raises(visitors.ProofingError, match="favourites first"):
        feedback.submit(conn, link, bride)
    for key in ("uploads/a/1.jpg", "uploads/a/2.jpg", "uploads/a/1.jpg"):
        feedback.set_favourite(conn, link, bride, key, True)
    feedback.set_favourite(conn, link, bride, "uploads/a/2.jpg", False)
    feedback.add_comment(conn, bride, "uploads/a/1.jpg", "  Love this one  ")
    with pytest.raises(feedback.FeedbackError):
        feedback.add_comment(conn, bride, "uploads/a/1.jpg", "x" * 2001)
    sent = feedback.submit(conn, link, bride)
    assert sent["keys"] == ["uploads/a/1.jpg"] and sent["visitor"] == "Bride"
    assert [c["body"] for c in feedback.comments(conn, link.id)] == ["Love this one"]
    assert favourite_count(conn, shoot.id, "uploads/a/1.jpg") == 1 and favourite_count(conn, shoot.id, "uploads/a/2.jpg") == 0


def test_a_submitted_selection_is_locked_until_the_studio_reopens_it(conn, shoot):
    link = links.create(conn, shoot.id, "Bride", None, None, "none", True)
    bride = visitors.main(conn, link)
    feedback.set_favourite(conn, link, bride, "uploads/a/1.jpg", True)
    feedback.submit(conn, link, bride)
    for attempt in (lambda: feedback.submit(conn, link, bride),  # one submission, one email
                    lambda: feedback.set_favourite(conn, link, bride, "uploads/a/2.jpg", True),
                    lambda: feedback.set_favourite(conn, link, bride, "uploads/a/1.jpg", False)):
        with pytest.raises(visitors.ProofingError):
            attempt()
    visitors.submitted(conn, bride, False)  # the studio reopens it
    assert feedback.set_favourite(conn, link, bride, "uploads/a/2.jpg", True) == 2
    assert [s["keys"] for s in feedback.selections(conn, link.id)] == [["uploads/a/1.jpg"]]
    assert len(feedback.submit(conn, link, bride)["keys"]) == 2
