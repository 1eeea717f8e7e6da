"""Share links' own rules, on a real PostgreSQL: tokens, states, PINs and their guessing."""

from datetime import UTC, datetime, timedelta

import pytest

from webapp import galleries, studio
from webapp.db import Database

SECRET = "the app's secret"


@pytest.fixture
def conn(database_url):
    database = Database(database_url, max_size=2).open()
    database.migrate()
    with database.transaction() as connection:
        connection.execute("TRUNCATE shoots, share_links RESTART IDENTITY CASCADE")
        yield connection
    database.close()


@pytest.fixture
def shoot(conn):
    return studio.create(conn, "Smith wedding", None)


def test_a_token_opens_its_link_and_nothing_else(conn, shoot):
    one = galleries.create(conn, shoot.id, "Bride", None, None, "web", True)
    two = galleries.create(conn, shoot.id, "Parents", None, None, "none", True)
    assert galleries.by_token(conn, SECRET, one.token(SECRET)).id == one.id
    assert one.token(SECRET) != two.token(SECRET)
    link_id, mac = one.token(SECRET).split("-", 1)
    assert galleries.by_token(conn, SECRET, f"{two.id}-{mac}") is None  # another link's id with this MAC
    assert galleries.by_token(conn, "another secret", one.token(SECRET)) is None
    assert galleries.by_token(conn, SECRET, one.token(SECRET)[:-1] + "x") is None
    for nonsense in ("", "1", "1-", "x-" + mac, "99999-" + mac, "1-" + mac + "extra", "1\x00-" + mac):
        assert galleries.by_token(conn, SECRET, nonsense) is None
    assert len(mac) == 32  # 192 bits


def test_revoked_and_expired_links_say_so(conn, shoot):
    link = galleries.create(conn, shoot.id, "Bride", datetime.now(UTC) + timedelta(days=7), None, "web", False)
    assert link.state == "active"
    assert galleries.revoke(conn, shoot.id, link.id).state == "revoked"
    old = galleries.create(conn, shoot.id, "Old", datetime.now(UTC) - timedelta(seconds=1), None, "web", False)
    assert old.state == "expired"
    assert galleries.revoke(conn, "another00000", link.id) is None  # only through its own shoot


def test_pin_guessing_is_slowed_per_address_and_per_link(conn, shoot):
    link = galleries.create(conn, shoot.id, "Bride", None, "2468", "none", True)
    assert galleries.check_pin(conn, link, "2468", "10.0.0.1")
    for _ in range(galleries.PIN_TRIES_PER_ADDRESS):
        assert not galleries.check_pin(conn, link, "0000", "10.0.0.1")
    with pytest.raises(galleries.TooManyGuesses) as slowed:
        galleries.check_pin(conn, link, "2468", "10.0.0.1")  # even the right one: wait
    assert 0 < slowed.value.retry_after <= galleries.PIN_WINDOW.total_seconds()
    assert galleries.check_pin(conn, link, "2468", "10.0.0.2")  # another address may still try
    for address in range(galleries.PIN_TRIES_PER_LINK):
        try:
            galleries.check_pin(conn, link, "1111", f"10.1.0.{address}")
        except galleries.TooManyGuesses:
            break
    with pytest.raises(galleries.TooManyGuesses):
        galleries.check_pin(conn, link, "2468", "10.2.0.1")  # the link as a whole is slowed


def test_a_new_pin_locks_out_the_old_one(conn, shoot):
    link = galleries.create(conn, shoot.id, "Bride", None, "2468", "none", True)
    changed = galleries.update(conn, shoot.id, link.id, pin="1357")
    assert changed.pin_version == link.pin_version + 1
    assert not galleries.check_pin(conn, changed, "2468", "a") and galleries.check_pin(conn, changed, "1357", "a")
    assert galleries.update(conn, shoot.id, link.id, pin=None).pin_hash is None


@pytest.mark.parametrize("changes, message", [({"name": ""}, "needs a name"), ({"name": "two\nlines"}, "one line"),
                                              ({"pin": "12"}, "4 to 12"), ({"pin": "12 34"}, "4 to 12"),
                                              ({"downloads": "all"}, "downloads is one of")])
def test_bad_links_say_why(conn, shoot, changes, message):
    link = galleries.create(conn, shoot.id, "Bride", None, None, "none", True)
    with pytest.raises(galleries.LinkError, match=message):
        galleries.update(conn, shoot.id, link.id, **changes)


def test_favourites_comments_and_the_sent_selection(conn, shoot):
    link = galleries.create(conn, shoot.id, "Bride", None, None, "none", True)
    with pytest.raises(galleries.LinkError, match="favourites first"):
        galleries.send_selection(conn, link.id)
    for key in ("uploads/a/1.jpg", "uploads/a/2.jpg", "uploads/a/1.jpg"):
        galleries.set_favourite(conn, link.id, key, True)
    galleries.set_favourite(conn, link.id, "uploads/a/2.jpg", False)
    galleries.add_comment(conn, link.id, "uploads/a/1.jpg", "  Love this one  ")
    with pytest.raises(galleries.LinkError):
        galleries.add_comment(conn, link.id, "uploads/a/1.jpg", "x" * 2001)
    sent = galleries.send_selection(conn, link.id)
    assert sent["keys"] == ["uploads/a/1.jpg"]
    assert [c["body"] for c in galleries.comments(conn, link.id)] == ["Love this one"]
    assert galleries.favourite_counts(conn, shoot.id) == {"uploads/a/1.jpg": 1}
