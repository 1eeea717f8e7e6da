"""The studio's JSON API (staff only): shoots, their photos, uploads, edits, previews, retries,
downloads and live events. Described by OpenAPI (flask-smorest) at /api/openapi.json.

Bytes never pass through here: uploads go straight to S3 by presigned requests (a PUT, or S3
multipart for big files, one signature per part), and renditions are handed out as presigned
URLs made when someone allowed asks, never stored or sent in events.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote_plus

from botocore.exceptions import ClientError
from flask import Response, current_app, redirect, request, stream_with_context
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import abort
from itsdangerous import BadSignature, URLSafeTimedSerializer
from marshmallow import Schema, fields, validate

from photo_jobs import keys, limits, spec as edit_spec
from photo_jobs.aws import is_missing
from webapp import galleries, studio
from webapp.apispec import Blueprint
from webapp.attachments import content_disposition
from webapp.auth import staff_only
from webapp.catalog import UNSORTED, Photo
from webapp.context import aws, catalog, db, hub, stack
from webapp.events import STAFF, Busy
from webapp.security import limiter

bp = Blueprint("studio", __name__, url_prefix="/api", description="Shoots, photos, uploads, edits (staff)")

TYPES_BY_EXTENSION = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".jpe": "image/jpeg", ".png": "image/png",
                      ".tif": "image/tiff", ".tiff": "image/tiff", ".webp": "image/webp", ".heic": "image/heic",
                      ".heif": "image/heif", ".hif": "image/heif"}
ACCEPTED_TYPES = set(TYPES_BY_EXTENSION.values())
UPLOAD_URL_SECONDS = 3600  # a part of a big file on a slow line
GRANT_SECONDS = 24 * 3600
VIEW_URL_SECONDS = 600
RENDITIONS = ("full", "web", "thumb", "web_webp", "thumb_webp", "proof", "proof_thumb")
_WORK = ThreadPoolExecutor(16, thread_name_prefix="studio")


# --- schemas ---------------------------------------------------------------------------------

class ShootIn(Schema):
    name = fields.String(required=True, validate=validate.Length(1, studio.MAX_NAME))
    default_spec = fields.Dict(load_default=None, metadata={"description": "the look new uploads get (edit spec)"})


class ShootPatch(Schema):
    name = fields.String(validate=validate.Length(1, studio.MAX_NAME))
    default_spec = fields.Dict()


class Counts(Schema):
    photos = fields.Integer()
    processed = fields.Integer()
    failed = fields.Integer()
    processing = fields.Integer()


class ShootOut(Schema):
    id = fields.String()
    name = fields.String()
    default_spec = fields.Dict()
    created_at = fields.String()
    counts = fields.Nested(Counts)


class ShootList(Schema):
    shoots = fields.List(fields.Nested(ShootOut))


class PhotoOut(Schema):
    key = fields.String()
    shoot = fields.String()
    path = fields.String()
    name = fields.String()
    size = fields.Integer()
    uploaded_at = fields.String()
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


class ShootDetail(ShootOut):
    photos = fields.List(fields.Nested(PhotoOut))


class UploadIn(Schema):
    filename = fields.String(required=True, validate=validate.Length(1, 255))
    size = fields.Integer(required=True, validate=validate.Range(1, limits.MAX_SOURCE_BYTES))
    content_type = fields.String(load_default=None, validate=validate.Length(max=100))
    spec = fields.Dict(load_default=None, metadata={"description": "edit spec; the shoot's look when absent"})


class UploadGrant(Schema):
    key = fields.String()
    method = fields.String()
    url = fields.String()
    headers = fields.Dict(keys=fields.String(), values=fields.String())
    grant = fields.String(metadata={"description": "pass to /uploads/sign for the S3 requests of this upload"})


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


class JobOut(Schema):
    key = fields.String()
    job_id = fields.String()
    status = fields.String()
    error = fields.Dict(allow_none=True)
    outputs = fields.List(fields.Dict())


# --- shoots ----------------------------------------------------------------------------------

def _spec_or_400(raw) -> dict:
    try:
        return edit_spec.compact(raw)
    except edit_spec.SpecError as error:
        abort(400, message=str(error))


def _metadata_or_400(raw) -> str:
    """The spec as stored with a photo (compact JSON that fits S3 metadata), or 400 saying why not."""
    try:
        return edit_spec.to_metadata(raw)
    except edit_spec.SpecError as error:
        abort(400, message=str(error))


def _shoot_or_404(shoot_id: str) -> studio.Shoot | None:
    """The shoot, None for Unsorted, 404 for anything else."""
    if shoot_id == UNSORTED:
        return None
    with db().transaction() as conn:
        shoot = studio.get(conn, shoot_id)
    if shoot is None:
        abort(404, message=f"no shoot {shoot_id!r}")
    return shoot


def _photos(shoot_id: str, known: set[str] | None = None) -> list[Photo]:
    return _listing(stack(), aws("s3"), catalog(), shoot_id, known)


def _listing(current, s3, cat, shoot_id: str, known: set[str] | None = None) -> list[Photo]:
    """A shoot's photos; Unsorted's are those under the prefix in no known shoot's folder. Takes
    its resources as arguments: it also runs in worker threads, outside the request."""
    if shoot_id != UNSORTED:
        return cat.folder(s3, current, shoot_id, f"{current.upload_prefix}{shoot_id}/")
    if known is None:
        with db().transaction() as conn:
            known = {s.id for s in studio.all_shoots(conn)}
    strays = [f for f in cat.folders(s3, current) if f not in known]
    lists = _WORK.map(lambda folder: cat.folder(s3, current, UNSORTED, f"{current.upload_prefix}{folder}/"), strays)
    return cat.loose(s3, current) + [p for photos in lists for p in photos]


def _counts(photos: list[Photo]) -> dict:
    states = [p.status for p in photos]
    return {"photos": len(states), "processed": states.count("processed"), "failed": states.count("failed"),
            "processing": states.count("processing")}


def _unsorted_view(photos: list[Photo]) -> dict:
    return {"id": UNSORTED, "name": "Unsorted", "default_spec": edit_spec.compact(None), "created_at": "",
            "counts": _counts(photos)}


@bp.route("/shoots")
class Shoots(MethodView):
    decorators = [staff_only]

    @bp.response(200, ShootList)
    def get(self):
        """The studio's shoots, newest first, with how many photos each holds and where they stand."""
        with db().transaction() as conn:
            shoots = studio.all_shoots(conn)
        current, s3, cat = stack(), aws("s3"), catalog()
        listed = list(_WORK.map(lambda s: _listing(current, s3, cat, s.id), shoots))
        views = [dict(s.view(), counts=_counts(photos)) for s, photos in zip(shoots, listed)]
        strays = _photos(UNSORTED, {s.id for s in shoots})
        if strays:
            views.append(_unsorted_view(strays))
        return {"shoots": views}

    @bp.arguments(ShootIn)
    @bp.response(201, ShootOut)
    def post(self, body):
        """A new shoot; its photos go under <upload prefix><shoot id>/."""
        try:
            with db().transaction() as conn:
                shoot = studio.create(conn, body["name"], current_user.id, body["default_spec"])
        except (studio.ShootError, edit_spec.SpecError) as error:
            abort(400, message=str(error))
        return dict(shoot.view(), counts=_counts([]))


