"""Uploads straight to S3 (staff only): ask for a grant (one photo, or a batch of them), have each S3
request signed, let the web app join a multipart upload, and say when an upload is in so that the
photo shows up at once. Bytes never pass through here.

A file asked for again (its shoot, name, size and last change: after a reload, or the CLI run
again) gets the same key back: if it is in, it is skipped; if its multipart upload was cut short,
the answer carries that upload's id and the parts S3 holds, and only the rest is sent.
"""

from __future__ import annotations

from xml.sax.saxutils import escape as xml_escape

from flask import Response, current_app, request, url_for
from flask_login import current_user
from flask_smorest import abort
from flask_wtf.csrf import generate_csrf
from marshmallow import Schema, fields, validate

from photo_jobs import keys, limits
from webapp import security
from webapp.adapters import storage
from webapp.apispec import Blueprint
from webapp.auth import from_browser, staff_only
from webapp.context import aws, db, stack
from webapp.ratelimits import limiter
from webapp.repositories import photos as rows
from webapp.routes.events import announce
from webapp.routes.shoots import PhotoOut, real_shoot_or_400
from webapp.services import edits, photos, studio, uploads
from webapp.services.photos import Photo

bp = Blueprint("uploads", __name__, url_prefix="/api/shoots/<shoot_id>/uploads",
               description="Uploads straight to S3, signed request by request (staff)")
MAX_BATCH = 200


class UploadIn(Schema):
    filename = fields.String(required=True, validate=validate.Length(1, 255))
    size = fields.Integer(required=True, validate=validate.Range(1, limits.MAX_SOURCE_BYTES))
    content_type = fields.String(load_default=None, validate=validate.Length(max=100))
    spec = fields.Dict(load_default=None, metadata={"description": "edit spec; the shoot's look when absent"})
    modified = fields.Integer(load_default=None, validate=validate.Range(0, 2 ** 53), metadata={
        "description": "the file's last change (ms since 1970): with it, asking again for the same file finds "
                       "its upload (done: skipped; cut short: resumed)"})


class Part(Schema):
    PartNumber = fields.Integer()
    ETag = fields.String()
    Size = fields.Integer()


class UploadGrant(Schema):
    key = fields.String()
    status = fields.String(metadata={"description": "new; uploaded (nothing to send); or resume (send the parts "
                                                    "`parts` lacks, of the multipart upload `upload_id`)"})
    method = fields.String()
    url = fields.String(metadata={"description": "a presigned PUT of the whole file (a new upload)"})
    headers = fields.Dict(keys=fields.String(), values=fields.String())
    grant = fields.String(metadata={"description": "pass to /uploads/sign for the S3 requests of this upload"})
    part_sizes = fields.List(fields.Integer(), metadata={
        "description": "for a multipart upload: each part's exact size, part 1 first (each is signed with it)"})
    upload_id = fields.String(allow_none=True)
    parts = fields.List(fields.Nested(Part), metadata={"description": "the parts S3 already holds (resume)"})


class BatchIn(Schema):
    files = fields.List(fields.Nested(UploadIn), required=True, validate=validate.Length(1, MAX_BATCH))


class BatchOut(Schema):
    uploads = fields.List(fields.Nested(UploadGrant))


class SignIn(Schema):
    method = fields.String(required=True, validate=validate.OneOf(["PUT", "POST", "GET", "DELETE"]))
    key = fields.String(required=True, validate=validate.Length(1, keys.MAX_KEY_BYTES))
    grant = fields.String(required=True, validate=validate.Length(1, 4096))
    uploadId = fields.String(load_default=None, validate=validate.Length(1, 1024))
    partNumber = fields.Integer(load_default=None, validate=validate.Range(1, 10_000))


class SignOut(Schema):
    url = fields.String()
    key = fields.String()
    headers = fields.Dict(keys=fields.String(), values=fields.String())


class DoneIn(Schema):
    keys = fields.List(fields.String(validate=validate.Length(1, keys.MAX_KEY_BYTES)), required=True,
                       validate=validate.Length(1, MAX_BATCH))


class DoneOut(Schema):
    photos = fields.List(fields.Nested(PhotoOut))


def _refuse(error: uploads.UploadError | edits.EditError):
    abort(error.status, message=str(error))


