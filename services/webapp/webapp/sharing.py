"""The photographer's side of client galleries (staff only): share links for a shoot, what
clients said through each, and the selection as a CSV or as file names for Lightroom."""

from __future__ import annotations

import csv
import io

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from photo_jobs import keys
from webapp import galleries
from webapp.api import _shoot_or_404
from webapp.apispec import Blueprint
from webapp.attachments import content_disposition
from webapp.auth import staff_only
from webapp.context import db, stack

bp = Blueprint("sharing", __name__, url_prefix="/api/shoots/<shoot_id>/links",
               description="Share links of a shoot and the feedback they bring (staff)")


class LinkIn(Schema):
    name = fields.String(required=True, validate=validate.Length(1, galleries.MAX_NAME))
    expires_at = fields.AwareDateTime(load_default=None, allow_none=True,
                                      metadata={"description": "when the link stops working (ISO 8601 with a zone)"})
    pin = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=12))
    downloads = fields.String(load_default="none", validate=validate.OneOf(galleries.DOWNLOADS))
    proofs = fields.Boolean(load_default=True, metadata={"description": "show watermarked proofs only"})


class LinkPatch(Schema):
    name = fields.String(validate=validate.Length(1, galleries.MAX_NAME))
    expires_at = fields.AwareDateTime(allow_none=True)
    pin = fields.String(allow_none=True, validate=validate.Length(max=12))
    downloads = fields.String(validate=validate.OneOf(galleries.DOWNLOADS))
    proofs = fields.Boolean()


class LinkOut(Schema):
    id = fields.Integer()
    name = fields.String()
    url = fields.String()
    expires_at = fields.String(allow_none=True)
    pin = fields.Boolean()
    downloads = fields.String()
    proofs = fields.Boolean()
    state = fields.String(metadata={"description": "active, expired or revoked"})
    created_at = fields.String()
    favourites = fields.Integer()
    comments = fields.Integer()
    selections = fields.Integer()


class LinkList(Schema):
    links = fields.List(fields.Nested(LinkOut))


class Feedback(Schema):
    favourites = fields.List(fields.Dict())
    comments = fields.List(fields.Dict())
    selections = fields.List(fields.Dict())


def _base_url() -> str:
    return current_app.config["PUBLIC_URL"] or request.host_url


def _real_shoot(shoot_id: str):
    shoot = _shoot_or_404(shoot_id)
    if shoot is None:
        abort(400, message="share a shoot, not Unsorted")
    return shoot


def link_view(conn, link: galleries.Link) -> dict:
    return {**link.view(current_app.config["SECRET_KEY"], _base_url()),
            "favourites": len(galleries.favourites(conn, link.id)),
            "comments": len(galleries.comments(conn, link.id)),
            "selections": len(galleries.selections(conn, link.id))}


def _link_or_404(conn, shoot_id: str, link_id: int) -> galleries.Link:
    link = galleries.get(conn, shoot_id, link_id)
    if link is None:
        abort(404, message=f"no link {link_id} in this shoot")
    return link


@bp.route("")
class Links(MethodView):
    decorators = [staff_only]

    @bp.response(200, LinkList)
    def get(self, shoot_id):
        """The shoot's share links, with how much each brought back."""
        _real_shoot(shoot_id)
        with db().transaction() as conn:
            return {"links": [link_view(conn, link) for link in galleries.for_shoot(conn, shoot_id)]}

    @bp.arguments(LinkIn)
    @bp.response(201, LinkOut)
    def post(self, body, shoot_id):
        """A new share link: send its URL to one client."""
        _real_shoot(shoot_id)
        try:
            with db().transaction() as conn:
                link = galleries.create(conn, shoot_id, body["name"], body["expires_at"], body["pin"],
                                        body["downloads"], body["proofs"])
                return link_view(conn, link)
        except galleries.LinkError as error:
            abort(400, message=str(error))


