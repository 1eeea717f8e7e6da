"""The HTML pages. Each is a shell the page's script fills from the JSON API, as the same
staff member (the session cookie) who asked for the page."""

from __future__ import annotations

from flask import Blueprint, render_template

from photo_jobs import formats, limits, records
from webapp.auth import staff_only

bp = Blueprint("pages", __name__)


@bp.get("/")
@staff_only
def shoots():
    return render_template("shoots.html")


@bp.get("/shoots/<shoot_id>")
@staff_only
def shoot(shoot_id):
    return render_template("shoot.html", shoot_id=shoot_id, limits=limits, formats=formats, reasons=records.REASONS)


@bp.get("/account")
@staff_only
def account():
    return render_template("account.html")


@bp.get("/studio")
@staff_only
def studio():
    return render_template("studio.html")
