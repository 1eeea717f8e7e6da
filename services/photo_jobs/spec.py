"""The edit spec: what a photographer asks to be done to a photo.

It travels with the upload as S3 object metadata (`x-amz-meta-edit-spec`, compact JSON). No spec
means the `original` preset: no adjustments at all. The photo-processing issue grows this module
(adjustments, filters, presets); everything else only calls `parse`, `to_metadata` and `digest`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

SCHEMA_VERSION = 1
METADATA_KEY = "edit-spec"  # S3 user metadata name (sent as x-amz-meta-edit-spec)
PRESETS: dict[str, dict[str, Any]] = {"original": {}}
# S3 allows 2 KB of user metadata in all; the spec must leave room for the rest.
MAX_METADATA_BYTES = 1536


class SpecError(ValueError):
    """The spec is not valid; the message says why, for the person who wrote it."""


def parse(raw: str | dict | None) -> dict[str, Any]:
    """Validate a spec (JSON text, a mapping, or nothing) and return its canonical form."""
    if raw is None or raw == "":
        return {"version": SCHEMA_VERSION, "preset": "original"}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as error:
            raise SpecError(f"edit spec is not valid JSON: {error.msg}") from None
    if not isinstance(raw, dict):
        raise SpecError("edit spec must be a JSON object")
    unknown = set(raw) - {"version", "preset"}
    if unknown:
        raise SpecError(f"unknown edit spec field(s): {', '.join(sorted(unknown))}")
    version = raw.get("version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise SpecError(f"edit spec version {version!r} is not supported (expected {SCHEMA_VERSION})")
    preset = raw.get("preset", "original")
    if preset not in PRESETS:
        raise SpecError(f"unknown preset {preset!r}; choose one of: {', '.join(PRESETS)}")
    return {"version": SCHEMA_VERSION, "preset": preset}


def canonical_json(spec: dict[str, Any]) -> str:
    return json.dumps(spec, sort_keys=True, separators=(",", ":"))


def to_metadata(spec: dict[str, Any]) -> str:
    text = canonical_json(parse(spec))
    if len(text.encode()) > MAX_METADATA_BYTES:
        raise SpecError(f"edit spec is {len(text.encode())} bytes; at most {MAX_METADATA_BYTES} fit in S3 metadata")
    return text


def digest(spec: dict[str, Any], source_etag: str) -> str:
    """Names one result: the same photo bytes with the same spec always give the same digest."""
    material = f"{canonical_json(parse(spec))}\n{source_etag.strip('\"')}"
    return hashlib.sha256(material.encode()).hexdigest()[:20]


def resolve(raw_metadata: str | None, source_etag: str) -> tuple[dict[str, Any] | None, str, str | None]:
    """(spec, job id, error) for an uploaded object: how the Lambda and the web app agree on a job.

    An invalid spec still names a job (that of `original`), so its failure can be recorded and found.
    """
    try:
        spec = parse(raw_metadata)
    except SpecError as error:
        return None, digest({}, source_etag), str(error)
    return spec, digest(spec, source_etag), None