@bp.route("/<int:link_id>", methods=["PATCH"])
@staff_only
@bp.arguments(LinkPatch)
@bp.response(200, LinkOut)
def change_link(body, shoot_id, link_id):
    """Change a link: its name, expiry, PIN (a new one locks out who used the old), downloads, proofs."""
    _real_shoot(shoot_id)
    try:
        with db().transaction() as conn:
            link = galleries.update(conn, shoot_id, link_id, **body)
            if link is None:
                abort(404, message=f"no link {link_id} in this shoot")
            return link_view(conn, link)
    except galleries.LinkError as error:
        abort(400, message=str(error))


@bp.route("/<int:link_id>/revoke", methods=["POST"])
@staff_only
@bp.response(200, LinkOut)
def revoke_link(shoot_id, link_id):
    """End a link now: its next request is refused."""
    _real_shoot(shoot_id)
    with db().transaction() as conn:
        link = galleries.revoke(conn, shoot_id, link_id)
        if link is None:
            abort(404, message=f"no link {link_id} in this shoot")
        return link_view(conn, link)


def _photo(key: str) -> dict:
    prefix = stack().upload_prefix
    return {"key": key, "path": key[len(prefix):].split("/", 1)[1] if "/" in key[len(prefix):] else key,
            "name": keys.file_name(key)}


@bp.route("/<int:link_id>/feedback")
@staff_only
@bp.response(200, Feedback)
def feedback(shoot_id, link_id):
    """What a client chose and said: favourites, comments, sent selections."""
    _real_shoot(shoot_id)
    with db().transaction() as conn:
        _link_or_404(conn, shoot_id, link_id)
        return {"favourites": [_photo(key) for key in galleries.favourites(conn, link_id)],
                "comments": [dict(c, **_photo(c["key"])) for c in galleries.comments(conn, link_id)],
                "selections": [dict(s, photos=[_photo(k) for k in s["keys"]]) for s in galleries.selections(conn, link_id)]}


def _selection_photos(shoot_id: str, link_id: int) -> tuple[galleries.Link, list[str], dict[str, list[str]]]:
    """The latest sent selection (or the favourites, if none was sent yet) and comments by photo."""
    with db().transaction() as conn:
        link = _link_or_404(conn, shoot_id, link_id)
        sent = galleries.selections(conn, link_id)
        chosen = sent[-1]["keys"] if sent else galleries.favourites(conn, link_id)
        said: dict[str, list[str]] = {}
        for comment in galleries.comments(conn, link_id):
            said.setdefault(comment["key"], []).append(comment["body"])
    return link, chosen, said


@bp.route("/<int:link_id>/selection.csv")
@staff_only
@bp.response(200, content_type="text/csv")
def selection_csv(shoot_id, link_id):
    """The selection as a spreadsheet: file name, path in the shoot, the client's comments."""
    _real_shoot(shoot_id)
    link, chosen, said = _selection_photos(shoot_id, link_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["file", "path", "comments"])
    for key in chosen:
        photo = _photo(key)
        writer.writerow([photo["name"], photo["path"], " | ".join(said.get(key, []))])
    return _attachment(out.getvalue(), f"{link.name} selection", "csv", "text/csv")


@bp.route("/<int:link_id>/selection.txt")
@staff_only
@bp.response(200, content_type="text/plain")
def selection_for_lightroom(shoot_id, link_id):
    """The selection as Lightroom's filename search takes it: names without extensions, comma-separated."""
    _real_shoot(shoot_id)
    link, chosen, _ = _selection_photos(shoot_id, link_id)
    names = [keys.file_name(key).rsplit(".", 1)[0] for key in chosen]
    return _attachment(", ".join(names) + "\n", f"{link.name} selection", "txt", "text/plain")


def _attachment(text: str, stem: str, extension: str, mimetype: str) -> Response:
    return Response(text, mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition": content_disposition(stem, extension, fallback="selection")})
