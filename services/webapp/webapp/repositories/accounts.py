"""The staff and api_tokens tables."""

from __future__ import annotations

from datetime import datetime

import psycopg


def insert_staff(conn, email: str, name: str, password_hash: str) -> dict | None:
    """The new row, or None when the email has an account already."""
    try:
        return conn.execute("INSERT INTO staff (email, name, password_hash) VALUES (%s, %s, %s) RETURNING *",
                            (email, name, password_hash)).fetchone()
    except psycopg.errors.UniqueViolation:
        return None


def staff_by_email(conn, email: str) -> dict | None:
    return conn.execute("SELECT * FROM staff WHERE email = %s", (email,)).fetchone()


def staff_by_id(conn, staff_id: int, enabled_only: bool = True) -> dict | None:
    return conn.execute("SELECT * FROM staff WHERE id = %s AND (disabled_at IS NULL OR NOT %s)",
                        (staff_id, enabled_only)).fetchone()


def all_staff(conn) -> list[dict]:
    return conn.execute("SELECT * FROM staff ORDER BY email").fetchall()


def set_password_hash(conn, staff_id: int, password_hash: str) -> None:
    conn.execute("UPDATE staff SET password_hash = %s WHERE id = %s", (password_hash, staff_id))


def set_disabled(conn, staff_id: int, disabled: bool) -> None:
    conn.execute("UPDATE staff SET disabled_at = CASE WHEN %s THEN coalesce(disabled_at, now()) END WHERE id = %s",
                 (disabled, staff_id))


def insert_token(conn, staff_id: int, name: str, token_hash: str, expires_at: datetime | None) -> None:
    conn.execute("INSERT INTO api_tokens (staff_id, name, token_hash, expires_at) VALUES (%s, %s, %s, %s)",
                 (staff_id, name, token_hash, expires_at))


def live_token(conn, token_hash: str) -> dict | None:
    """The token's id and last use, and its account's row, if the token still works: not revoked,
    not expired, its account enabled."""
    return conn.execute("SELECT t.id AS token_id, t.last_used_at, s.* FROM api_tokens t JOIN staff s ON s.id = t.staff_id "
                        "WHERE t.token_hash = %s AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) "
                        "AND s.disabled_at IS NULL", (token_hash,)).fetchone()


def touch_token(conn, token_id: int) -> None:
    conn.execute("UPDATE api_tokens SET last_used_at = now() WHERE id = %s", (token_id,))


def tokens(conn, staff_id: int) -> list[dict]:
    return conn.execute("SELECT id, name, created_at, last_used_at, expires_at, revoked_at FROM api_tokens "
                        "WHERE staff_id = %s ORDER BY created_at DESC, id DESC", (staff_id,)).fetchall()


def revoke_token(conn, token_id: int, staff_id: int | None) -> bool:
    """Revoke one token by id (of this account, unless staff_id is None)."""
    return conn.execute("UPDATE api_tokens SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL "
                        "AND (%s::bigint IS NULL OR staff_id = %s)", (token_id, staff_id, staff_id)).rowcount == 1


def revoke_token_by_hash(conn, token_hash: str) -> bool:
    return conn.execute("UPDATE api_tokens SET revoked_at = now() WHERE token_hash = %s AND revoked_at IS NULL",
                        (token_hash,)).rowcount == 1


def revoke_tokens_of(conn, staff_id: int) -> None:
    conn.execute("UPDATE api_tokens SET revoked_at = now() WHERE staff_id = %s AND revoked_at IS NULL", (staff_id,))
