"""The shoots table."""

from __future__ import annotations

from psycopg.types.json import Jsonb


def insert(conn, shoot_id: str, name: str, look: dict, staff_id: int | None, keep_gps: bool = False) -> dict:
    return conn.execute("INSERT INTO shoots (id, name, default_spec, created_by, keep_gps) VALUES (%s, %s, %s, %s, %s) "
                        "RETURNING *", (shoot_id, name, Jsonb(look), staff_id, keep_gps)).fetchone()


def get(conn, shoot_id: str) -> dict | None:
    return conn.execute("SELECT * FROM shoots WHERE id = %s", (shoot_id,)).fetchone()


def all_rows(conn) -> list[dict]:
    return conn.execute("SELECT * FROM shoots ORDER BY created_at DESC, id").fetchall()


def update(conn, shoot_id: str, name: str, look: dict, keep_gps: bool) -> dict | None:
    return conn.execute("UPDATE shoots SET name = %s, default_spec = %s, keep_gps = %s, updated_at = now() "
                        "WHERE id = %s RETURNING *", (name, Jsonb(look), keep_gps, shoot_id)).fetchone()
