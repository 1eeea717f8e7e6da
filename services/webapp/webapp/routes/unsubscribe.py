"""/unsubscribe/<token>: the link at the foot of every lifecycle email (services.lifecycle). GET
shows what it stops and asks to confirm (a mail scanner following links unsubscribes nobody);
POST stops it: the confirm button, or a mail client's one-click unsubscribe (RFC 8058, as the
email's List-Unsubscribe-Post header offers: no cookie, so no CSRF token, the token is the proof).
A token that is not ours (tampered, cut short) is refused with a page that says so."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from webapp.context import db
from webapp.ratelimits import limiter
from webapp.routes.gallery import brand_context
from webapp.services import letters, lifecycle, links, notices, shoots

bp = Blueprint("unsubscribe", __name__)
bp.context_processor(brand_context)  # the page wears the brand the email was signed with
LIMIT = "30 per minute"  # per address: a person clicks once or twice; a guesser learns nothing faster


def _about(scope: str) -> str:
    """What the scope's emails are about, in words."""
    if scope == lifecycle.DIGEST_SCOPE:
        return "the daily digest of your galleries"
    if scope == notices.SCOPE:
        return "the emails of your clients' selections"
    link_id = int(scope.split(":", 1)[1]) if scope.startswith("link:") and scope[5:].isdigit() else None
    with db().transaction() as conn:
        link = links.get(conn, None, link_id) if link_id else None
        shoot = shoots.get(conn, link.shoot_id) if link else None
    return f"the gallery “{shoot.name}”" if shoot else "this gallery"


def _page(token: str, done: bool):
    found = letters.read_token(current_app.config["SECRET_KEY"], token)
    if found is None:
        return render_template("unsubscribe.html", problem=True), 400
    scope, email = found
    if done:
        with db().transaction() as conn:
            lifecycle.unsubscribe(conn, scope, email)
    else:
        with db().transaction() as conn:
            done = lifecycle.is_unsubscribed(conn, scope, email)
    return render_template("unsubscribe.html", token=token, email=email, about=_about(scope), done=done)


@bp.get("/unsubscribe/<token>")
@limiter.limit(LIMIT)
def confirm(token):
    return _page(token, done=False)


@bp.post("/unsubscribe/<token>")
@limiter.limit(LIMIT)
def unsubscribe(token):
    return _page(token, done=True)
