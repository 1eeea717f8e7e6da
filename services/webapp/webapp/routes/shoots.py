"""The studio's shoots and their photos (staff only): lists that page with a cursor, one photo,
its renditions and downloads by presigned URL, Try again for a photo that gave up, a job's state.

Every answer is read from the photos table (one query a page); S3 is asked only to sign a URL.
"""

from __future__ import annotations

import base64
import json

from flask import redirect
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from photo_jobs import keys, records, renditions, spec as edit_spec
from webapp.adapters import storage
from webapp.apispec import Blueprint
from webapp.attachments import content_disposition
from webapp.auth import staff_only
from webapp.context import aws, db, stack
from webapp.repositories import photos as rows
from webapp.services import photos, shoots
from webapp.services.photos import Photo

bp = Blueprint("shoots", __name__, url_prefix="/api", description="Shoots and their photos (staff)")
PAGE, MAX_PAGE = 200, 500


# --- one description per resource: these serialise the services' dataclasses --------------------

class Counts(Schema):
    photos = fields.Integer()
    processed = fields.Integer()
    failed = fields.Integer()
    processing = fields.Integer()


KEEP_GPS = "the photos' copies keep their location (GPS) for photos uploaded from now on; else it is stripped"


class ShootIn(Schema):
    name = fields.String(required=True, validate=validate.Length(1, shoots.MAX_NAME))
    default_spec = fields.Dict(load_default=None, metadata={"description": "the look new uploads get (edit spec)"})
    keep_gps = fields.Boolean(load_default=False, metadata={"description": KEEP_GPS})


class ShootPatch(Schema):
    name = fields.String(validate=validate.Length(1, shoots.MAX_NAME))
    default_spec = fields.Dict()
    keep_gps = fields.Boolean(metadata={"description": KEEP_GPS})


class ShootOut(Schema):
    id = fields.String()
    name = fields.String()
    default_spec = fields.Dict()
    keep_gps = fields.Boolean()
    created_at = fields.DateTime(allow_none=True)
    counts = fields.Nested(Counts)


class ShootList(Schema):
    shoots = fields.List(fields.Nested(ShootOut))


class PhotoOut(Schema):
    key = fields.String()
    shoot = fields.String()
    path = fields.String()
    name = fields.String()
    size = fields.Integer()
    uploaded_at = fields.DateTime()
    job_id = fields.String()
    status = fields.String(metadata={"description": "processing, processed or failed"})
    error = fields.Dict(allow_none=True, metadata={"description": "{reason, message} when failed"})
    renditions = fields.List(fields.String())
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    outdated = fields.Boolean(metadata={"description": "the renditions are an earlier edit's, until this one is done"})
    preset = fields.String(allow_none=True)
    look = fields.String(allow_none=True, metadata={"description": "the preset's name as a photographer reads it"})
    favourites = fields.Integer(metadata={"description": "how many of the shoot's share links chose it"})


class PhotoQuery(Schema):
    after = fields.String(load_default=None, metadata={"description": "the `next` of the page before"})
    limit = fields.Integer(load_default=PAGE, validate=validate.Range(1, MAX_PAGE))
    status = fields.String(load_default=None, validate=validate.OneOf(rows.STATES))
    favourites = fields.Boolean(load_default=False, metadata={"description": "only the photos a client chose"})


class PhotoPage(Schema):
    photos = fields.List(fields.Nested(PhotoOut))
    next = fields.String(allow_none=True, metadata={"description": "pass as `after` for the next page; none at the end"})


class JobOut(Schema):
    key = fields.String()
    job_id = fields.String()
    status = fields.String()
    error = fields.Dict(allow_none=True)
    outputs = fields.List(fields.Dict())


# --- cursors -----------------------------------------------------------------------------------

def cursor(row: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps([row["sort_name"], row["key"]]).encode()).decode()


