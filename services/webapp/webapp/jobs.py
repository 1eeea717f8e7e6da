"""Uploads (presigned POST straight to S3), job status, and downloads (presigned GET at click)."""

from __future__ import annotations

import re

from botocore.exceptions import ClientError
from flask import Blueprint, abort, current_app, jsonify, redirect, request

from photo_jobs import keys, records, spec as edit_spec
from photo_jobs.aws import client, is_missing, read_job_record

bp = Blueprint("jobs", __name__, url_prefix="/api")

ACCEPTED_TYPES = {"image/jpeg", "image/png", "image/tiff", "image/webp", "image/heic", "image/heif"}
UPLOAD_URL_SECONDS = 900
DOWNLOAD_URL_SECONDS = 300


def _stack():
    stack = current_app.extensions["stack"].current()
    if not stack.deployed:
        abort(503, description="the stack is not deployed yet")
    return stack


def _bad_request(message: str):
    return jsonify(error=message), 400


@bp.post("/uploads")
def create_upload():
    """Sign a POST whose policy pins the key, the size, the content type and the edit spec."""
    stack = _stack()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return _bad_request("send a JSON object: {filename, content_type, size, spec}")
    filename, content_type, size = body.get("filename"), body.get("content_type"), body.get("size")
    if not isinstance(filename, str) or not filename.strip():
        return _bad_request("filename is required")
    if content_type not in ACCEPTED_TYPES:
        return _bad_request(f"content_type must be one of: {', '.join(sorted(ACCEPTED_TYPES))}")
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    if not isinstance(size, int) or isinstance(size, bool) or not 0 < size <= limit:
        return _bad_request(f"size must be a whole number of bytes from 1 to {limit}")
    try:
        spec_metadata = edit_spec.to_metadata(body.get("spec"))
    except edit_spec.SpecError as error:
        return _bad_request(str(error))
    key = keys.upload_key(stack.upload_prefix, "unsorted", filename)
    headers = {"Content-Type": content_type, f"x-amz-meta-{edit_spec.METADATA_KEY}": spec_metadata}
    url = client("s3", stack).generate_presigned_url("put_object", ExpiresIn=UPLOAD_URL_SECONDS, Params={
        "Bucket": stack.source_bucket, "Key": key, "ContentType": content_type, "ContentLength": size,
        "Metadata": {edit_spec.METADATA_KEY: spec_metadata}})
    return jsonify(key=key, method="PUT", url=url, headers=headers), 201


def job_status(stack, source_key: str) -> dict | None:
    """The job's status, rebuilt from S3 alone; None when no such upload exists."""
    s3 = client("s3", stack)
    try:
        head = s3.head_object(Bucket=stack.source_bucket, Key=source_key)
    except ClientError as error:
        if is_missing(error):
            return None
        raise
    version = head.get("VersionId")
    job_id = keys.job_id(source_key, version if version and version != "null" else head["ETag"].strip('"'))
    record = read_job_record(s3, stack, source_key, job_id)
    status = dict(records.status_view(record), key=source_key, job_id=job_id)
    status["_outputs"] = record["outputs"] if record else []
    return status


@bp.get("/jobs/<path:source_key>")
def get_job(source_key: str):
    status = job_status(_stack(), source_key)
    if status is None:
        return jsonify(error=f"no upload with key {source_key!r}"), 404
    status.pop("_outputs")
    return jsonify(status)


@bp.get("/download/<path:source_key>")
def download(source_key: str):
    """Redirect to a presigned URL made now, so a page left open for hours still downloads."""
    stack = _stack()
    name = request.args.get("rendition", "full")
    status = job_status(stack, source_key)
    if status is None:
        return jsonify(error=f"no upload with key {source_key!r}"), 404
    output = next((o for o in status["_outputs"] if o["name"] == name), None)
    if output is None:
        return jsonify(error=f"no {name!r} rendition ({status['status']})"), 404
    stem = source_key.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    filename = re.sub(r"[^A-Za-z0-9._-]+", "_", stem) + "-" + output["key"].rsplit("/", 1)[-1]
    url = client("s3", stack).generate_presigned_url(
        "get_object", ExpiresIn=DOWNLOAD_URL_SECONDS,
        Params={"Bucket": output["bucket"], "Key": output["key"],
                "ResponseContentDisposition": f'attachment; filename="{filename}"'},
    )
    return redirect(url, code=302)
