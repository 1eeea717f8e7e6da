"""Uploads straight to S3, bound by their grant: what may be signed for whom, and when a
multipart upload is complete.

Asking to upload (`grant`) names the key, type, size and spec (and the studio's rights) once, in
a grant signed by the app; every later request of that upload is signed only for the grant's key,
each part with its exact size (`limits.part_sizes`), so an upload cannot store a byte more than it
was granted; the app joins the parts itself, only if S3 holds exactly the granted ones.

An interrupted multipart upload is resumed, not restarted: asking again for the same file (same
shoot, name, size and last change) gives back its grant and the parts S3 already holds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from photo_jobs import formats, keys, limits, rights as photo_rights, spec as edit_spec
from webapp.adapters import storage

# a laptop closed mid-shoot may resume the next days; the buckets keep unfinished uploads' parts as
# long (terraform/modules/hardened_bucket: incomplete_upload_days, held equal by a test)
GRANT_SECONDS = 7 * 24 * 3600
# A multipart request the web app signs: (method, has a part number) -> S3 operation.
MULTIPART = {("PUT", True): "upload_part", ("GET", False): "list_parts", ("DELETE", False): "abort_multipart_upload"}


class UploadError(ValueError):
    """Not an upload the app takes or signs; `status` says how it refuses."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Grant:
    key: str
    type: str
    size: int
    spec: str  # as stored with the photo (edit_spec.to_metadata)
    rights: str = ""  # the studio's rights when granted (rights.to_metadata); "" in a grant older than them

    @property
    def part_sizes(self) -> list[int]:
        return limits.part_sizes(self.size)

    def metadata(self) -> dict[str, str]:
        """The object's user metadata: the edit spec and the rights, which the processor reads."""
        return {edit_spec.METADATA_KEY: self.spec, **({photo_rights.METADATA_KEY: self.rights} if self.rights else {})}

    def headers(self) -> dict[str, str]:
        """What the browser sends with a presigned PUT or multipart create (signed into it, so
        neither the spec nor the rights can be changed on the way)."""
        return {"Content-Type": self.type, **{f"x-amz-meta-{name}": value for name, value in self.metadata().items()}}


def _grants(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="upload-grant")


def content_type_for(filename: str, given: str | None) -> str:
    """The browser's type when it is one we take, else the one its name says (an iPhone's .HEIC
    often comes with none)."""
    if given in formats.ACCEPTED_TYPES:
        return given
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension in formats.TYPES_BY_EXTENSION:
        return formats.TYPES_BY_EXTENSION[extension]
    raise UploadError(f"{filename}: not a photo we take ({formats.SUMMARY}); "
                      f"content_type must be one of: {', '.join(sorted(formats.ACCEPTED_TYPES))}")


def fingerprint(shoot_id: str, filename: str, size: int, modified: int | None) -> str | None:
    """What names the same file asked for again (after a reload): its shoot, name, size and last
    change, as the browser or the CLI tells them. None without a last change: nothing to match."""
    if modified is None:
        return None
    return hashlib.sha256(f"{shoot_id}\n{filename}\n{size}\n{modified}".encode()).hexdigest()[:32]


def resumable_key(upload_prefix: str, shoot_id: str, filename: str, print_: str | None) -> str:
    """The key of an upload: one of its own, or for a fingerprinted file the same key each time it
    is asked for, so that an interrupted upload of it can be found and resumed."""
    if print_ is None:
        return keys.upload_key(upload_prefix, shoot_id, filename)
    name = keys.upload_key(upload_prefix, shoot_id, filename).rsplit("/", 1)[1]
    return f"{upload_prefix}{shoot_id}/{print_}/{name}"


def make(secret: str, key: str, content_type: str, size: int, spec_text: str, rights_text: str = "") -> tuple[Grant, str]:
    grant = Grant(key, content_type, size, spec_text, rights_text)
    return grant, _grants(secret).dumps({"key": key, "type": content_type, "size": size, "spec": spec_text,
                                         "rights": rights_text})


def check(secret: str, text: str, upload_prefix: str, shoot_id: str, key: str | None = None) -> Grant:
    """The grant, checked: signed by this app, not expired, for this shoot (and key)."""
    try:
        body = _grants(secret).loads(text, max_age=GRANT_SECONDS)
    except BadSignature:
        raise UploadError("this upload grant is not valid (or has expired): ask /uploads again", 403) from None
    if (key is not None and key != body["key"]) or keys.shoot_folder(upload_prefix, body["key"]) != shoot_id:
        raise UploadError("the grant is for another key", 403)
    return Grant(body["key"], body["type"], body["size"], body["spec"], body.get("rights", ""))


def part_length(grant: Grant, number: int) -> int:
    """The exact size part `number` of this upload must have."""
    sizes = grant.part_sizes
    if not 1 <= number <= len(sizes):
        raise UploadError(f"this upload has {len(sizes)} parts of {limits.PART_BYTES} bytes (the last the rest): "
                          f"no part {number}")
    return sizes[number - 1]


def multipart_operation(method: str, part: int | None) -> str:
    operation = MULTIPART.get((method, part is not None))
    if operation is None:
        raise UploadError(f"{method} {'with' if part else 'without'} a partNumber is not a multipart request")
    return operation


def complete_parts(grant: Grant, held: list[dict]) -> list[dict]:
    """The parts to join, if S3 holds exactly the grant's; UploadError otherwise (the caller aborts)."""
    expected = grant.part_sizes
    got = [part["Size"] for part in held]
    if [part["PartNumber"] for part in held] != list(range(1, len(expected) + 1)) or got != expected:
        raise UploadError(f"the upload's parts ({len(got)}, {sum(got)} bytes) are not the {len(expected)} parts of "
                          f"{grant.size} bytes it was granted: it was aborted")
    return held


def complete(s3, bucket: str, grant: Grant, upload_id: str) -> dict:
    """Join a multipart upload if the parts S3 holds are exactly the grant's (S3's answer); any
    other is aborted, its parts deleted, and refused (UploadError; 404 when there is no such
    upload: completed or aborted already)."""
    if not 1 <= len(upload_id) <= 1024:
        raise UploadError("X-Upload-Id names the multipart upload to complete")
    try:
        held = storage.parts(s3, bucket, grant.key, upload_id)
        try:
            return storage.complete(s3, bucket, grant.key, upload_id, complete_parts(grant, held))
        except UploadError:
            storage.abort(s3, bucket, grant.key, upload_id)
            raise
    except storage.NoSuchUpload:
        raise UploadError("no such multipart upload (completed or aborted already)", 404) from None


def finished_parts(grant: Grant, held: list[dict]) -> list[dict]:
    """The parts of an interrupted upload worth keeping: the whole, right-sized ones (a part cut
    short by a closed tab is sent again)."""
    sizes = grant.part_sizes
    return [{"PartNumber": p["PartNumber"], "ETag": p["ETag"].strip('"'), "Size": p["Size"]} for p in held
            if 1 <= p["PartNumber"] <= len(sizes) and p["Size"] == sizes[p["PartNumber"] - 1]]
