"""S3, as the app uses it: presigned requests (a browser or the CLI sends the bytes, never the
app), what a source object is now, new versions for edits, multipart uploads checked and joined.

Thin functions over a boto3 S3 client; the rules are the services'.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from botocore.exceptions import ClientError

from photo_jobs import keys
from photo_jobs.aws import is_missing

@dataclass(frozen=True)
class Version:
    """What S3 says of a source object as it is now."""

    key: str
    size: int
    uploaded_at: datetime
    version: str  # keys.job_version: S3's version id, or the ETag in an unversioned bucket


VIEW_SECONDS = 600  # a presigned view or download: long enough for a slow phone, short enough not to be shared
UPLOAD_SECONDS = 3600  # a part of a big file on a slow line


def presign_get(s3, bucket: str, key: str, disposition: str | None = None, seconds: int = VIEW_SECONDS) -> str:
    params = {"Bucket": bucket, "Key": key}
    if disposition:
        params["ResponseContentDisposition"] = disposition
    return s3.generate_presigned_url("get_object", Params=params, ExpiresIn=seconds)


def presign(s3, operation: str, seconds: int = UPLOAD_SECONDS, **params) -> str:
    return s3.generate_presigned_url(operation, Params=params, ExpiresIn=seconds)


def current(s3, bucket: str, key: str) -> Version | None:
    """The source object's current version (one HEAD); None when there is none."""
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if is_missing(error):
            return None
        raise
    return Version(key, head["ContentLength"], head["LastModified"], keys.job_version(head.get("VersionId"), head["ETag"]))


def copy_as_new_version(s3, bucket: str, key: str, metadata: dict[str, str]) -> Version | None:
    """The object again as a new version of itself with new metadata (same bytes): an edit. None
    when the object is gone."""
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
        pinned = {"VersionId": head["VersionId"]} if head.get("VersionId") not in (None, "null") else {}
        made = s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": key, **pinned},
                              MetadataDirective="REPLACE", ContentType=head.get("ContentType", "application/octet-stream"),
                              Metadata={**head.get("Metadata", {}), **metadata})
    except ClientError as error:
        if is_missing(error):
            return None
        raise
    result = made["CopyObjectResult"]
    return Version(key, head["ContentLength"], result["LastModified"], keys.job_version(made.get("VersionId"), result["ETag"]))


class NoSuchUpload(Exception):
    """The multipart upload named is not there (completed or aborted)."""


def _no_such_upload(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "NoSuchUpload"


def parts(s3, bucket: str, key: str, upload_id: str) -> list[dict]:
    """The parts S3 holds of a multipart upload, in order."""
    held = []
    try:
        for page in s3.get_paginator("list_parts").paginate(Bucket=bucket, Key=key, UploadId=upload_id):
            held += page.get("Parts", [])
    except ClientError as error:
        if _no_such_upload(error):
            raise NoSuchUpload(upload_id) from None
        raise
    return held


def complete(s3, bucket: str, key: str, upload_id: str, held: list[dict]) -> dict:
    try:
        return s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={
            "Parts": [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in held]})
    except ClientError as error:
        if _no_such_upload(error):
            raise NoSuchUpload(upload_id) from None
        raise


def delete(s3, bucket: str, key: str) -> None:
    s3.delete_object(Bucket=bucket, Key=key)


def abort(s3, bucket: str, key: str, upload_id: str) -> None:
    s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)


def incomplete_uploads(s3, bucket: str, prefix: str) -> dict[str, dict]:
    """{key: its newest multipart upload started and neither completed nor aborted} under a prefix."""
    found: dict[str, dict] = {}
    for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket, Prefix=prefix):
        for upload in page.get("Uploads", []):
            if upload["Key"] not in found or upload["Initiated"] > found[upload["Key"]]["Initiated"]:
                found[upload["Key"]] = upload
    return found
