"""Object keys and job identity: where uploads, renditions and job records live.

A photo is a key in the source bucket, `<upload prefix><shoot id>/<photo id>/<file name>` when
the app made it (anything else under the prefix is still a photo: an `aws s3 sync` of a folder).
The bucket is versioned, and a version's metadata (the edit spec) never changes, so a job, one
edit of one photo, is named by the key and the version alone: nothing the code computes today
can make an earlier job unfindable tomorrow.
"""

from __future__ import annotations

import hashlib
import re
import uuid

RENDITIONS_PREFIX = "renditions/"
JOBS_PREFIX = "jobs/"
PREVIEWS_PREFIX = "previews/"
ARCHIVES_PREFIX = "archives/"
MAX_KEY_BYTES = 1024
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


class BadKey(ValueError):
    """The key names no photo we may touch; the message says why."""


def upload_key(upload_prefix: str, shoot_id: str, filename: str) -> str:
    """A fresh source key for an upload into a shoot; the file's own name is kept readable."""
    name = _UNSAFE.sub("_", filename).strip().lstrip(".") or "photo"
    return f"{upload_prefix}{shoot_id}/{uuid.uuid4().hex}/{name[:200]}"


def check_source_key(upload_prefix: str, key: str) -> str:
    """The key, if it is a photo under the upload prefix with no `.`, `..` or empty segments."""
    if not isinstance(key, str) or not key.startswith(upload_prefix) or len(key.encode()) > MAX_KEY_BYTES:
        raise BadKey(f"not a photo key under {upload_prefix!r}")
    segments = key[len(upload_prefix):].split("/")
    if any(s in ("", ".", "..") for s in segments) or re.search(r"[\x00-\x1f\x7f]", key):
        raise BadKey("a photo key has no '.', '..' or empty segments")
    return key


def shoot_folder(upload_prefix: str, key: str) -> str:
    """The first folder under the upload prefix: a shoot's id when the key belongs to a shoot."""
    return key[len(upload_prefix):].split("/", 1)[0]


def file_name(key: str) -> str:
    return key.rsplit("/", 1)[-1]


def job_id(source_key: str, version: str) -> str:
    """Names one job: this version of this photo (its bytes and the edit spec stored with it)."""
    return hashlib.sha256(f"{source_key}\n{version}".encode()).hexdigest()[:20]


def job_version(version_id: str | None, etag: str) -> str:
    """What names the version of a source object: S3's version id, or in an unversioned bucket
    (version "null"), its ETag."""
    return version_id if version_id and version_id != "null" else etag.strip('"')


def rendition_key(source_key: str, job: str, name: str, extension: str) -> str:
    return f"{RENDITIONS_PREFIX}{source_key}/{job}/{name}.{extension}"


def preview_key(source_key: str, version: str, spec_json: str) -> str:
    """Where a preview of this version with this (canonical) spec is kept: made once, reused."""
    digest = hashlib.sha256(f"{version}\n{spec_json}".encode()).hexdigest()[:20]
    return f"{PREVIEWS_PREFIX}{source_key}/{digest}.jpg"


def job_record_key(source_key: str, job: str) -> str:
    return f"{JOBS_PREFIX}{source_key}/{job}.json"


def job_records_prefix(source_key_or_folder: str) -> str:
    """Where the records of one photo (a key) or of every photo in a folder (ending in /) are."""
    return f"{JOBS_PREFIX}{source_key_or_folder}" + ("" if source_key_or_folder.endswith("/") else "/")


def source_of_record_key(record_key: str) -> tuple[str, str]:
    """(source key, job id) of a job record's key."""
    source_key, name = record_key[len(JOBS_PREFIX):].rsplit("/", 1)
    return source_key, name.removesuffix(".json")