@bp.route("/shoots/<shoot_id>")
class OneShoot(MethodView):
    decorators = [staff_only]

    @bp.response(200, ShootDetail)
    def get(self, shoot_id):
        """A shoot and every photo in it, with each one's processing state."""
        shoot = _shoot_or_404(shoot_id)
        photos = _photos(shoot_id)
        view = shoot.view() if shoot else _unsorted_view(photos)
        return dict(view, counts=_counts(photos), photos=_with_favourites(shoot_id, photos))

    @bp.arguments(ShootPatch)
    @bp.response(200, ShootOut)
    def patch(self, body, shoot_id):
        """Rename a shoot, or change the look its new uploads get."""
        if shoot_id == UNSORTED:
            abort(400, message="Unsorted is not a shoot of its own; move its photos into one")
        try:
            with db().transaction() as conn:
                shoot = studio.update(conn, shoot_id, body.get("name"), body.get("default_spec"))
        except (studio.ShootError, edit_spec.SpecError) as error:
            abort(400, message=str(error))
        if shoot is None:
            abort(404, message=f"no shoot {shoot_id!r}")
        return shoot.view()


# --- photos ----------------------------------------------------------------------------------

def photo_key(shoot_id: str, path: str) -> str:
    prefix = stack().upload_prefix
    key = f"{prefix}{path}" if shoot_id == UNSORTED else f"{prefix}{shoot_id}/{path}"
    try:
        return keys.check_source_key(prefix, key)
    except keys.BadKey as error:
        abort(400, message=str(error))