def after(text: str | None) -> tuple[str, str] | None:
    if text is None:
        return None
    try:
        place = json.loads(base64.urlsafe_b64decode(text.encode()))
        if isinstance(place, list) and len(place) == 2 and all(isinstance(p, str) for p in place):
            return place[0], place[1]
    except (ValueError, UnicodeError):
        pass
    abort(400, message="`after` is not a cursor this API gave: pass the `next` of the page before")


def paged(found: list[dict], limit: int, shoot: str | None = None) -> dict:
    """A page of rows: at most `limit` photos, and where the next page starts (we asked one more)."""
    page = found[:limit]
    return {"photos": [Photo.of(row, shoot) for row in page], "next": cursor(page[-1]) if len(found) > limit else None}


# --- shoots ------------------------------------------------------------------------------------

def shoot_or_404(shoot_id: str, counts: bool = False) -> shoots.Shoot:
    """The shoot (Unsorted too), 404 for anything else."""
    with db().transaction() as conn:
        shoot = shoots.get(conn, shoot_id, with_counts=counts)
    if shoot is None:
        abort(404, message=f"no shoot {shoot_id!r}")
    return shoot


def real_shoot_or_400(shoot_id: str, what: str) -> shoots.Shoot:
    shoot = shoot_or_404(shoot_id)
    if shoot.unsorted:
        abort(400, message=f"{what} a shoot, not Unsorted")
    return shoot


@bp.route("/shoots")
class Shoots(MethodView):
    decorators = [staff_only]

    @bp.response(200, ShootList)
    def get(self):
        """The studio's shoots, newest first, with how many photos each holds and where they stand."""
        with db().transaction() as conn:
            return {"shoots": shoots.every(conn)}

    @bp.arguments(ShootIn)
    @bp.response(201, ShootOut)
    def post(self, body):
        """A new shoot; its photos go under <upload prefix><shoot id>/."""
        try:
            with db().transaction() as conn:
                return shoots.create(conn, body["name"], current_user.id, body["default_spec"], body["keep_gps"])
        except (shoots.ShootError, edit_spec.SpecError) as error:
            abort(400, message=str(error))


@bp.route("/shoots/<shoot_id>")
class OneShoot(MethodView):
    decorators = [staff_only]

    @bp.response(200, ShootOut)
    def get(self, shoot_id):
        """A shoot, with how many photos it holds and where they stand (its photos: /photos)."""
        return shoot_or_404(shoot_id, counts=True)

    @bp.arguments(ShootPatch)
    @bp.response(200, ShootOut)
    def patch(self, body, shoot_id):
        """Rename a shoot, or change the look its new uploads get, or whether their copies keep GPS."""
        if shoot_or_404(shoot_id).unsorted:
            abort(400, message="Unsorted is not a shoot of its own; move its photos into one")
        try:
            with db().transaction() as conn:
                return shoots.update(conn, shoot_id, body.get("name"), body.get("default_spec"), body.get("keep_gps"))
        except (shoots.ShootError, edit_spec.SpecError) as error:
            abort(400, message=str(error))


@bp.route("/shoots/<shoot_id>/photos")
@staff_only
@bp.arguments(PhotoQuery, location="query")
@bp.response(200, PhotoPage)
def list_photos(args, shoot_id):
    """A page of the shoot's photos in file-name order, each with its state; `next` continues."""
    shoot = shoot_or_404(shoot_id)
    with db().transaction() as conn:
        found = rows.page(conn, shoot.folder, args["limit"] + 1, after(args["after"]), args["status"], args["favourites"])
    return paged(found, args["limit"], shoot.id if shoot.unsorted else None)


# --- one photo ---------------------------------------------------------------------------------

def photo_key(shoot_id: str, path: str) -> str:
    prefix = stack().upload_prefix
    key = f"{prefix}{path}" if shoot_id == shoots.UNSORTED else f"{prefix}{shoot_id}/{path}"
    try:
        return keys.check_source_key(prefix, key)
    except keys.BadKey as error:
        abort(400, message=str(error))


