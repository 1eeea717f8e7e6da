"""Shoots: a name, a default look and a folder of photos in the source bucket.

A shoot's id is the name of its folder under the upload prefix, so a photo put straight into the
bucket there (an `aws s3 sync`) belongs to it. Photos in folders that are no shoot's, or straight
under the prefix, are Unsorted: a shoot of its own in the pages, never a row.
"""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime

from photo_jobs import spec as edit_spec
from webapp.repositories import photos as photo_rows, shoots as rows

_ALPHABET = string.ascii_lowercase + string.digits
MAX_NAME = 120
UNSORTED = "unsorted"
NO_COUNTS = {"photos": 0, "processed": 0, "processing": 0, "failed": 0}


class ShootError(ValueError):
    """The shoot cannot be made or changed like that; the message says why."""


@dataclass
class Shoot:
    id: str
    name: str
    default_spec: dict
    created_at: datetime | None
    counts: dict = field(default_factory=lambda: dict(NO_COUNTS))
    keep_gps: bool = False  # its photos' copies keep their location (else stripped from every rendition)

    @property
    def unsorted(self) -> bool:
        return self.id == UNSORTED

    @property
    def folder(self) -> str | None:
        """The folder its photos are in (None for Unsorted: every folder that is no shoot's)."""
        return None if self.unsorted else self.id


def _shoot(row) -> Shoot | None:
    return Shoot(row["id"], row["name"], row["default_spec"], row["created_at"], keep_gps=row["keep_gps"]) if row else None


def unsorted(counts: dict | None = None) -> Shoot:
    return Shoot(UNSORTED, "Unsorted", edit_spec.compact(None), None, counts or dict(NO_COUNTS))


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


def create(conn, name: str, staff_id: int | None, spec: dict | None = None, keep_gps: bool = False) -> Shoot:
    look = edit_spec.compact(spec)  # raises SpecError with a reason
    shoot_id = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return _shoot(rows.insert(conn, shoot_id, _clean_name(name), look, staff_id, bool(keep_gps)))


def get(conn, shoot_id: str, with_counts: bool = False) -> Shoot | None:
    """The shoot (Unsorted too), or None."""
    if shoot_id == UNSORTED:
        return unsorted(photo_rows.unsorted_counts(conn) if with_counts else None)
    shoot = _shoot(rows.get(conn, shoot_id)) if is_id(shoot_id) else None
    if shoot and with_counts:
        shoot.counts = photo_rows.counts(conn, [shoot.id]).get(shoot.id, dict(NO_COUNTS))
    return shoot


def every(conn) -> list[Shoot]:
    """The studio's shoots, newest first, each with its counts; Unsorted last when it holds photos."""
    shoots = [_shoot(row) for row in rows.all_rows(conn)]
    counts = photo_rows.counts(conn)
    for shoot in shoots:
        shoot.counts = counts.get(shoot.id, dict(NO_COUNTS))
    strays = photo_rows.unsorted_counts(conn)
    return shoots + ([unsorted(strays)] if strays["photos"] else [])


def update(conn, shoot_id: str, name: str | None = None, spec: dict | None = None,
           keep_gps: bool | None = None) -> Shoot | None:
    """A shoot renamed, or given a new look or GPS choice for the photos uploaded from now on."""
    current = get(conn, shoot_id)
    if current is None or current.unsorted:
        return None
    new_name = _clean_name(name) if name is not None else current.name
    look = edit_spec.compact(spec) if spec is not None else current.default_spec
    return _shoot(rows.update(conn, shoot_id, new_name, look, current.keep_gps if keep_gps is None else bool(keep_gps)))
