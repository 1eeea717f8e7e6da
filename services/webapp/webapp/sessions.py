"""Sessions kept on the server, in PostgreSQL: the cookie holds only a random id.

A signed cookie cannot be withdrawn: one saved before *Sign out* would still open the studio for
its whole life. Here the cookie names a row (by the SHA-256 of its id, so the table holds nothing
a thief could replay); signing out deletes it, *sign out everywhere* deletes every row of the
account, and a session ends after an idle time and, whatever its activity, at an absolute limit.
Signing in gives a new id (no fixation). Clients of galleries have sessions too (their PIN
unlocks, their CSRF token), with no account and longer limits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import Flask, Request, Response, request
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from webapp.repositories import sessions as rows

TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per session
_USER_ID = "_user_id"  # where flask-login keeps the signed-in account in the session


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial: dict | None = None, id_hash: str | None = None) -> None:
        def on_update(this):
            this.modified = True
        super().__init__(initial or {}, on_update)
        self.id_hash = id_hash  # None: not stored yet
        self.modified = False
        self.renewing = False  # a new id at the next save: the one before may have been seen
        self.ending = False  # deleted at the next save

    @property
    def staff_id(self) -> int | None:
        value = self.get(_USER_ID)
        return int(value) if isinstance(value, str) and value.isdigit() else None


def renew(session) -> None:
    """A new id for this session from this response on (call it at sign-in)."""
    session.renewing = True
    session.modified = True


def end(session) -> None:
    """Delete this session (sign-out): its cookie opens nothing after this response."""
    session.clear()
    session.ending = True


class Limits:
    """How long sessions last, from the app's settings."""

    BARE_MAX = timedelta(days=1)  # a session holding only a CSRF token (a visit to a sign-in page)

    def __init__(self, config) -> None:
        self.staff_idle = timedelta(minutes=int(config["SESSION_IDLE_MINUTES"]))
        self.staff_max = timedelta(hours=int(config["SESSION_MAX_HOURS"]))
        self.client_idle = timedelta(days=int(config["CLIENT_SESSION_IDLE_DAYS"]))
        self.client_max = timedelta(days=int(config["CLIENT_SESSION_MAX_DAYS"]))

    def lifetime(self, session: ServerSession) -> timedelta:
        """From its creation, whatever its activity: staff's, a client's gallery unlocks', or a
        day for one that holds nothing worth keeping (so that visits leave few rows behind)."""
        if session.staff_id is not None:
            return self.staff_max
        return self.client_max if session.get("galleries") else self.BARE_MAX


class DatabaseSessions(SessionInterface):
    """Flask's session, as rows of the sessions table (app.extensions["db"])."""

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        cookie = request.cookies.get(self.get_cookie_name(app), "")
        if not cookie or len(cookie) > 128:
            return ServerSession()
        id_hash = _hash(cookie)
        with app.extensions["db"].transaction() as conn:
            row = rows.find(conn, id_hash, app.extensions["session_limits"])
            if row is None:
                return ServerSession()
            if datetime.now(UTC) - row["last_seen_at"] > TOUCH_EVERY:
                rows.touch(conn, id_hash)
        return ServerSession(row["data"], id_hash)

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:
        name, domain, path = self.get_cookie_name(app), self.get_cookie_domain(app), self.get_cookie_path(app)
        had_cookie = name in request.cookies
        database, limits = app.extensions["db"], app.extensions["session_limits"]
        if session.ending or (not session and session.modified):
            if session.id_hash:
                with database.transaction() as conn:
                    rows.delete(conn, session.id_hash)
            if had_cookie:
                response.delete_cookie(name, domain=domain, path=path, secure=self.get_cookie_secure(app),
                                       samesite=self.get_cookie_samesite(app), httponly=True)
            return
        if session.id_hash is None and not session:
            if had_cookie:  # a cookie of a session that ended: let the browser forget it
                response.delete_cookie(name, domain=domain, path=path)
            return
        if not session.modified and session.id_hash and not session.renewing:
            return
        with database.transaction() as conn:
            if session.id_hash is None or session.renewing:
                if session.id_hash:
                    rows.delete(conn, session.id_hash)
                new_id = secrets.token_urlsafe(32)
                session.id_hash, session.renewing = _hash(new_id), False
                row = rows.insert(conn, session.id_hash, session.staff_id, dict(session), request.user_agent.string or "",
                                  request.remote_addr or "", limits.lifetime(session))
                rows.forget_expired(conn, limits)
                cookie, expires = new_id, row["expires_at"]
            else:
                row = rows.update(conn, session.id_hash, session.staff_id, dict(session), limits.lifetime(session))
                if row is None:  # ended meanwhile (signed out elsewhere): do not bring it back
                    return
                # the cookie lives as long as its row: told again when that changes (a PIN unlock)
                cookie, expires = (request.cookies.get(name), row["expires_at"]) if row["expires_at"] != row["before"] \
                    else (None, None)
        if cookie:
            response.set_cookie(name, cookie, expires=expires, domain=domain, path=path, httponly=True,
                                secure=self.get_cookie_secure(app), samesite=self.get_cookie_samesite(app))
        response.vary.add("Cookie")