def _photo_or_404(shoot_id: str, path: str) -> Photo:
    _shoot_or_404(shoot_id)
    photo = catalog().photo(aws("s3"), stack(), photo_key(shoot_id, path), shoot_id)
    if photo is None:
        abort(404, message=f"no photo {path!r} in this shoot")
    return photo


def presigned_rendition(photo: Photo, name: str, download: bool) -> str:
    if name not in RENDITIONS:
        abort(404, message=f"no rendition {name!r}; there are: {', '.join(RENDITIONS)}")
    output = photo.output(name)
    if output is None:
        abort(404, message=f"{photo.name} has no {name} rendition yet ({photo.status})")
    params = {"Bucket": output["bucket"], "Key": output["key"]}
    if download:
        stem = f"{photo.name.rsplit('.', 1)[0]}-{name}"
        params["ResponseContentDisposition"] = content_disposition(stem, output["key"].rsplit(".", 1)[-1], fallback=name)
    return aws("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=VIEW_URL_SECONDS)


@bp.route("/shoots/<shoot_id>/photos/<path:photo>")
@staff_only
@bp.response(200, PhotoOut)
def get_photo(shoot_id, photo):
    """One photo of a shoot and its processing state."""
    return _with_favourites(shoot_id, [_photo_or_404(shoot_id, photo)])[0]


def _with_favourites(shoot_id: str, photos: list[Photo]) -> list[dict]:
    """Each photo's view with how many of the shoot's links chose it (none, outside a shoot)."""
    chosen = {}
    if shoot_id != UNSORTED:
        with db().transaction() as conn:
            chosen = galleries.favourite_counts(conn, shoot_id, photos[0].key if len(photos) == 1 else None)
    return [dict(p.view(), favourites=chosen.get(p.key, 0)) for p in photos]


@bp.route("/shoots/<shoot_id>/renditions/<name>/<path:photo>")
@staff_only
@bp.response(302)
def show_rendition(shoot_id, name, photo):
    """Redirect to a rendition (full, web, thumb, web_webp), signed now for a few minutes."""
    response = redirect(presigned_rendition(_photo_or_404(shoot_id, photo), name, download=False), 302)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/shoots/<shoot_id>/downloads/<name>/<path:photo>")
@staff_only
@bp.response(302)
def download(shoot_id, name, photo):
    """Redirect to a rendition as a file to save, signed at the moment of the click."""
    return redirect(presigned_rendition(_photo_or_404(shoot_id, photo), name, download=True), 302)


@bp.route("/shoots/<shoot_id>/retries/<path:photo>", methods=["POST"])
@staff_only
@bp.response(202, JobOut)
def retry(shoot_id, photo):
    """Run a photo's job again: for one that gave up after failing for reasons outside the photo."""
    found = _photo_or_404(shoot_id, photo)
    if found.record and found.record["type"] == "processed":
        abort(409, message=f"{found.name} is processed; apply an edit to make a new version")
    if found.record and found.record["error"]["reason"] != "gave_up":
        abort(409, message=f"{found.name} failed for good ({found.record['error']['reason']}): trying again cannot help")
    if found.record:  # it reads "processing" again until the new try ends
        aws("s3").delete_object(Bucket=stack().processed_bucket, Key=keys.job_record_key(found.key, found.job_id))
    send_job(found.key, found.version)
    return {"key": found.key, "job_id": found.job_id, "status": "processing", "error": None, "outputs": []}


def send_job(key: str, version: str) -> None:
    """The S3 notification of this photo version, sent to the jobs queue again (a redrive). The
    key is URL-encoded, spaces as '+', as S3 sends it."""
    current = stack()
    obj = {"key": quote_plus(key, safe="/"), "versionId": version}
    body = {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Redrive",
                         "s3": {"bucket": {"name": current.source_bucket}, "object": obj}}]}
    aws("sqs").send_message(QueueUrl=current.queue_url, MessageBody=json.dumps(body))


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
    folder = keys.shoot_folder(current.upload_prefix, key)
    found = catalog().photo(aws("s3"), current, key, folder)
    if found is None:
        abort(404, message=f"no upload with key {key!r}")
    view = found.view()
    return {"key": key, "job_id": found.job_id, "status": found.status, "error": view["error"],
            "outputs": [{k: o[k] for k in ("name", "width", "height", "bytes")} for o in (found.shown or {"outputs": []})["outputs"]]}


