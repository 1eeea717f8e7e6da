"""Signing in and out (the staff's pages), and who is signed in (/api/me)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from webapp import sessions
from webapp.auth import staff_only
from webapp.context import db
from webapp.ratelimits import client_address, limiter
from webapp.services import accounts

bp = Blueprint("auth", __name__)


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
# Per address, and per account from that address: guessing passwords is slow. Not per account
# alone: then anyone could keep a photographer from signing in by failing as them.
@limiter.limit("10 per minute")
@limiter.limit("5 per minute", key_func=lambda: f"signin:{client_address()}:{request.form.get('email', '').strip().lower()}")
def signin_post():
    email, password = request.form.get("email", ""), request.form.get("password", "")
    with db().transaction() as conn:
        staff = accounts.authenticate(conn, email, password)
    if staff is None:
        flash("That email and password do not match an account.")
        return render_template("signin.html", next=request.form.get("next", ""), email=email), 401
    sessions.renew(session)  # a new id: whoever saw the one before sign-in has nothing
    login_user(staff)
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/signout")
@staff_only
def signout():
    if request.form.get("everywhere"):
        with db().transaction() as conn:
            accounts.sign_out(conn, current_user.id)
    logout_user()
    sessions.end(session)
    return redirect(url_for("auth.signin"))


@bp.get("/api/me")
@staff_only
def me():
    return jsonify(email=current_user.email, name=current_user.name)