def _grants(shoot_id: str, files: list[dict]) -> list[dict]:
    """Grants for files of a shoot, each told apart as new, uploaded or to resume."""
    shoot = real_shoot_or_400(shoot_id, "upload into")
    current, s3, secret = stack(), aws("s3"), current_app.config["SECRET_KEY"]
    made = []
    with db().transaction() as conn:
        # the studio's, now, and the shoot's GPS choice: signed into each grant
        rights_text = studio.rights_metadata(conn, current.studio_name, shoot.keep_gps)
    try:
        for body in files:
            spec_text = edits.stored(body["spec"] if body["spec"] is not None else shoot.default_spec)
            content_type = uploads.content_type_for(body["filename"], body["content_type"])
            print_ = uploads.fingerprint(shoot.id, body["filename"], body["size"], body["modified"])
            key = uploads.resumable_key(current.upload_prefix, shoot.id, body["filename"], print_)
            grant, text = uploads.make(secret, key, content_type, body["size"], spec_text, rights_text)
            made.append((grant, text, print_ is not None))
    except (uploads.UploadError, edits.EditError) as error:
        _refuse(error)
    with db().transaction() as conn:
        held = {row["key"]: row for row in rows.get_many(conn, [g.key for g, _, fingerprinted in made if fingerprinted])}
    pending = {}  # key -> its newest unfinished multipart upload, for the big files asked for again
    if any(fingerprinted and g.size > limits.MULTIPART_BYTES and g.key not in held for g, _, fingerprinted in made):
        pending = storage.incomplete_uploads(s3, current.source_bucket, f"{current.upload_prefix}{shoot.id}/")
    answers = []
    for grant, text, fingerprinted in made:
        answer = {"key": grant.key, "grant": text, "part_sizes": grant.part_sizes, "status": "new", "upload_id": None,
                  "parts": [], "method": "PUT", "headers": grant.headers()}
        if fingerprinted and grant.key in held and held[grant.key]["size"] == grant.size:
            answer["status"] = "uploaded"
        elif grant.key in pending:
            upload_id = pending[grant.key]["UploadId"]
            try:
                held_parts = storage.parts(s3, current.source_bucket, grant.key, upload_id)
                answer.update(status="resume", upload_id=upload_id, parts=uploads.finished_parts(grant, held_parts))
            except storage.NoSuchUpload:  # completed or aborted since it was listed: a new upload
                pass
        if answer["status"] == "new":
            answer["url"] = _sign_put(s3, current, grant)
        answers.append(answer)
    return answers


def _sign_put(s3, current, grant: uploads.Grant) -> str:
    return storage.presign(s3, "put_object", Bucket=current.source_bucket, Key=grant.key, ContentType=grant.type,
                           ContentLength=grant.size, Metadata=grant.metadata())


def _who() -> str:
    return str(getattr(current_user, "id", ""))


@bp.route("", methods=["POST"])
@staff_only
@bp.arguments(UploadIn)
@bp.response(201, UploadGrant)
@limiter.limit("1200 per minute", key_func=lambda: f"upload:{_who()}")
def create_upload(body, shoot_id):
    """Ask to upload a photo into a shoot: its key, a presigned PUT (the headers to send with it
    are signed too: type, size and the edit spec), and a grant to sign multipart requests."""
    return _grants(shoot_id, [body])[0]


@bp.route("/batch", methods=["POST"])
@staff_only
@bp.arguments(BatchIn)
@bp.response(200, BatchOut)
@limiter.limit("120 per minute", key_func=lambda: f"upload-batch:{_who()}")
def create_uploads(body, shoot_id):
    """Grants for up to 200 photos at once (a folder dropped on the page), each new, uploaded
    already (skip it) or cut short (resume it)."""
    return {"uploads": _grants(shoot_id, body["files"])}