# --- uploads ---------------------------------------------------------------------------------

def _grants() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="upload-grant")


def content_type_for(filename: str, given: str | None) -> str:
    """The browser's type when it is one we take, else the one its name says (an iPhone's .HEIC
    often comes with none)."""
    if given in ACCEPTED_TYPES:
        return given
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in TYPES_BY_EXTENSION:
        return TYPES_BY_EXTENSION[extension]
    abort(400, message=f"{filename}: not a photo we take (JPEG, PNG, TIFF, WebP, HEIC); "
                       f"content_type must be one of: {', '.join(sorted(ACCEPTED_TYPES))}")


@bp.route("/shoots/<shoot_id>/uploads", methods=["POST"])
@staff_only
@bp.arguments(UploadIn)
@bp.response(201, UploadGrant)
@limiter.limit("1200 per minute", key_func=lambda: f"upload:{getattr(current_user, 'id', '')}")
def create_upload(body, shoot_id):
    """Ask to upload a photo into a shoot: its key, a presigned PUT (the headers to send with it
    are signed too: type, size and the edit spec), and a grant to sign multipart requests."""
    shoot = _shoot_or_404(shoot_id)
    if shoot is None:
        abort(400, message="upload into a shoot, not into Unsorted")
    spec_text = _metadata_or_400(body["spec"] if body["spec"] is not None else shoot.default_spec)
    content_type = content_type_for(body["filename"], body["content_type"])
    key = keys.upload_key(stack().upload_prefix, shoot.id, body["filename"])
    grant = _grants().dumps({"key": key, "type": content_type, "size": body["size"], "spec": spec_text})
    url, headers = _sign_put(key, content_type, body["size"], spec_text)
    return {"key": key, "method": "PUT", "url": url, "headers": headers, "grant": grant}


def _object_headers(content_type: str, spec_text: str) -> dict:
    return {"Content-Type": content_type, f"x-amz-meta-{edit_spec.METADATA_KEY}": spec_text}


def _sign_put(key: str, content_type: str, size: int, spec_text: str) -> tuple[str, dict]:
    current = stack()
    url = aws("s3").generate_presigned_url("put_object", ExpiresIn=UPLOAD_URL_SECONDS, Params={
        "Bucket": current.source_bucket, "Key": key, "ContentType": content_type, "ContentLength": size,
        "Metadata": {edit_spec.METADATA_KEY: spec_text}})
    return url, _object_headers(content_type, spec_text)


@bp.route("/shoots/<shoot_id>/uploads/sign", methods=["POST"])
@staff_only
@bp.arguments(SignIn)
@bp.response(200, SignOut)
@limiter.limit("3000 per minute", key_func=lambda: f"sign:{getattr(current_user, 'id', '')}")
def sign_upload_request(body, shoot_id):
    """Sign one S3 request of an upload granted by /uploads: the PUT of a small file, or the
    create, part, list, complete or abort of a multipart upload (Uppy's signRequest)."""
    try:
        grant = _grants().loads(body["grant"], max_age=GRANT_SECONDS)
    except BadSignature:
        abort(403, message="this upload grant is not valid (or has expired): ask /uploads again")
    key = grant["key"]
    if body["key"] != key or keys.shoot_folder(stack().upload_prefix, key) != shoot_id:
        abort(403, message="the grant is for another key")
    current, s3 = stack(), aws("s3")
    base = {"Bucket": current.source_bucket, "Key": key}
    method, upload_id, part = body["method"], body["uploadId"], body["partNumber"]
    if upload_id is None and method == "PUT":
        url, headers = _sign_put(key, grant["type"], grant["size"], grant["spec"])
        return {"url": url, "key": key, "headers": headers}
    if upload_id is None and method == "POST":
        url = s3.generate_presigned_url("create_multipart_upload", ExpiresIn=UPLOAD_URL_SECONDS, Params={
            **base, "ContentType": grant["type"], "Metadata": {edit_spec.METADATA_KEY: grant["spec"]}})
        return {"url": url, "key": key, "headers": _object_headers(grant["type"], grant["spec"])}
    if upload_id is None:
        abort(400, message=f"{method} without an uploadId is not part of an upload")
    operations = {("PUT", True): "upload_part", ("GET", False): "list_parts",
                  ("POST", False): "complete_multipart_upload", ("DELETE", False): "abort_multipart_upload"}
    operation = operations.get((method, part is not None))
    if operation is None:
        abort(400, message=f"{method} {'with' if part else 'without'} a partNumber is not a multipart request")
    params = {**base, "UploadId": upload_id, **({"PartNumber": part} if part else {})}
    return {"url": s3.generate_presigned_url(operation, Params=params, ExpiresIn=UPLOAD_URL_SECONDS), "key": key,
            "headers": {}}


