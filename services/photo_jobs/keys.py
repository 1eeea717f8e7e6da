"""Object keys: where uploads, renditions and job records live. Deterministic, so a duplicate
event finds the finished result instead of producing a second one."""

from __future__ import annotations

import re
import uuid

RENDITIONS_PREFIX = "renditions/"
JOBS_PREFIX = "jobs/"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


def upload_key(upload_prefix: str, filename: str) -> str:
    """A fresh source key for a browser or CLI upload; the file's own name is kept readable."""
    name = _UNSAFE.sub("_", filename).strip() or "photo"
    return f"{upload_prefix}{uuid.uuid4().hex}/{name[:200]}"


def rendition_key(source_key: str, job_digest: str, name: str, extension: str) -> str:
    return f"{RENDITIONS_PREFIX}{source_key}/{job_digest}/{name}.{extension}"


def job_record_key(source_key: str, job_digest: str) -> str:
    return f"{JOBS_PREFIX}{source_key}/{job_digest}.json"