@bp.route("/sign", methods=["POST"])
@staff_only
@bp.arguments(SignIn)
@bp.response(200, SignOut)
@limiter.limit("3000 per minute", key_func=lambda: f"sign:{_who()}")
def sign_upload_request(body, shoot_id):
    """Sign one S3 request of an upload granted by /uploads: the PUT of a small file, or the
    create, part, list or abort of a multipart upload (Uppy's signRequest). Each part is signed
    with its exact size (`part_sizes` of the grant), so nothing beyond the granted size can be
    stored; the completion is the web app's own (/uploads/complete), which checks the parts."""
    current, s3 = stack(), aws("s3")
    try:
        grant = uploads.check(current_app.config["SECRET_KEY"], body["grant"], current.upload_prefix, shoot_id, body["key"])
        method, upload_id, part = body["method"], body["uploadId"], body["partNumber"]
        base = {"Bucket": current.source_bucket, "Key": grant.key}
        if upload_id is None and method == "PUT":
            return {"url": _sign_put(s3, current, grant), "key": grant.key, "headers": grant.headers()}
        if upload_id is None and method == "POST":
            url = storage.presign(s3, "create_multipart_upload", **base, ContentType=grant.type, Metadata=grant.metadata())
            return {"url": url, "key": grant.key, "headers": grant.headers()}
        if upload_id is None:
            raise uploads.UploadError(f"{method} without an uploadId is not part of an upload")
        if (method, part is not None) == ("POST", False):  # the completion: checked here, not signed
            headers = {"X-Upload-Grant": body["grant"], "X-Upload-Id": upload_id}
            if from_browser():  # the page's request carries its cookie, so it needs the CSRF token
                headers["X-CSRFToken"] = generate_csrf()
            return {"url": url_for("uploads.complete_upload", shoot_id=shoot_id, _external=True), "key": grant.key,
                    "headers": headers}
        operation = uploads.multipart_operation(method, part)
        params = {**base, "UploadId": upload_id}
        if part is not None:
            params.update(PartNumber=part, ContentLength=uploads.part_length(grant, part))
        return {"url": storage.presign(s3, operation, **params), "key": grant.key, "headers": {}}
    except uploads.UploadError as error:
        _refuse(error)


@bp.route("/complete", methods=["POST"])
@staff_only
@bp.response(200, content_type="application/xml")
@limiter.limit("600 per minute", key_func=lambda: f"complete:{_who()}")
def complete_upload(shoot_id):
    """Complete a multipart upload (where /uploads/sign points its completion): the parts S3 holds
    must be exactly the grant's (`part_sizes`), their total its size; then S3 joins them. Any
    other upload is aborted, its parts deleted, and refused (400). Headers X-Upload-Grant and
    X-Upload-Id name it; the answer is S3's CompleteMultipartUploadResult (XML)."""
    current, s3 = stack(), aws("s3")
    try:
        grant = uploads.check(current_app.config["SECRET_KEY"], request.headers.get("X-Upload-Grant", ""),
                              current.upload_prefix, shoot_id)
        done = uploads.complete(s3, current.source_bucket, grant, request.headers.get("X-Upload-Id", ""))
    except uploads.UploadError as error:
        _refuse(error)
    announce(photos.sync(db(), s3, current, grant.key), shoot_id)  # in: it shows up at once, processing
    location = f"{security.storage_origin()}/{current.source_bucket}/{grant.key}"
    answer = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUploadResult>"
              f"<Location>{xml_escape(location)}</Location><Bucket>{xml_escape(current.source_bucket)}</Bucket>"
              f"<Key>{xml_escape(grant.key)}</Key><ETag>{xml_escape(done.get('ETag', ''))}</ETag>"
              "</CompleteMultipartUploadResult>")
    return Response(answer, mimetype="application/xml")


@bp.route("/done", methods=["POST"])
@staff_only
@bp.arguments(DoneIn)
@bp.response(200, DoneOut)
@limiter.limit("1200 per minute", key_func=lambda: f"done:{_who()}")  # one per single grant, at most
def uploads_done(body, shoot_id):
    """Photos of the shoot whose upload is in (a presigned PUT the browser or the CLI sent): each
    shows up at once, processing, on every open page; their processed events follow."""
    real_shoot_or_400(shoot_id, "upload into")
    current, s3 = stack(), aws("s3")
    found = []
    for key in body["keys"]:
        try:
            key = keys.check_source_key(current.upload_prefix, key)
        except keys.BadKey as error:
            abort(400, message=str(error))
        if keys.shoot_folder(current.upload_prefix, key) != shoot_id:
            abort(403, message=f"{key} is not a key of this shoot")
        row = photos.sync(db(), s3, current, key)
        if row is not None:
            announce(row, shoot_id)
            found.append(Photo.of(row))
    return {"photos": found}
