"""Looks: applying an edit spec to photos, and previewing one.

Applying a look makes each photo a new version of itself (the same bytes, the new spec in its
metadata), which S3 announces like any upload: a new job. The row learns the new version at once
(services.photos.versioned) and keeps the earlier renditions on offer until the new ones are done.
A preview is made by the processor itself, the same pipeline as its jobs, without changing the photo.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from photo_jobs import previews, spec as edit_spec
from webapp.adapters import processor, storage
from webapp.services import photos

_WORK = ThreadPoolExecutor(16, thread_name_prefix="edits")


class EditError(ValueError):
    """The look or the photo cannot be taken; `status` says how to refuse."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def stored(raw) -> str:
    """The spec as stored with a photo (compact JSON that fits S3 metadata), or EditError."""
    try:
        return edit_spec.to_metadata(raw)
    except edit_spec.SpecError as error:
        raise EditError(str(error)) from None


def apply(database, s3, stack, keys: list[str], spec_text: str) -> list[dict]:
    """The look on each photo: new versions, new jobs; the rows edited (a photo gone is skipped)."""
    def edit(key: str) -> dict | None:
        made = storage.copy_as_new_version(s3, stack.source_bucket, key, {edit_spec.METADATA_KEY: spec_text})
        return photos.versioned(database, stack, made) if made else None
    return [row for row in _WORK.map(edit, keys) if row]


def preview(lambda_client, stack, key: str, raw_spec) -> previews.Reply:
    try:
        spec = edit_spec.parse(edit_spec.compact(raw_spec))
    except edit_spec.SpecError as error:
        raise EditError(str(error)) from None
    try:
        reply = processor.preview(lambda_client, stack.function_name, previews.Request(stack.source_bucket, key, spec))
    except processor.ProcessorError as error:
        raise EditError(f"the processor could not make the preview: {error}", 502) from None
    if reply.missing:
        raise EditError(reply.missing, 404)
    if reply.failure:
        raise EditError(reply.failure["message"], 422)
    return reply
