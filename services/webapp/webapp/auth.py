"""Who is asking: staff by session cookie or by API token, and the sign-in and sign-out pages.

- A session cookie (HttpOnly, SameSite=Lax, Secure on https) names the account and its session
  epoch; signing out everywhere raises the epoch.
- `Authorization: Bearer <token>` names an account by one of its API tokens (the CLI's way).
- Every state-changing request that carries a cookie must carry the CSRF token (form field, or
  X-CSRFToken header); requests made with a token alone need none.
- Routes say who they take: `staff_only` (session or token) and, in galleries.py, share links.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from webapp import accounts
from webapp.context import db
from webapp.security import limiter

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def init_app(app) -> None:
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked below, by the rule above
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # a page left open all day still works
    login_manager.init_app(app)
    csrf.init_app(app)
    app.before_request(_check_csrf)
    app.register_blueprint(bp)

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
def _from_session(session_id: str):
    with db().transaction() as conn:
        return accounts.staff_by_session(conn, session_id)


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


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target or urlsplit(target).netloc or urlsplit(target).scheme or not target.startswith("/") \
            or target.startswith("//"):
        return url_for("pages.shoots")
    return target


@bp.get("/signin")
def signin():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    return render_template("signin.html", next=request.args.get("next", ""))


@bp.post("/signin")
@limiter.limit("10 per minute")  # per address: guessing passwords is slow
@limiter.limit("5 per minute", key_func=lambda: "signin:" + request.form.get("email", "").strip().lower())
def signin_post():
    email, password = request.form.get("email", ""), request.form.get("password", "")
    with db().transaction() as conn:
        staff = accounts.authenticate(conn, email, password)
    if staff is None:
        flash("That email and password do not match an account.")
        return render_template("signin.html", next=request.form.get("next", ""), email=email), 401
    login_user(staff)
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/signout")
@staff_only
def signout():
    if request.form.get("everywhere"):
        with db().transaction() as conn:
            accounts.end_sessions(conn, current_user.id)
    logout_user()
    return redirect(url_for("auth.signin"))


@bp.get("/api/me")
@staff_only
def me():
    return jsonify(email=current_user.email, name=current_user.name)
