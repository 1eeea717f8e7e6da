"""Staff accounts and API tokens: passwords hashed with argon2id, tokens stored as SHA-256,
named, listed and revoked by id, optionally expiring; accounts can be disabled, and disabling one
(or setting its password) ends its sessions, tokens and open streams.

Functions over a database connection, so the web app, the admin command and the tests share them.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from webapp.repositories import accounts as rows, sessions

_hasher = PasswordHasher()
# Compared against when no such account exists, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
TOKEN_PREFIX = "vat_"
MIN_PASSWORD, MAX_PASSWORD = 10, 1024  # argon2 takes any length; a megabyte is only a cost
MAX_TOKEN_NAME = 80
TOKEN_TOUCH_EVERY = timedelta(minutes=1)  # last_used_at is written at most this often
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """The account cannot be made or changed; the message says why."""


@dataclass(frozen=True)
class Staff:
    id: int
    email: str
    name: str
    disabled: bool = False

    # flask-login: the session (a row of its own, webapp.sessions) names the account
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return not self.disabled

    def get_id(self) -> str:
        return str(self.id)


def _staff(row) -> Staff | None:
    return Staff(row["id"], row["email"], row["name"], row["disabled_at"] is not None) if row else None


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"a password has at most {MAX_PASSWORD} characters")


def create_staff(conn, email: str, password: str, name: str = "") -> Staff:
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise AccountError(f"{email!r} is not an email address")
    _check_password(password)
    row = rows.insert_staff(conn, email, name.strip(), _hasher.hash(password))
    if row is None:
        raise AccountError(f"there is already an account for {email}")
    return _staff(row)


def authenticate(conn, email: str, password: str) -> Staff | None:
    """The account, if the password is its own and it is not disabled (a disabled account costs
    the same time to refuse, so its state is not told either)."""
    row = rows.staff_by_email(conn, email.strip().lower())
    try:
        _hasher.verify(row["password_hash"] if row else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None or row["disabled_at"] is not None:
        return None
    if _hasher.check_needs_rehash(row["password_hash"]):
        rows.set_password_hash(conn, row["id"], _hasher.hash(password))
    return _staff(row)


def active_staff(conn, staff_id: int) -> Staff | None:
    """The account behind a session, unless it was disabled."""
    return _staff(rows.staff_by_id(conn, staff_id))


def staff_by_email(conn, email: str) -> Staff | None:
    return _staff(rows.staff_by_email(conn, email.strip().lower()))


def all_staff(conn) -> list[Staff]:
    return [_staff(row) for row in rows.all_staff(conn)]


def set_password(conn, staff_id: int, password: str) -> None:
    """A new password set for someone (vividart-admin): every session and API token of the account
    ends, as after a suspected theft."""
    _check_password(password)
    rows.set_password_hash(conn, staff_id, _hasher.hash(password))
    end_everything(conn, staff_id)


def change_password(conn, staff_id: int, current: str, new: str, keep_session: str | None) -> None:
    """Someone changes their own password: the old one must be given; their other sessions end."""
    row = rows.staff_by_id(conn, staff_id)
    try:
        _hasher.verify(row["password_hash"], current)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise AccountError("the current password is not right") from None
    _check_password(new)
    rows.set_password_hash(conn, staff_id, _hasher.hash(new))
    sign_out(conn, staff_id, keep=keep_session)


def end_everything(conn, staff_id: int) -> None:
    """Every session and API token of the account; open event streams see it at their next heartbeat."""
    sign_out(conn, staff_id)
    rows.revoke_tokens_of(conn, staff_id)


def disable(conn, staff_id: int) -> None:
    """Nobody signs in as this account any more, and whatever it had open ends."""
    rows.set_disabled(conn, staff_id, True)
    end_everything(conn, staff_id)


def enable(conn, staff_id: int) -> None:
    rows.set_disabled(conn, staff_id, False)


# --- API tokens ----------------------------------------------------------------------------

def create_token(conn, staff_id: int, name: str, expires_at: datetime | None = None) -> str:
    """A new API token for the account; the only time its text exists outside the caller."""
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_TOKEN_NAME:
        raise AccountError(f"a token needs a name of 1 to {MAX_TOKEN_NAME} characters (what it is for)")
    if expires_at is not None and (expires_at.tzinfo is None or expires_at <= datetime.now(UTC)):
        raise AccountError("a token's expiry is a time to come, with a time zone")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    rows.insert_token(conn, staff_id, name, _digest(token), expires_at)
    return token


def staff_by_token(conn, token: str) -> Staff | None:
    """The account a live token belongs to (not revoked, not expired, account enabled)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = rows.live_token(conn, _digest(token))
    if row is None:
        return None
    if row["last_used_at"] is None or datetime.now(UTC) - row["last_used_at"] > TOKEN_TOUCH_EVERY:
        rows.touch_token(conn, row["token_id"])
    return _staff(row)


def token_alive(conn, token: str) -> bool:
    """Whether an open event stream's token still stands (asked at every heartbeat)."""
    return rows.live_token(conn, _digest(token)) is not None


def tokens(conn, staff_id: int) -> list[dict]:
    """The account's tokens, newest first: never their text, which is not kept."""
    return rows.tokens(conn, staff_id)


def revoke_token_by_id(conn, staff_id: int | None, token_id: int) -> bool:
    """Revoke one token by its id (of this account, unless staff_id is None: the admin command)."""
    return rows.revoke_token(conn, token_id, staff_id)


def revoke_token(conn, token: str) -> bool:
    return rows.revoke_token_by_hash(conn, _digest(token))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- sessions ----------------------------------------------------------------------------------

def signed_in(conn, staff_id: int, limits) -> list[dict]:
    """The account's live sessions, most recently used first."""
    return sessions.for_staff(conn, staff_id, limits)


def sign_out(conn, staff_id: int, keep: str | None = None) -> int:
    """End the account's sessions everywhere (but the one named by `keep`, the asking browser's)."""
    return sessions.end_for_staff(conn, staff_id, except_hash=keep)


def sign_out_one(conn, staff_id: int, handle: str) -> bool:
    return sessions.end_one(conn, staff_id, handle) > 0


def session_alive(conn, id_hash: str, limits) -> bool:
    return sessions.alive(conn, id_hash, limits)
