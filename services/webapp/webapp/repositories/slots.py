"""What one holder (a share link, a staff member) may keep open at once, across every instance:
event streams, archives in the making. A slot is a row; its holder renews it while it runs, and a
slot not renewed within `stale_after` is free again, so an instance that died keeps nothing.

Functions over a database connection.
"""

from __future__ import annotations

import uuid
from datetime import timedelta


def acquire(conn, kind: str, holder: str, limit: int, stale_after: timedelta) -> str | None:
    """A slot of this kind for the holder, or None when it holds `limit` already. Counted under a
    lock of the holder's own, so slots asked for together cannot all pass the count."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"slots:{kind}:{holder}",))
    conn.execute("DELETE FROM held_slots WHERE kind = %s AND holder = %s AND renewed_at < now() - %s",
                 (kind, holder, stale_after))
    held = conn.execute("SELECT count(*) AS n FROM held_slots WHERE kind = %s AND holder = %s",
                        (kind, holder)).fetchone()["n"]
    if held >= limit:
        return None
    slot = str(uuid.uuid4())
    conn.execute("INSERT INTO held_slots (id, kind, holder) VALUES (%s, %s, %s)", (slot, kind, holder))
    return slot


def renew(conn, slot: str) -> bool:
    """Still held (False: it went stale and was given to another)."""
    return conn.execute("UPDATE held_slots SET renewed_at = now() WHERE id = %s", (slot,)).rowcount == 1


def release(conn, slot: str) -> None:
    conn.execute("DELETE FROM held_slots WHERE id = %s", (slot,))


def held(conn, kind: str, holder: str, stale_after: timedelta) -> int:
    return conn.execute("SELECT count(*) AS n FROM held_slots WHERE kind = %s AND holder = %s AND renewed_at >= now() - %s",
                        (kind, holder, stale_after)).fetchone()["n"]
