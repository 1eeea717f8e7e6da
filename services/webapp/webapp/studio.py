"""Shoots: a name, a default look and a folder of photos in the source bucket.

Functions over a database connection. A shoot's id is the name of its folder under the upload
prefix, so a photo put straight into the bucket there (an `aws s3 sync`) belongs to it.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.types.json import Jsonb

from photo_jobs import spec as edit_spec

_ALPHABET = string.ascii_lowercase + string.digits
MAX_NAME = 120


class ShootError(ValueError):
    """The shoot cannot be made or changed like that; the message says why."""


@dataclass(frozen=True)
class Shoot:
    id: str
    name: str
    default_spec: dict
    created_at: datetime

    def view(self) -> dict:
        return {"id": self.id, "name": self.name, "default_spec": self.default_spec,
                "created_at": self.created_at.isoformat()}


def _shoot(row) -> Shoot | None:
    return Shoot(row["id"], row["name"], row["default_spec"], row["created_at"]) if row else None


def _clean_name(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ShootError("a shoot needs a name")
    if re.search(r"[\x00-\x1f\x7f]", name):
        raise ShootError("a shoot's name has no control characters")
    if len(name.strip()) > MAX_NAME:
        raise ShootError(f"a shoot's name has at most {MAX_NAME} characters")
    return " ".join(name.split())


def is_id(text: str) -> bool:
    """The shape of a shoot's id: what can be looked up at all."""
    return bool(re.fullmatch(r"[a-z0-9]{12}", text))


def new_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def create(conn: psycopg.Connection, name: str, staff_id: int | None, spec: dict | None = None) -> Shoot:
    look = edit_spec.compact(spec)  # raises SpecError with a reason
    return _shoot(conn.execute(
        "INSERT INTO shoots (id, name, default_spec, created_by) VALUES (%s, %s, %s, %s) RETURNING *",
        (new_id(), _clean_name(name), Jsonb(look), staff_id)).fetchone())


def get(conn: psycopg.Connection, shoot_id: str) -> Shoot | None:
    if not is_id(shoot_id):
        return None
    return _shoot(conn.execute("SELECT * FROM shoots WHERE id = %s", (shoot_id,)).fetchone())


def all_shoots(conn: psycopg.Connection) -> list[Shoot]:
    return [_shoot(row) for row in conn.execute("SELECT * FROM shoots ORDER BY created_at DESC, id")]


def update(conn: psycopg.Connection, shoot_id: str, name: str | None = None, spec: dict | None = None) -> Shoot | None:
    current = get(conn, shoot_id)
    if current is None:
        return None
    new_name = _clean_name(name) if name is not None else current.name
    look = edit_spec.compact(spec) if spec is not None else current.default_spec
    return _shoot(conn.execute(
        "UPDATE shoots SET name = %s, default_spec = %s, updated_at = now() WHERE id = %s RETURNING *",
        (new_name, Jsonb(look), shoot_id)).fetchone())
