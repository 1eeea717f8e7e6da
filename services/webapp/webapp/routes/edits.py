"""Looks (staff only): apply an edit spec to a shoot or chosen photos, preview one, and the form's
schema (presets, adjustments, filters, their ranges and labels: photo_jobs.spec's registry)."""

from __future__ import annotations

import json

from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from photo_jobs import keys, spec as edit_spec
from webapp.adapters import storage
from webapp.apispec import Blueprint
from webapp.auth import staff_only
from webapp.context import aws, db, stack
from webapp.ratelimits import limiter
from webapp.repositories import photos as rows
from webapp.routes.events import announce
from webapp.routes.shoots import photo_key, shoot_or_404
from webapp.services import edits, shoots

bp = Blueprint("edits", __name__, url_prefix="/api", description="Looks: edits and previews (staff)")


class EditIn(Schema):
    spec = fields.Dict(required=True)
    photos = fields.List(fields.String(validate=validate.Length(1, keys.MAX_KEY_BYTES)), load_default=None,
                         validate=validate.Length(max=5000),
                         metadata={"description": "paths of photos in the shoot; all of them when absent"})
    save_as_default = fields.Boolean(load_default=False, metadata={"description": "also the look of new uploads"})


class EditOut(Schema):
    applied = fields.Integer()
    photos = fields.List(fields.String())


class PreviewIn(Schema):
    key = fields.String(required=True, validate=validate.Length(1, keys.MAX_KEY_BYTES))
    spec = fields.Dict(required=True)


class PreviewOut(Schema):
    url = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    seconds = fields.Float()


@bp.route("/shoots/<shoot_id>/edits", methods=["POST"])
@staff_only
@bp.arguments(EditIn)
@bp.response(202, EditOut)
def apply_edit(body, shoot_id):
    """Apply a look to chosen photos (or all): each becomes a new version of itself with the new
    edit spec (same bytes), which makes a new job; the earlier result stays downloadable until
    the new one is ready. Optionally also the shoot's look for new uploads."""
    shoot = shoot_or_404(shoot_id)
    try:
        spec_text = edits.stored(body["spec"])
    except edits.EditError as error:
        abort(error.status, message=str(error))
    if body["photos"] is None:
        with db().transaction() as conn:
            chosen = rows.keys_in(conn, shoot.folder)
    else:
        chosen = [photo_key(shoot_id, path) for path in body["photos"]]
    edited = edits.apply(db(), aws("s3"), stack(), chosen, spec_text)
    for row in edited:
        announce(row, shoot.id)
    if body["save_as_default"] and not shoot.unsorted:
        with db().transaction() as conn:
            shoots.update(conn, shoot_id, spec=json.loads(spec_text))
    return {"applied": len(edited), "photos": [row["key"] for row in edited]}


@bp.route("/previews", methods=["POST"])
@staff_only
@bp.arguments(PreviewIn)
@bp.response(200, PreviewOut)
@limiter.limit("120 per minute", key_func=lambda: f"preview:{getattr(current_user, 'id', '')}")
def preview(body):
    """The web rendition of a photo with an edit spec, made by the processor itself (the same
    pipeline as its jobs), without changing the photo."""
    current = stack()
    try:
        key = keys.check_source_key(current.upload_prefix, body["key"])
        made = edits.preview(aws("lambda"), current, key, body["spec"])
    except keys.BadKey as error:
        abort(400, message=str(error))
    except edits.EditError as error:
        abort(error.status, message=str(error))
    return {"url": storage.presign_get(aws("s3"), made.bucket, made.key), "width": made.width, "height": made.height,
            "seconds": made.seconds}


@bp.route("/edit-spec")
@staff_only
@bp.response(200)
def edit_form():
    """Everything an edit form needs: presets, adjustments, filters and their ranges and labels."""
    return edit_spec.form_schema()
