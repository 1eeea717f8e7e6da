"""The studio's settings (staff only): the creator, notice and contact details every delivered
file carries, and the brand (name, logo, accent colour) galleries and emails show. Public: the
brand's style sheet and logo, which gallery pages load (a client has no staff session).
"""

from __future__ import annotations

from flask import Blueprint as PageBlueprint, Response, request
from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from photo_jobs import rights as photo_rights
from webapp.apispec import Blueprint
from webapp.auth import staff_only
from webapp.context import db, stack
from webapp.ratelimits import limiter
from webapp.repositories import studio as rows
from webapp.services import studio

bp = Blueprint("studio", __name__, url_prefix="/api/studio",
               description="The studio's settings: rights in every delivered file, the galleries' brand (staff)")
pages = PageBlueprint("studio_pages", __name__)
_MAX = photo_rights.MAX_CHARS


def _text(most: int, what: str):
    return fields.String(load_default="", validate=validate.Length(max=most), metadata={"description": what})


class SettingsIn(Schema):
    name = _text(studio.MAX_NAME, "the studio's name on galleries and emails; empty: the stack's")
    creator = _text(_MAX["creator"], "EXIF Artist, XMP dc:creator; empty: the studio's name")
    notice = _text(_MAX["notice"], "EXIF Copyright, XMP dc:rights; {year} is the upload's; empty: © {year} <name>")
    email = _text(_MAX["email"], "IPTC creator contact: email")
    phone = _text(_MAX["phone"], "IPTC creator contact: telephone")
    address = _text(_MAX["address"], "IPTC creator contact: street address")
    city = _text(_MAX["city"], "IPTC creator contact: city")
    country = _text(_MAX["country"], "IPTC creator contact: country")
    url = _text(_MAX["url"], "IPTC creator contact: website (http:// or https://)")
    accent = _text(7, "the galleries' accent colour, #rrggbb; empty: the default")


class Effective(Schema):
    name = fields.String()
    creator = fields.String()
    notice = fields.String()
    accent = fields.String()


class SettingsOut(SettingsIn):
    has_logo = fields.Boolean()
    version = fields.Integer(metadata={"description": "changes with every save (GET /studio/logo?v=...)"})
    effective = fields.Nested(Effective, metadata={"description": "what applies: the defaults filled in"})


def _view(settings: studio.Settings) -> dict:
    return studio.view(settings, stack().studio_name)


@bp.route("")
@staff_only
@bp.response(200, SettingsOut)
def get_settings():
    """The studio's settings, and what applies now (the defaults filled in)."""
    with db().transaction() as conn:
        return _view(studio.current(conn))


@bp.route("", methods=["PUT"])
@staff_only
@bp.arguments(SettingsIn)
@bp.response(200, SettingsOut)
@limiter.limit("60 per hour", key_func=lambda: f"studio:{getattr(current_user, 'id', '')}")
def save_settings(body):
    """Save the settings: every photo uploaded from now on carries these rights."""
    try:
        with db().transaction() as conn:
            return _view(studio.save(conn, body, stack().studio_name, current_user.id))
    except studio.SettingsError as error:
        abort(400, message=str(error))


@bp.route("/logo", methods=["PUT"])
@staff_only
@bp.response(200, SettingsOut)
@limiter.limit("30 per hour", key_func=lambda: f"logo:{getattr(current_user, 'id', '')}")
def put_logo():
    """The logo: the request's body, a PNG, JPEG or WebP of at most 1 MB (Content-Type says
    which). It is decoded and encoded again (at most 512 pixels a side), so only its pixels are
    kept. Small and bounded, it is the one upload that passes through the web app."""
    if request.mimetype not in studio.LOGO_TYPES:
        abort(415, message=f"a logo is sent as {', '.join(studio.LOGO_TYPES)}, not {request.mimetype or 'untyped'}")
    if (request.content_length or 0) > studio.MAX_LOGO_BYTES:
        abort(413, message=f"the logo is {request.content_length:,} bytes; at most {studio.MAX_LOGO_BYTES:,} (1 MB)")
    try:
        data, mime, size = studio.safe_logo(request.get_data(cache=False)[:studio.MAX_LOGO_BYTES + 1])
    except studio.SettingsError as error:
        abort(400, message=str(error))
    with db().transaction() as conn:
        rows.set_logo(conn, data, mime, size, current_user.id)
        return _view(studio.current(conn))


@bp.route("/logo", methods=["DELETE"])
@staff_only
@bp.response(200, SettingsOut)
def delete_logo():
    """No logo: galleries show the studio's name alone."""
    with db().transaction() as conn:
        rows.set_logo(conn, None, None, None, current_user.id)
        return _view(studio.current(conn))


@pages.get("/studio/logo")
def logo():
    """The studio's logo (public: gallery pages show it). Versioned by ?v=, so cached long."""
    with db().transaction() as conn:
        row = rows.logo(conn)
    if row is None:
        return Response(status=404)
    response = Response(bytes(row["logo"]), mimetype=row["logo_type"])
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["Content-Disposition"] = "inline; filename=logo"
    return response


@pages.get("/studio/brand.css")
def brand_css():
    """The galleries' accent colour as CSS custom properties (the CSP allows no inline style)."""
    with db().transaction() as conn:
        css = studio.current(conn).brand_css()
    response = Response(css, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=86400"  # its URL says ?v=: a new one each save
    return response
