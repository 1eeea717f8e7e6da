"""Client galleries: share links, one per recipient, and what clients do through them.

A link belongs to one shoot and says what its holder may have: proofs (watermarked renditions
only) or the photos, downloads of none, web size or full size, until when, behind which PIN.
Its token (in the URL) is an HMAC of its id and a nonce under the app's secret: unguessable,
never stored, checked in constant time on every request; revoking or expiring the link ends it.

Functions over a database connection.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from psycopg.types.json import Jsonb

DOWNLOADS = ("none", "web", "full")
MAX_NAME, MAX_COMMENT = 80, 2000
# Wrong PINs: a few tries per address and a few more per link, per quarter of an hour.
PIN_WINDOW = timedelta(minutes=15)
PIN_TRIES_PER_ADDRESS, PIN_TRIES_PER_LINK = 5, 20
_hasher = PasswordHasher()
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class LinkError(ValueError):
    """The link cannot be made or changed like that; the message says why."""


class TooManyGuesses(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"try again in {retry_after // 60 + 1} minutes")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Link:
    id: int
    shoot_id: str
    name: str
    nonce: str
    expires_at: datetime | None
    pin_hash: str | None
    pin_version: int
    downloads: str
    proofs: bool
    revoked_at: datetime | None
    created_at: datetime

    def token(self, secret: str) -> str:
        return f"{self.id}-{_mac(secret, self.id, self.nonce)}"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= datetime.now(UTC):
            return "expired"
        return "active"

    def view(self, secret: str, base_url: str) -> dict:
        """What the photographer sees of the link, its URL included (never sent to clients)."""
        return {"id": self.id, "name": self.name, "url": f"{base_url.rstrip('/')}/g/{self.token(secret)}",
                "expires_at": self.expires_at.isoformat() if self.expires_at else None, "pin": self.pin_hash is not None,
                "downloads": self.downloads, "proofs": self.proofs, "state": self.state,
                "created_at": self.created_at.isoformat()}


def _mac(secret: str, link_id: int, nonce: str) -> str:
    digest = hmac.new(secret.encode(), f"share-link:{link_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def _link(row) -> Link | None:
    if row is None:
        return None
    return Link(row["id"], row["shoot_id"], row["name"], row["nonce"], row["expires_at"], row["pin_hash"],
                row["pin_version"], row["downloads"], row["proofs"], row["revoked_at"], row["created_at"])


def _clean(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise LinkError("a link needs a name, such as who it is for")
    if len(name.strip()) > MAX_NAME or _CONTROL.search(name) or "\n" in name:
        raise LinkError(f"a link's name is one line of at most {MAX_NAME} characters")
    return " ".join(name.split())


def _pin_hash(pin: str | None) -> str | None:
    if pin in (None, ""):
        return None
    if not re.fullmatch(r"[0-9A-Za-z]{4,12}", pin):
        raise LinkError("a PIN is 4 to 12 letters or digits")
    return _hasher.hash(pin)


def _expiry(expires_at: datetime | None) -> datetime | None:
    if expires_at is not None and expires_at.tzinfo is None:
        raise LinkError("an expiry needs a time zone")
    return expires_at


def create(conn: psycopg.Connection, shoot_id: str, name: str, expires_at: datetime | None, pin: str | None,
           downloads: str, proofs: bool) -> Link:
    if downloads not in DOWNLOADS:
        raise LinkError(f"downloads is one of: {', '.join(DOWNLOADS)}")
    return _link(conn.execute(
        "INSERT INTO share_links (shoot_id, name, nonce, expires_at, pin_hash, downloads, proofs) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING *",
        (shoot_id, _clean(name), secrets.token_urlsafe(16), _expiry(expires_at), _pin_hash(pin), downloads,
         proofs)).fetchone())


_UNSET = object()


def update(conn: psycopg.Connection, shoot_id: str, link_id: int, name=_UNSET, expires_at=_UNSET, pin=_UNSET,
           downloads=_UNSET, proofs=_UNSET) -> Link | None:
    link = get(conn, shoot_id, link_id)
    if link is None:
        return None
    changes = {}
    if name is not _UNSET:
        changes["name"] = _clean(name)
    if expires_at is not _UNSET:
        changes["expires_at"] = _expiry(expires_at)
    if pin is not _UNSET:  # a new PIN (or none) locks out whoever opened the gallery with the old one
        changes["pin_hash"] = _pin_hash(pin)
        changes["pin_version"] = link.pin_version + 1
    if downloads is not _UNSET:
        if downloads not in DOWNLOADS:
            raise LinkError(f"downloads is one of: {', '.join(DOWNLOADS)}")
        changes["downloads"] = downloads
    if proofs is not _UNSET:
        changes["proofs"] = bool(proofs)
    if not changes:
        return link
    assignments = ", ".join(f"{column} = %s" for column in changes)
    return _link(conn.execute(f"UPDATE share_links SET {assignments}, updated_at = now() WHERE id = %s RETURNING *",
                              (*changes.values(), link_id)).fetchone())


def revoke(conn: psycopg.Connection, shoot_id: str, link_id: int) -> Link | None:
    return _link(conn.execute(
        "UPDATE share_links SET revoked_at = coalesce(revoked_at, now()) WHERE id = %s AND shoot_id = %s RETURNING *",
        (link_id, shoot_id)).fetchone())


def get(conn: psycopg.Connection, shoot_id: str, link_id: int) -> Link | None:
    return _link(conn.execute("SELECT * FROM share_links WHERE id = %s AND shoot_id = %s",
                              (link_id, shoot_id)).fetchone())


def for_shoot(conn: psycopg.Connection, shoot_id: str) -> list[Link]:
    return [_link(row) for row in conn.execute("SELECT * FROM share_links WHERE shoot_id = %s ORDER BY id",
                                               (shoot_id,))]


def by_token(conn: psycopg.Connection, secret: str, token: str) -> Link | None:
    """The link this token opens, whatever its state; None for a token that is not one."""
    match = re.fullmatch(r"(\d{1,18})-([A-Za-z0-9_-]{32})", token or "")
    if not match:
        return None
    link = _link(conn.execute("SELECT * FROM share_links WHERE id = %s", (int(match[1]),)).fetchone())
    if link is None or not hmac.compare_digest(_mac(secret, link.id, link.nonce), match[2]):
        return None
    return link


def check_pin(conn: psycopg.Connection, link: Link, pin: str, address: str) -> bool:
    """Whether the PIN opens the link; TooManyGuesses once an address, or everyone, tried too often."""
    since = datetime.now(UTC) - PIN_WINDOW
    counts = conn.execute(
        "SELECT count(*) FILTER (WHERE address = %s) AS here, count(*) AS everywhere, min(failed_at) AS first "
        "FROM pin_failures WHERE link_id = %s AND failed_at > %s", (address, link.id, since)).fetchone()
    if counts["here"] >= PIN_TRIES_PER_ADDRESS or counts["everywhere"] >= PIN_TRIES_PER_LINK:
        raise TooManyGuesses(int((counts["first"] + PIN_WINDOW - datetime.now(UTC)).total_seconds()))
    try:
        _hasher.verify(link.pin_hash, pin if isinstance(pin, str) else "")
        return True
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        conn.execute("INSERT INTO pin_failures (link_id, address) VALUES (%s, %s)", (link.id, address))
        conn.execute("DELETE FROM pin_failures WHERE failed_at < %s", (since,))
        return False


# --- what clients say ----------------------------------------------------------------------

def favourites(conn: psycopg.Connection, link_id: int) -> list[str]:
    return [row["photo_key"] for row in conn.execute(
        "SELECT photo_key FROM favourites WHERE link_id = %s ORDER BY created_at", (link_id,))]


def set_favourite(conn: psycopg.Connection, link_id: int, key: str, on: bool) -> None:
    if on:
        conn.execute("INSERT INTO favourites (link_id, photo_key) VALUES (%s, %s) ON CONFLICT DO NOTHING", (link_id, key))
    else:
        conn.execute("DELETE FROM favourites WHERE link_id = %s AND photo_key = %s", (link_id, key))


def add_comment(conn: psycopg.Connection, link_id: int, key: str, body: str) -> dict:
    body = body.strip() if isinstance(body, str) else ""
    if not body or len(body) > MAX_COMMENT or _CONTROL.search(body):
        raise LinkError(f"a comment is 1 to {MAX_COMMENT} characters of text")
    row = conn.execute("INSERT INTO comments (link_id, photo_key, body) VALUES (%s, %s, %s) RETURNING *",
                       (link_id, key, body)).fetchone()
    return _comment(row)


def _comment(row) -> dict:
    return {"id": row["id"], "key": row["photo_key"], "body": row["body"], "created_at": row["created_at"].isoformat()}


def comments(conn: psycopg.Connection, link_id: int) -> list[dict]:
    return [_comment(row) for row in conn.execute(
        "SELECT * FROM comments WHERE link_id = %s ORDER BY created_at, id", (link_id,))]


def send_selection(conn: psycopg.Connection, link_id: int) -> dict:
    keys = favourites(conn, link_id)
    if not keys:
        raise LinkError("choose some favourites first: the selection is your favourites")
    row = conn.execute("INSERT INTO selections (link_id, photo_keys) VALUES (%s, %s) RETURNING *",
                       (link_id, Jsonb(keys))).fetchone()
    return _selection(row)


def _selection(row) -> dict:
    return {"id": row["id"], "keys": row["photo_keys"], "sent_at": row["sent_at"].isoformat()}


def selections(conn: psycopg.Connection, link_id: int) -> list[dict]:
    return [_selection(row) for row in conn.execute(
        "SELECT * FROM selections WHERE link_id = %s ORDER BY sent_at, id", (link_id,))]


def favourite_counts(conn: psycopg.Connection, shoot_id: str, key: str | None = None) -> dict[str, int]:
    """How many of a shoot's links chose each photo (or only the photo named by key)."""
    only = " AND f.photo_key = %s" if key is not None else ""
    return {row["photo_key"]: row["n"] for row in conn.execute(
        "SELECT f.photo_key, count(*) AS n FROM favourites f JOIN share_links l ON l.id = f.link_id "
        f"WHERE l.shoot_id = %s{only} GROUP BY f.photo_key", (shoot_id, key) if key is not None else (shoot_id,))}
