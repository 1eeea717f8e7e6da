"""Staff accounts and API tokens: passwords hashed with argon2id, tokens stored as SHA-256.

Functions over a database connection, so the web app, the admin command and the tests share them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# Compared against when no such account exists, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
TOKEN_PREFIX = "vat_"
MIN_PASSWORD = 10
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """The account cannot be made or changed; the message says why."""


@dataclass(frozen=True)
class Staff:
    id: int
    email: str
    name: str
    session_epoch: int

    # flask-login: a session names the account and its epoch, so raising the epoch ends it
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}.{self.session_epoch}"


def _staff(row) -> Staff | None:
    return Staff(row["id"], row["email"], row["name"], row["session_epoch"]) if row else None


def create_staff(conn: psycopg.Connection, email: str, password: str, name: str = "") -> Staff:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise AccountError(f"{email!r} is not an email address")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    try:
        row = conn.execute("INSERT INTO staff (email, name, password_hash) VALUES (%s, %s, %s) RETURNING *",
                           (email, name.strip(), _hasher.hash(password))).fetchone()
    except psycopg.errors.UniqueViolation:
        raise AccountError(f"there is already an account for {email}") from None
    return _staff(row)


def authenticate(conn: psycopg.Connection, email: str, password: str) -> Staff | None:
    row = conn.execute("SELECT * FROM staff WHERE email = %s", (email.strip().lower(),)).fetchone()
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        conn.execute("UPDATE staff SET password_hash = %s WHERE id = %s", (_hasher.hash(password), row["id"]))
    return _staff(row)


def staff_by_session(conn: psycopg.Connection, session_id: str) -> Staff | None:
    staff_id, _, epoch = session_id.partition(".")
    if not staff_id.isdigit() or not epoch.isdigit():
        return None
    return _staff(conn.execute("SELECT * FROM staff WHERE id = %s AND session_epoch = %s",
                               (int(staff_id), int(epoch))).fetchone())


def staff_by_email(conn: psycopg.Connection, email: str) -> Staff | None:
    return _staff(conn.execute("SELECT * FROM staff WHERE email = %s", (email.strip().lower(),)).fetchone())


def set_password(conn: psycopg.Connection, staff_id: int, password: str) -> None:
    """A new password, and every session signed in with the old one ended."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    conn.execute("UPDATE staff SET password_hash = %s, session_epoch = session_epoch + 1 WHERE id = %s",
                 (_hasher.hash(password), staff_id))


def end_sessions(conn: psycopg.Connection, staff_id: int) -> None:
    conn.execute("UPDATE staff SET session_epoch = session_epoch + 1 WHERE id = %s", (staff_id,))


def create_token(conn: psycopg.Connection, staff_id: int, name: str) -> str:
    """A new API token for the account; the only time its text exists outside the caller."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    conn.execute("INSERT INTO api_tokens (staff_id, name, token_hash) VALUES (%s, %s, %s)",
                 (staff_id, name.strip() or "token", _digest(token)))
    return token


def staff_by_token(conn: psycopg.Connection, token: str) -> Staff | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = conn.execute(
        "UPDATE api_tokens SET last_used_at = now() WHERE token_hash = %s AND revoked_at IS NULL "
        "RETURNING staff_id", (_digest(token),)).fetchone()
    if row is None:
        return None
    return _staff(conn.execute("SELECT * FROM staff WHERE id = %s", (row["staff_id"],)).fetchone())


def revoke_token(conn: psycopg.Connection, token: str) -> bool:
    return conn.execute("UPDATE api_tokens SET revoked_at = now() WHERE token_hash = %s AND revoked_at IS NULL",
                        (_digest(token),)).rowcount == 1


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