# --- edits and previews ----------------------------------------------------------------------

@bp.route("/shoots/<shoot_id>/edits", methods=["POST"])
@staff_only
@bp.arguments(EditIn)
@bp.response(202, EditOut)
def apply_edit(body, shoot_id):
    """Apply a look to chosen photos (or all): each becomes a new version of itself with the new
    edit spec (same bytes), which makes a new job; the earlier result stays downloadable until
    the new one is ready. Optionally also the shoot's look for new uploads."""
    shoot = _shoot_or_404(shoot_id)
    spec_text = _metadata_or_400(body["spec"])
    if body["photos"] is None:
        chosen = [p.key for p in _photos(shoot_id)]
    else:
        chosen = [photo_key(shoot_id, path) for path in body["photos"]]
    current, s3 = stack(), aws("s3")
    edited = [key for key in _WORK.map(lambda key: _new_version(current, s3, key, spec_text), chosen) if key]
    if body["save_as_default"] and shoot is not None:
        with db().transaction() as conn:
            studio.update(conn, shoot_id, spec=json.loads(spec_text))
    return {"applied": len(edited), "photos": edited}


def _new_version(current, s3, key: str, spec_text: str) -> str | None:
    try:
        head = s3.head_object(Bucket=current.source_bucket, Key=key)
        s3.copy_object(Bucket=current.source_bucket, Key=key, CopySource={"Bucket": current.source_bucket, "Key": key,
                                                                            **({"VersionId": head["VersionId"]} if head.get("VersionId") not in (None, "null") else {})},
                       MetadataDirective="REPLACE", ContentType=head.get("ContentType", "application/octet-stream"),
                       Metadata={**head.get("Metadata", {}), edit_spec.METADATA_KEY: spec_text})
    except ClientError as error:
        if is_missing(error):
            return None
        raise
    return key


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
    except keys.BadKey as error:
        abort(400, message=str(error))
    spec = edit_spec.parse(_spec_or_400(body["spec"]))
    answer = aws("lambda").invoke(FunctionName=current.function_name, Payload=json.dumps(
        {"action": "preview", "bucket": current.source_bucket, "key": key, "spec": spec}).encode())
    result = json.loads(answer["Payload"].read() or b"{}")
    if answer.get("FunctionError"):
        abort(502, message=f"the processor could not make the preview: {result.get('errorMessage', 'unknown error')}")
    if "error" in result:
        status = 404 if result["error"]["reason"] == "missing" else 422
        abort(status, message=result["error"]["message"])
    url = aws("s3").generate_presigned_url("get_object", ExpiresIn=VIEW_URL_SECONDS,
                                           Params={"Bucket": result["bucket"], "Key": result["key"]})
    return {"url": url, "width": result["width"], "height": result["height"], "seconds": result["seconds"]}


@bp.route("/edit-spec")
@staff_only
@bp.response(200)
def edit_form():
    """Everything an edit form needs: presets, adjustments, filters and their ranges and labels."""
    return edit_spec.form_schema()


# --- live events -----------------------------------------------------------------------------

@bp.route("/shoots/<shoot_id>/events")
@staff_only
@bp.response(200, content_type="text/event-stream")
def shoot_events(shoot_id):
    """Server-sent events of a shoot: each photo's job as it ends, and clients' feedback."""
    _shoot_or_404(shoot_id)
    return event_stream(shoot_id, STAFF)


def event_stream(shoot_id: str, audience: str) -> Response:
    try:
        subscriber = hub().subscribe(shoot_id, audience)
    except Busy as busy:
        abort(503, message=f"too many live pages on this server ({busy}); the page falls back to reloading")
    stream = hub().stream(subscriber, current_app.config["SSE_HEARTBEAT_SECONDS"])
    return Response(stream_with_context(stream), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
