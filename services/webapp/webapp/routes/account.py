"""A staff member's own account (staff only): where they are signed in, their API tokens, their
password. Tokens are made and revoked, browsers signed out and the password changed only from a
signed-in browser: a token in the wrong hands must not be able to make more of itself or lock its
owner out (vividart-admin revokes tokens and signs out where no browser can).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app, session
from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from webapp import sessions
from webapp.apispec import Blueprint
from webapp.auth import from_browser, staff_only
from webapp.context import db
from webapp.ratelimits import limiter
from webapp.services import accounts

bp = Blueprint("account", __name__, url_prefix="/api/account", description="Your account: sessions, API tokens, password")


class SessionOut(Schema):
    id = fields.String(metadata={"description": "a handle to sign this browser out"})
    current = fields.Boolean(metadata={"description": "the browser asking"})
    user_agent = fields.String()
    address = fields.String()
    created_at = fields.DateTime()
    last_seen_at = fields.DateTime()
    expires_at = fields.DateTime()


class TokenOut(Schema):
    id = fields.Integer()
    name = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    expires_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class AccountOut(Schema):
    email = fields.String()
    name = fields.String()
    sessions = fields.List(fields.Nested(SessionOut))
    tokens = fields.List(fields.Nested(TokenOut))


class TokenIn(Schema):
    name = fields.String(required=True, validate=validate.Length(1, accounts.MAX_TOKEN_NAME))
    expires_in_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 3650),
                                     metadata={"description": "none: until revoked"})


class TokenMade(TokenOut):
    token = fields.String(metadata={"description": "the token: shown this once, never stored"})


class PasswordIn(Schema):
    current = fields.String(required=True, validate=validate.Length(1, accounts.MAX_PASSWORD))
    new = fields.String(required=True, validate=validate.Length(accounts.MIN_PASSWORD, accounts.MAX_PASSWORD))


def _browser_only(what: str) -> None:
    if not from_browser():
        abort(403, message=f"{what} from a signed-in browser (the account page), not with an API token")


@bp.route("")
@staff_only
@bp.response(200, AccountOut)
def account():
    """Your account: the browsers signed in as you, and your API tokens (never their text)."""
    limits, mine = current_app.extensions["session_limits"], getattr(session, "id_hash", None)
    with db().transaction() as conn:
        signed_in = accounts.signed_in(conn, current_user.id, limits)
        tokens = accounts.tokens(conn, current_user.id)
    return {"email": current_user.email, "name": current_user.name, "tokens": tokens,
            "sessions": [dict(s, id=s["id_hash"][:16], current=s["id_hash"] == mine) for s in signed_in]}


@bp.route("/tokens", methods=["POST"])
@staff_only
@bp.arguments(TokenIn)
@bp.response(201, TokenMade)
@limiter.limit("30 per hour", key_func=lambda: f"tokens:{getattr(current_user, 'id', '')}")
def create_token(body):
    """A new API token, named for what it is for; its text is in this answer only."""
    _browser_only("tokens are made")
    expires = datetime.now(UTC) + timedelta(days=body["expires_in_days"]) if body["expires_in_days"] else None
    try:
        with db().transaction() as conn:
            token = accounts.create_token(conn, current_user.id, body["name"], expires)
            made = accounts.tokens(conn, current_user.id)[0]
    except accounts.AccountError as error:
        abort(400, message=str(error))
    return dict(made, token=token)


@bp.route("/tokens/<int:token_id>", methods=["DELETE"])
@staff_only
@bp.response(204)
def revoke_token(token_id):
    """Revoke one of your tokens: its next request is refused, its open event streams end."""
    _browser_only("tokens are revoked")
    with db().transaction() as conn:
        if not accounts.revoke_token_by_id(conn, current_user.id, token_id):
            abort(404, message=f"no token {token_id} of yours that still works")


@bp.route("/sessions/<handle>", methods=["DELETE"])
@staff_only
@bp.response(204)
def end_session(handle):
    """Sign one browser out (its handle from the list)."""
    _browser_only("browsers are signed out")
    with db().transaction() as conn:
        if not accounts.sign_out_one(conn, current_user.id, handle):
            abort(404, message="no such session of yours")


@bp.route("/sessions", methods=["DELETE"])
@staff_only
@bp.response(204)
def end_other_sessions():
    """Sign out every other browser signed in as you (this one stays)."""
    _browser_only("browsers are signed out")
    with db().transaction() as conn:
        accounts.sign_out(conn, current_user.id, keep=getattr(session, "id_hash", None))


@bp.route("/password", methods=["POST"])
@staff_only
@bp.arguments(PasswordIn)
@bp.response(204)
@limiter.limit("10 per hour", key_func=lambda: f"password:{getattr(current_user, 'id', '')}")
def change_password(body):
    """Change your password (the current one is asked): every other browser is signed out."""
    _browser_only("the password is changed")
    try:
        with db().transaction() as conn:
            accounts.change_password(conn, current_user.id, body["current"], body["new"],
                                     keep_session=getattr(session, "id_hash", None))
    except accounts.AccountError as error:
        abort(400, message=str(error))
    sessions.renew(session)  # a new id for this browser too, from the new password on
