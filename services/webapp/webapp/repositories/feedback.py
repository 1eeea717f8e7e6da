"""The favourites, comments and selections tables: what visitors say through their links."""

from __future__ import annotations

from datetime import timedelta

from psycopg.types.json import Jsonb


def favourites(conn, visitor_id: int) -> list[str]:
    return [row["photo_key"] for row in conn.execute(
        "SELECT photo_key FROM favourites WHERE visitor_id = %s ORDER BY created_at, photo_key", (visitor_id,))]


def favourites_of_link(conn, link_id: int) -> list[dict]:
    """Every visitor's favourites on the link: (visitor_id, photo_key), in the order chosen."""
    return conn.execute("SELECT visitor_id, photo_key FROM favourites WHERE link_id = %s ORDER BY created_at, photo_key",
                        (link_id,)).fetchall()


def favourites_among(conn, visitor_id: int, keys: list[str]) -> set[str]:
    return {row["photo_key"] for row in conn.execute(
        "SELECT photo_key FROM favourites WHERE visitor_id = %s AND photo_key = ANY(%s)", (visitor_id, keys))}


def count_favourites(conn, visitor_id: int) -> int:
    return conn.execute("SELECT count(*) AS n FROM favourites WHERE visitor_id = %s", (visitor_id,)).fetchone()["n"]


def set_favourite(conn, link_id: int, visitor_id: int, key: str, on: bool) -> bool:
    """Whether anything changed."""
    if on:
        return conn.execute("INSERT INTO favourites (link_id, visitor_id, photo_key) VALUES (%s, %s, %s) "
                            "ON CONFLICT DO NOTHING", (link_id, visitor_id, key)).rowcount > 0
    return conn.execute("DELETE FROM favourites WHERE visitor_id = %s AND photo_key = %s", (visitor_id, key)).rowcount > 0


def add_comment(conn, link_id: int, visitor_id: int, key: str, body: str) -> dict:
    return conn.execute("INSERT INTO comments (link_id, visitor_id, photo_key, body) VALUES (%s, %s, %s, %s) RETURNING *",
                        (link_id, visitor_id, key, body)).fetchone()


def comments(conn, link_id: int, keys: list[str] | None = None, visitor_id: int | None = None) -> list[dict]:
    """The link's comments (one visitor's, when given), with who wrote them."""
    return conn.execute(
        "SELECT c.*, v.name AS visitor FROM comments c JOIN visitors v ON v.id = c.visitor_id WHERE c.link_id = %s "
        "AND (%s::text[] IS NULL OR c.photo_key = ANY(%s)) AND (%s::bigint IS NULL OR c.visitor_id = %s) "
        "ORDER BY c.created_at, c.id", (link_id, keys, keys, visitor_id, visitor_id)).fetchall()


def counts(conn, link_id: int) -> dict[str, int]:
    return conn.execute(
        "SELECT (SELECT count(*) FROM favourites WHERE link_id = %(id)s) AS favourites, "
        "(SELECT count(*) FROM comments WHERE link_id = %(id)s) AS comments, "
        "(SELECT count(*) FROM selections WHERE link_id = %(id)s) AS selections, "
        "(SELECT count(*) FROM visitors WHERE link_id = %(id)s AND (NOT main OR email IS NOT NULL)) AS visitors",
        {"id": link_id}).fetchone()


def insert_selection(conn, link_id: int, visitor_id: int, keys: list[str]) -> dict:
    """A submission, not yet emailed to the studio (take_selection_turn sends it)."""
    return conn.execute("INSERT INTO selections (link_id, visitor_id, photo_keys) VALUES (%s, %s, %s) "
                        "RETURNING *", (link_id, visitor_id, Jsonb(keys))).fetchone()


def take_selection_turn(conn, every: timedelta, link_id: int | None = None) -> list[dict]:
    """The links (one, or all) whose selection email may go now (none went in the last `every`)
    and that have submissions not yet emailed: their turn is taken, and those submissions are
    marked emailed and returned with who sent them and the link and shoot they are of. Two
    instances, or requests sent together, never both take one link's turn."""
    taken = [row["id"] for row in conn.execute(
        "UPDATE share_links l SET selection_emailed_at = now() "
        "WHERE (%(link)s::bigint IS NULL OR l.id = %(link)s) "
        "AND (l.selection_emailed_at IS NULL OR l.selection_emailed_at <= now() - %(every)s) "
        "AND EXISTS (SELECT 1 FROM selections s WHERE s.link_id = l.id AND s.emailed_at IS NULL) RETURNING l.id",
        {"link": link_id, "every": every})]
    if not taken:
        return []
    return conn.execute(
        "WITH sent AS (UPDATE selections SET emailed_at = now() WHERE link_id = ANY(%s) AND emailed_at IS NULL "
        "RETURNING *) "
        "SELECT sent.*, v.name AS visitor, v.main, l.name AS link_name, l.shoot_id, sh.name AS shoot_name "
        "FROM sent JOIN visitors v ON v.id = sent.visitor_id JOIN share_links l ON l.id = sent.link_id "
        "JOIN shoots sh ON sh.id = l.shoot_id ORDER BY sent.link_id, sent.sent_at, sent.id", (taken,)).fetchall()


def selections(conn, link_id: int) -> list[dict]:
    return conn.execute("SELECT s.*, v.name AS visitor FROM selections s JOIN visitors v ON v.id = s.visitor_id "
                        "WHERE s.link_id = %s ORDER BY s.sent_at, s.id", (link_id,)).fetchall()
