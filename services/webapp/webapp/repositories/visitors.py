"""The visitors and activity tables: who opened a link, and what they did there."""

from __future__ import annotations


def insert(conn, link_id: int, name: str, email: str | None, role: str, main: bool = False) -> dict:
    return conn.execute("INSERT INTO visitors (link_id, name, email, role, main) VALUES (%s, %s, %s, %s, %s) "
                        "RETURNING *", (link_id, name, email, role, main)).fetchone()


def main_of(conn, link_id: int) -> dict | None:
    return conn.execute("SELECT * FROM visitors WHERE link_id = %s AND main", (link_id,)).fetchone()


def claim_main(conn, link_id: int, name: str, email: str) -> dict | None:
    """The main visitor, named by the first couple to say who they are (None once it is named)."""
    return conn.execute("UPDATE visitors SET name = %s, email = %s, last_seen_at = now() "
                        "WHERE link_id = %s AND main AND email IS NULL RETURNING *", (name, email, link_id)).fetchone()


def get(conn, link_id: int, visitor_id: int, lock: bool = False) -> dict | None:
    """The visitor (locked until the transaction ends, with `lock`: their changes go one at a time)."""
    if lock:
        return conn.execute("SELECT * FROM visitors WHERE id = %s AND link_id = %s FOR UPDATE",
                            (visitor_id, link_id)).fetchone()
    return conn.execute("SELECT * FROM visitors WHERE id = %s AND link_id = %s", (visitor_id, link_id)).fetchone()


def of_link(conn, link_id: int) -> list[dict]:
    """The link's visitors, with how many favourites and comments each has."""
    return conn.execute(
        "SELECT v.*, (SELECT count(*) FROM favourites f WHERE f.visitor_id = v.id) AS favourites, "
        "(SELECT count(*) FROM comments c WHERE c.visitor_id = v.id) AS comments "
        "FROM visitors v WHERE v.link_id = %s ORDER BY v.main DESC, v.id", (link_id,)).fetchall()


def count(conn, link_id: int) -> int:
    return conn.execute("SELECT count(*) AS n FROM visitors WHERE link_id = %s", (link_id,)).fetchone()["n"]


def set_submitted(conn, visitor_id: int, submitted: bool) -> dict:
    return conn.execute("UPDATE visitors SET submitted_at = CASE WHEN %s THEN now() END WHERE id = %s RETURNING *",
                        (submitted, visitor_id)).fetchone()


def seen(conn, visitor_id: int) -> None:
    conn.execute("UPDATE visitors SET last_seen_at = now() WHERE id = %s AND last_seen_at < now() - interval '1 minute'",
                 (visitor_id,))


def log(conn, link_id: int, visitor_id: int, action: str, key: str | None = None) -> None:
    conn.execute("INSERT INTO activity (link_id, visitor_id, action, photo_key) VALUES (%s, %s, %s, %s)",
                 (link_id, visitor_id, action, key))


def log_once(conn, link_id: int, visitor_id: int, action: str, within) -> bool:
    """Log an action unless this visitor did it within `within` (a view is one line a visit)."""
    return conn.execute(
        "INSERT INTO activity (link_id, visitor_id, action) SELECT %s, %s, %s WHERE NOT EXISTS ("
        "SELECT 1 FROM activity WHERE visitor_id = %s AND action = %s AND at > now() - %s) RETURNING id",
        (link_id, visitor_id, action, visitor_id, action, within)).fetchone() is not None


def activity(conn, link_id: int, limit: int, before: int | None = None) -> list[dict]:
    """The link's activity, latest first, with who did it."""
    return conn.execute(
        "SELECT a.id, a.action, a.photo_key, a.at, v.id AS visitor_id, v.name, v.email, v.role FROM activity a "
        "JOIN visitors v ON v.id = a.visitor_id WHERE a.link_id = %s AND (%s::bigint IS NULL OR a.id < %s) "
        "ORDER BY a.id DESC LIMIT %s", (link_id, before, before, limit)).fetchall()
