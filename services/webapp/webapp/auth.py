"""Who is asking: staff by session cookie or by API token, and the sign-in and sign-out pages.

- A session cookie (HttpOnly, SameSite=Lax, Secure and __Host- on https) names a session kept
  on the server (webapp.sessions): signing out deletes it; idle and absolute limits end it.
- `Authorization: Bearer <token>` names an account by one of its API tokens (the CLI's way).
- Every state-changing request that carries a cookie must carry the CSRF token (form field, or
  X-CSRFToken header); requests made with a token alone need none.
- Routes say who they take: `staff_only` (session or token) and, in routes/gallery.py, share links.
The sign-in and sign-out pages are routes/auth.py's.
"""

from __future__ import annotations

from functools import wraps

from flask import current_app, flash, jsonify, redirect, request, session, url_for
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from webapp import sessions
from webapp.context import db
from webapp.services import accounts

login_manager = LoginManager()
csrf = CSRFProtect()
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def init_app(app) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked below, by the rule above
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a page left open all day still works
    app.session_interface = sessions.DatabaseSessions()
    app.extensions["session_limits"] = sessions.Limits(app.config)
    login_manager.session_protection = None  # the session is the server's own row: nothing to guess from the address
    login_manager.init_app(app)
    csrf.init_app(app)
    app.before_request(_check_csrf)

    @app.errorhandler(CSRFError)
    def csrf_refused(error):
        if request.path.startswith("/api/") or request.is_json:
            return jsonify(code=400, status="Bad Request", message=f"CSRF check failed: {error.description}"), 400
        flash("Your page was out of date; please try again.")
        return redirect(request.url if request.method in SAFE_METHODS else request.path)


def _bearer() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _check_csrf():
    """A browser sends cookies on its own, so a request carrying one may be forged: it needs the
    token. One without (a token's, or nobody's) has nothing to forge and is judged by its route.
    Signing in always needs it: a forged sign-in would put the victim in someone else's account."""
    if request.method in SAFE_METHODS:
        return
    if current_app.config["SESSION_COOKIE_NAME"] in request.cookies or request.endpoint == "auth.signin_post":
        csrf.protect()


@login_manager.user_loader
def _from_session(staff_id: str):
    if not staff_id.isdigit():
        return None
    with db().transaction() as conn:
        return accounts.active_staff(conn, int(staff_id))


@login_manager.request_loader
def _from_token(req):
    token = _bearer()
    if token is None:
        return None
    with db().transaction() as conn:
        return accounts.staff_by_token(conn, token)


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith("/api/"):
        return jsonify(code=401, status="Unauthorized",
                       message="sign in, or send Authorization: Bearer <api token>"), 401
    return redirect(url_for("auth.signin", next=request.full_path if request.query_string else request.path))


def staff_only(view):
    """Answers only staff: a signed-in session or an API token; 401 (API) or the sign-in page."""
    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        return view(*args, **kwargs)
    return guarded


def from_browser() -> bool:
    """Whether this request is a signed-in browser's (its session), not an API token's."""
    return _bearer() is None and getattr(session, "id_hash", None) is not None and current_user.is_authenticated


def still_signed_in():
    """A check that the caller of this request is still allowed, for an open event stream to ask
    at every heartbeat: the session still stands (not signed out, idle or disabled), or the API
    token is not revoked or expired."""
    token, id_hash = _bearer(), getattr(session, "id_hash", None)
    limits, database = current_app.extensions["session_limits"], db()

    def check() -> bool:
        with database.transaction() as conn:
            if token is not None:
                return accounts.token_alive(conn, token)
            return id_hash is not None and accounts.session_alive(conn, id_hash, limits)
    return check