def photo_or_404(shoot_id: str, path: str) -> Photo:
    """A photo of the shoot by its path there: its row (or, for a key the table does not know yet,
    what S3 says of it)."""
    shoot = shoot_or_404(shoot_id)
    key = photo_key(shoot_id, path)
    with db().transaction() as conn:
        row = rows.get(conn, key)
    if row is None:
        row = photos.sync(db(), aws("s3"), stack(), key)
    if row is None or (not shoot.unsorted and row["folder"] != shoot.id):
        abort(404, message=f"no photo {path!r} in this shoot")
    return Photo.of(row, shoot.id if shoot.unsorted else None)


def presigned(photo: Photo, name: str, download: bool) -> str:
    if name not in renditions.NAMES:
        abort(404, message=f"no rendition {name!r}; there are: {', '.join(renditions.NAMES)}")
    output = photo.output(name)
    if output is None:
        abort(404, message=f"{photo.name} has no {name} rendition yet ({photo.status})")
    disposition = None
    if download:
        stem = f"{photo.name.rsplit('.', 1)[0]}-{name}"
        disposition = content_disposition(stem, output["key"].rsplit(".", 1)[-1], fallback=name)
    return storage.presign_get(aws("s3"), output["bucket"], output["key"], disposition)


@bp.route("/shoots/<shoot_id>/photos/<path:photo>")
@staff_only
@bp.response(200, PhotoOut)
def get_photo(shoot_id, photo):
    """One photo of a shoot and its processing state."""
    found = photo_or_404(shoot_id, photo)
    if found.shoot != shoots.UNSORTED:
        with db().transaction() as conn:
            found.favourites = rows.favourite_count(conn, found.shoot, found.key)
    return found


@bp.route("/shoots/<shoot_id>/renditions/<name>/<path:photo>")
@staff_only
@bp.response(302)
def show_rendition(shoot_id, name, photo):
    """Redirect to a rendition (full, web, thumb, web_webp, ...), signed now for a few minutes."""
    response = redirect(presigned(photo_or_404(shoot_id, photo), name, download=False), 302)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/shoots/<shoot_id>/downloads/<name>/<path:photo>")
@staff_only
@bp.response(302)
def download(shoot_id, name, photo):
    """Redirect to a rendition as a file to save, signed at the moment of the click."""
    return redirect(presigned(photo_or_404(shoot_id, photo), name, download=True), 302)


@bp.route("/shoots/<shoot_id>/retries/<path:photo>", methods=["POST"])
@staff_only
@bp.response(202, JobOut)
def retry(shoot_id, photo):
    """Run a photo's job again: for one that gave up after failing for reasons outside the photo."""
    found = photo_or_404(shoot_id, photo)
    try:
        photos.retry(db(), aws("s3"), aws("sqs"), stack(), found)
    except photos.NotRetried as refused:
        abort(409, message=str(refused))
    return {"key": found.key, "job_id": found.job_id, "status": records.PROCESSING, "error": None, "outputs": []}


@bp.route("/jobs/<path:key>")
@staff_only
@bp.response(200, JobOut)
def job(key):
    """A photo's current job by its source key (any key under the upload prefix)."""
    current = stack()
    try:
        key = keys.check_source_key(current.upload_prefix, key)
    except keys.BadKey as error:
        abort(400, message=str(error))
    with db().transaction() as conn:
        row = rows.get(conn, key)
    if row is None:
        row = photos.sync(db(), aws("s3"), current, key)
    if row is None:
        abort(404, message=f"no upload with key {key!r}")
    found = Photo.of(row)
    shown = [{k: o[k] for k in ("name", "width", "height", "bytes")} for o in found.outputs]
    return {"key": key, "job_id": found.job_id, "status": found.status, "error": found.error,
            "outputs": shown if found.shown_job_id == found.job_id else []}
