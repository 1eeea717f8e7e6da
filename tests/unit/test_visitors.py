"""Visitors and proofing rules: the pure rules (how many are left, what a favourite or a
submission may do, who downloads), the guests' address, visitors on a real PostgreSQL, and the
migration that gives what links said before names to each link's main visitor."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from importlib import resources

import psycopg
import pytest

from webapp.db import Database
from webapp.services import feedback, links, shoots, visitors

SECRET = "the app's secret"
NOW = datetime(2030, 6, 1, 12, tzinfo=UTC)


def a_link(**rules) -> links.Link:
    return replace(links.Link(1, "shoot", "Couple", "nonce", None, None, 0, "web", True, None, NOW), **rules)


def a_visitor(submitted: bool = False, role: str = "couple") -> visitors.Visitor:
    return visitors.Visitor(7, 1, "Ada", "ada@example.com", role, True, NOW if submitted else None, NOW)


def test_the_client_sees_how_many_are_left_to_choose():
    rules = a_link(min_selection=30, max_selection=40, selection_deadline=NOW)
    assert visitors.left(rules, 12) == {"min": 30, "max": 40, "deadline": NOW.isoformat(), "chosen": 12,
                                        "to_reach_min": 18, "left_to_max": 28}
    assert visitors.left(rules, 40)["left_to_max"] == 0 and visitors.left(rules, 40)["to_reach_min"] == 0
    assert visitors.left(a_link(), 5) == {"min": None, "max": None, "deadline": None, "chosen": 5, "to_reach_min": 0,
                                          "left_to_max": None}


def test_a_favourite_beyond_the_maximum_or_on_a_locked_selection_is_refused():
    rules = a_link(max_selection=3)
    visitors.may_favourite(rules, a_visitor(), 2, True)
    with pytest.raises(visitors.ProofingError, match="at most 3"):
        visitors.may_favourite(rules, a_visitor(), 3, True)
    visitors.may_favourite(rules, a_visitor(), 3, False)  # taking one away is always fine
    with pytest.raises(visitors.ProofingError, match="locked"):
        visitors.may_favourite(a_link(), a_visitor(submitted=True), 0, False)


@pytest.mark.parametrize("chosen, now, submitted, message", [
    (0, NOW, False, "favourites first"), (29, NOW, False, "at least 30 photos: 1 more"), (41, NOW, False, "at most 40"),
    (35, NOW + timedelta(days=8), False, "deadline"), (35, NOW, True, "submitted already")])
def test_a_submission_keeps_to_the_rules(chosen, now, submitted, message):
    rules = a_link(min_selection=30, max_selection=40, selection_deadline=NOW + timedelta(days=7))
    with pytest.raises(visitors.ProofingError, match=message):
        visitors.may_submit(rules, a_visitor(submitted), chosen, now)
    visitors.may_submit(rules, a_visitor(), 30, NOW)
    visitors.may_submit(rules, a_visitor(), 40, NOW + timedelta(days=7))
    visitors.may_submit(a_link(), a_visitor(), 1, NOW)  # no rules: at least one


def test_guests_view_and_the_couple_downloads_unless_the_link_says_otherwise():
    assert visitors.download(a_link(), "couple") == "proof" and visitors.download(a_link(), "guest") is None
    assert visitors.download(a_link(guests="download"), "guest") == "proof"
    assert visitors.download(a_link(downloads="none"), "couple") is None
    assert visitors.needs_name(a_link(), "guest") and not visitors.needs_name(a_link(), "couple")
    assert visitors.needs_name(a_link(ask_visitors=True), "couple")


@pytest.mark.parametrize("name, email, message", [
    ("", "a@example.com", "your name"), ("x" * 81, "a@example.com", "at most 80"), ("A\x00", "a@example.com", "one line"),
    ("Ada", "ada", "email address"), ("Ada", "a@b", "email address"), ("Ada", f"{'a' * 200}@example.com", "email address"),
    ("Ada", "a b@example.com", "email address")])
def test_names_and_emails_are_bounded(name, email, message):
    with pytest.raises(visitors.VisitorError, match=message):
        visitors.clean_name(name)
        visitors.clean_email(email)
    assert visitors.clean_name("  Ada   Lovelace ") == "Ada Lovelace"


@pytest.fixture
def database(database_url):
    database = Database(database_url, max_size=4).open()
    database.migrate()
    with database.transaction() as connection:
        connection.execute("TRUNCATE shoots, share_links RESTART IDENTITY CASCADE")
    yield database
    database.close()


def test_the_guests_address_opens_its_link_as_a_guest_and_nothing_else(database):
    with database.transaction() as conn:
        shoot = shoots.create(conn, "Smith wedding", None)
        one = links.create(conn, shoot.id, "Bride", None, None, "web", True)
        two = links.create(conn, shoot.id, "Parents", None, None, "web", True)
        guests = one.guest_token(SECRET)
        assert links.by_token(conn, SECRET, guests).id == one.id and links.role_of(guests) == "guest"
        assert links.role_of(one.token(SECRET)) == "couple"
        mac = guests.split("-", 1)[1]
        assert links.by_token(conn, SECRET, f"{one.id}-{mac}") is None  # the guests' MAC is no couple's
        assert links.by_token(conn, SECRET, f"{two.id}g-{mac}") is None
        assert links.by_token(conn, SECRET, f"{one.id}g-{one.token(SECRET).split('-', 1)[1]}") is None


def test_visitors_name_the_main_one_first_then_have_their_own(database):
    with database.transaction() as conn:
        shoot = shoots.create(conn, "Smith wedding", None)
        link = links.create(conn, shoot.id, "Smiths", None, None, "web", True, ask_visitors=True, max_selection=2)
        main = visitors.main(conn, link)
        feedback.set_favourite(conn, link, main, "uploads/a/1.jpg", True)
        ada = visitors.arrive(conn, link, "couple", "Ada", "ada@example.com")
        assert ada.id == main.id and ada.name == "Ada"  # the first couple names the main visitor, keeping its hearts
        ben = visitors.arrive(conn, link, "couple", "Ben", "ben@example.com")
        guest = visitors.arrive(conn, link, "guest", "Cy", "cy@example.com")
        assert len({ada.id, ben.id, guest.id}) == 3 and guest.role == "guest"
        feedback.set_favourite(conn, link, guest, "uploads/a/2.jpg", True)
        feedback.set_favourite(conn, link, guest, "uploads/a/3.jpg", True)
        with pytest.raises(visitors.ProofingError, match="at most 2"):  # each visitor's own maximum
            feedback.set_favourite(conn, link, guest, "uploads/a/4.jpg", True)
        assert feedback.picks(conn, link.id) == {ada.id: ["uploads/a/1.jpg"],
                                                 guest.id: ["uploads/a/2.jpg", "uploads/a/3.jpg"]}
        assert feedback.favourites(conn, ben.id) == []


def test_what_links_said_before_names_becomes_their_main_visitors(database_url):
    """The migration on a database as it was before it: favourites, comments and a sent selection
    become the link's main visitor's; that selection counts as submitted."""
    admin = psycopg.connect(database_url, autocommit=True)
    admin.execute("DROP DATABASE IF EXISTS before_visitors")
    admin.execute("CREATE DATABASE before_visitors")
    url = database_url.rsplit("/", 1)[0] + "/before_visitors"
    earlier = sorted(m for m in resources.files("webapp.migrations").iterdir()
                     if m.name.endswith(".sql") and m.name < "0007")
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
        for migration in earlier:
            conn.execute(migration.read_text())
            conn.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (migration.name,))
        conn.execute("INSERT INTO shoots (id, name, default_spec) VALUES ('oldshoot0001', 'Old shoot', '{}')")
        link_id = conn.execute("INSERT INTO share_links (shoot_id, name, nonce, downloads, proofs) "
                               "VALUES ('oldshoot0001', 'Old couple', 'n', 'web', true) RETURNING id").fetchone()[0]
        conn.execute("INSERT INTO favourites (link_id, photo_key) VALUES (%s, 'uploads/s1/a.jpg')", (link_id,))
        conn.execute("INSERT INTO comments (link_id, photo_key, body) VALUES (%s, 'uploads/s1/a.jpg', 'Yes')", (link_id,))
        conn.execute("INSERT INTO selections (link_id, photo_keys) VALUES (%s, '[\"uploads/s1/a.jpg\"]')", (link_id,))
    database = Database(url, max_size=2).open()
    try:
        assert "0007_visitors.sql" in database.migrate()
        with database.transaction() as conn:
            link = links.get(conn, "oldshoot0001", link_id)
            main = visitors.main(conn, link)
            assert (main.name, main.role, main.locked) == ("Old couple", "couple", True)
            assert feedback.favourites(conn, main.id) == ["uploads/s1/a.jpg"]
            assert [c["visitor"] for c in feedback.comments(conn, link_id)] == ["Old couple"]
    finally:
        database.close()
        admin.execute("DROP DATABASE before_visitors WITH (FORCE)")
        admin.close()
