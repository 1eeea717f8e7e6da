"""The share_links and pin_guesses tables."""

from __future__ import annotations

from datetime import timedelta

from psycopg import sql


def insert(conn, shoot_id: str, name: str, nonce: str, expires_at, pin_hash, downloads: str, proofs: bool) -> dict:
    return conn.execute(
        "INSERT INTO share_links (shoot_id, name, nonce, expires_at, pin_hash, downloads, proofs) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING *",
        (shoot_id, name, nonce, expires_at, pin_hash, downloads, proofs)).fetchone()


def get(conn, link_id: int, shoot_id: str | None = None) -> dict | None:
    """The link (only through its own shoot, when one is given)."""
    return conn.execute("SELECT * FROM share_links WHERE id = %s AND (%s::text IS NULL OR shoot_id = %s)",
                        (link_id, shoot_id, shoot_id)).fetchone()


def of_shoot(conn, shoot_id: str) -> list[dict]:
    return conn.execute("SELECT * FROM share_links WHERE shoot_id = %s ORDER BY id", (shoot_id,)).fetchall()


def update(conn, link_id: int, changes: dict) -> dict:
    assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(column)) for column in changes)
    return conn.execute(sql.SQL("UPDATE share_links SET {}, updated_at = now() WHERE id = %s RETURNING *")
                        .format(assignments), (*changes.values(), link_id)).fetchone()


def revoke(conn, shoot_id: str, link_id: int) -> dict | None:
    return conn.execute("UPDATE share_links SET revoked_at = coalesce(revoked_at, now()) WHERE id = %s AND shoot_id = %s "
                        "RETURNING *", (link_id, shoot_id)).fetchone()


def clear_lock(conn, shoot_id: str, link_id: int) -> dict | None:
    row = conn.execute("UPDATE share_links SET locked_at = NULL, pin_failures = 0, updated_at = now() "
                       "WHERE id = %s AND shoot_id = %s RETURNING *", (link_id, shoot_id)).fetchone()
    if row:
        forget_guesses(conn, link_id)
    return row


def locked(conn, link_id: int) -> bool | None:
    """Whether the link is locked now (None: no such link)."""
    row = conn.execute("SELECT locked_at FROM share_links WHERE id = %s", (link_id,)).fetchone()
    return None if row is None else row["locked_at"] is not None


def take_guess_turn(conn, link_id: int, address: str, checking: timedelta) -> int | None:
    """This address's turn to have a PIN checked, atomically: its wrong PINs so far, or None when
    it must wait (blocked after wrong ones, or another of its guesses is being checked)."""
    conn.execute("INSERT INTO pin_guesses (link_id, address) VALUES (%s, %s) ON CONFLICT DO NOTHING", (link_id, address))
    row = conn.execute("UPDATE pin_guesses SET checking_until = now() + %s WHERE link_id = %s AND address = %s "
                       "AND blocked_until <= now() AND checking_until <= now() RETURNING failures",
                       (checking, link_id, address)).fetchone()
    return row["failures"] if row else None


def guess_wait(conn, link_id: int, address: str) -> int:
    """Seconds until this address may guess again."""
    row = conn.execute("SELECT ceil(extract(epoch FROM greatest(blocked_until, checking_until) - now())) AS s "
                       "FROM pin_guesses WHERE link_id = %s AND address = %s", (link_id, address)).fetchone()
    return max(1, int(row["s"] or 1)) if row else 1


def wrong_guess(conn, link_id: int, address: str, failures: int, wait: timedelta, lock_after: int) -> None:
    """Record a wrong PIN: the address waits, the link counts it (and locks at `lock_after`)."""
    conn.execute("UPDATE pin_guesses SET failures = %s, blocked_until = now() + %s, checking_until = now(), "
                 "last_failed_at = now() WHERE link_id = %s AND address = %s", (failures, wait, link_id, address))
    conn.execute("UPDATE share_links SET pin_failures = pin_failures + 1, locked_at = CASE "
                 "WHEN pin_failures + 1 >= %s THEN coalesce(locked_at, now()) ELSE locked_at END WHERE id = %s",
                 (lock_after, link_id))
    conn.execute("DELETE FROM pin_guesses WHERE last_failed_at < now() - interval '1 day'")


def right_guess(conn, link_id: int, address: str) -> None:
    conn.execute("DELETE FROM pin_guesses WHERE link_id = %s AND address = %s", (link_id, address))


def forget_guesses(conn, link_id: int) -> None:
    conn.execute("DELETE FROM pin_guesses WHERE link_id = %s", (link_id,))
