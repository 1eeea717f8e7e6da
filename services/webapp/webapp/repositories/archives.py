"""The archives and archive_requests tables."""

from __future__ import annotations

from psycopg.types.json import Jsonb


def get(conn, archive_id: str, lock: bool = False) -> dict | None:
    if lock:
        return conn.execute("SELECT * FROM archives WHERE id = %s FOR UPDATE", (archive_id,)).fetchone()
    return conn.execute("SELECT * FROM archives WHERE id = %s", (archive_id,)).fetchone()


def start(conn, archive_id: str, shoot_id: str, title: str, rendition: str, bytes_total: int, entries: int) -> dict:
    """The archive as asked for now: new, or a failed one asked for again (building anew)."""
    return conn.execute(
        "INSERT INTO archives (id, shoot_id, title, rendition, state, bytes_total, entries) "
        "VALUES (%s, %s, %s, %s, 'building', %s, %s) "
        "ON CONFLICT (id) DO UPDATE SET state = 'building', bytes_done = 0, error = NULL, rendition = EXCLUDED.rendition, "
        "requested_at = now(), updated_at = now() RETURNING *",
        (archive_id, shoot_id, title, rendition, bytes_total, entries)).fetchone()


def update(conn, archive_id: str, state: str, bytes_done: int, parts: list[dict], error: str | None) -> dict | None:
    """The builder's latest report; a report older than the state (building after ready) is ignored."""
    return conn.execute(
        "UPDATE archives SET state = %s, bytes_done = greatest(bytes_done, %s), parts = %s, error = %s, updated_at = now() "
        "WHERE id = %s AND NOT (state = 'ready' AND %s <> 'ready') RETURNING *",
        (state, bytes_done, Jsonb(parts), error, archive_id, state)).fetchone()


def add_request(conn, archive_id: str, link_id: int | None, role: str | None, staff_id: int | None,
                email: str | None) -> None:
    conn.execute("INSERT INTO archive_requests (archive_id, link_id, role, staff_id, email) VALUES (%s, %s, %s, %s, %s)",
                 (archive_id, link_id, role, staff_id, email))


def building_for_link(conn, link_id: int) -> int:
    """How many archives this link asked for are being built now."""
    return conn.execute("SELECT count(DISTINCT a.id) AS n FROM archives a JOIN archive_requests r ON r.archive_id = a.id "
                        "WHERE r.link_id = %s AND a.state = 'building' AND a.updated_at > now() - interval '15 minutes'",
                        (link_id,)).fetchone()["n"]


def to_tell(conn, archive_id: str) -> list[dict]:
    """The emails waiting for this archive, marked as told (each is sent once)."""
    return conn.execute("UPDATE archive_requests SET notified_at = now() WHERE archive_id = %s AND notified_at IS NULL "
                        "AND email IS NOT NULL RETURNING *", (archive_id,)).fetchall()


def links_of(conn, archive_id: str) -> list[int]:
    return [r["link_id"] for r in conn.execute("SELECT DISTINCT link_id FROM archive_requests WHERE archive_id = %s "
                                               "AND link_id IS NOT NULL", (archive_id,))]


def requested_by_link(conn, archive_id: str, link_id: int) -> bool:
    return conn.execute("SELECT 1 FROM archive_requests WHERE archive_id = %s AND link_id = %s LIMIT 1",
                        (archive_id, link_id)).fetchone() is not None
