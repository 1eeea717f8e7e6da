"""The sessions table (webapp.sessions keeps Flask's session in it). A session is live while it is
within its absolute limit and, for its kind, its idle time; `limits` is webapp.sessions.Limits."""

from __future__ import annotations

from psycopg import sql
from psycopg.types.json import Jsonb

_LIVE = sql.SQL("expires_at > now() AND last_seen_at > now() - CASE WHEN staff_id IS NULL "
                "THEN %(client_idle)s ELSE %(staff_idle)s END")


def _limits(limits) -> dict:
    return {"client_idle": limits.client_idle, "staff_idle": limits.staff_idle}


def find(conn, id_hash: str, limits) -> dict | None:
    return conn.execute(sql.SQL("SELECT * FROM sessions WHERE id_hash = %(id)s AND {}").format(_LIVE),
                        {"id": id_hash, **_limits(limits)}).fetchone()


def alive(conn, id_hash: str, limits) -> bool:
    """Whether the session still stands, and its account (if any) is enabled: an open event
    stream asks this at every heartbeat, without counting as activity."""
    return conn.execute(
        sql.SQL("SELECT 1 FROM sessions s LEFT JOIN staff a ON a.id = s.staff_id WHERE s.id_hash = %(id)s AND {} "
                "AND (s.staff_id IS NULL OR a.disabled_at IS NULL)").format(_LIVE),
        {"id": id_hash, **_limits(limits)}).fetchone() is not None


def for_staff(conn, staff_id: int, limits) -> list[dict]:
    return conn.execute(sql.SQL("SELECT id_hash, user_agent, address, created_at, last_seen_at, expires_at FROM sessions "
                                "WHERE staff_id = %(staff)s AND {} ORDER BY last_seen_at DESC").format(_LIVE),
                        {"staff": staff_id, **_limits(limits)}).fetchall()


def end_for_staff(conn, staff_id: int, except_hash: str | None = None) -> int:
    """Sign an account out everywhere (but, if given, the session asking)."""
    return conn.execute("DELETE FROM sessions WHERE staff_id = %s AND id_hash IS DISTINCT FROM %s",
                        (staff_id, except_hash)).rowcount


def end_one(conn, staff_id: int, handle: str) -> int:
    """One of an account's sessions, by the handle the account page shows (a prefix of its hash)."""
    if len(handle) != 16 or not all(c in "0123456789abcdef" for c in handle):
        return 0
    return conn.execute("DELETE FROM sessions WHERE staff_id = %s AND left(id_hash, 16) = %s",
                        (staff_id, handle)).rowcount


def forget_expired(conn, limits) -> None:
    conn.execute(sql.SQL("DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions WHERE NOT ({}) LIMIT 200)")
                 .format(_LIVE), _limits(limits))


def insert(conn, id_hash: str, staff_id: int | None, data: dict, user_agent: str, address: str, lifetime) -> dict:
    return conn.execute(
        "INSERT INTO sessions (id_hash, staff_id, data, user_agent, address, expires_at) "
        "VALUES (%s, %s, %s, %s, %s, now() + %s) RETURNING expires_at",
        (id_hash, staff_id, Jsonb(data), user_agent[:200], address[:64], lifetime)).fetchone()


def update(conn, id_hash: str, staff_id: int | None, data: dict, lifetime) -> dict | None:
    """The new data and lifetime (counted from its creation); the expiry before and after, or None
    when the session ended meanwhile."""
    return conn.execute(
        "UPDATE sessions n SET data = %s, staff_id = %s, expires_at = n.created_at + %s FROM sessions o "
        "WHERE n.id_hash = %s AND o.id_hash = n.id_hash RETURNING n.expires_at, o.expires_at AS before",
        (Jsonb(data), staff_id, lifetime, id_hash)).fetchone()


def touch(conn, id_hash: str) -> None:
    conn.execute("UPDATE sessions SET last_seen_at = now() WHERE id_hash = %s", (id_hash,))


def delete(conn, id_hash: str) -> None:
    conn.execute("DELETE FROM sessions WHERE id_hash = %s", (id_hash,))
