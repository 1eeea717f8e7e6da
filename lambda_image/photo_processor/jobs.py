"""One job: one version of one photo, from the source bucket to renditions, a record and an event.

The Lambda adapter around `pipeline.render`, with its clients given, so tests run it against
LocalStack directly. Anything wrong with the file or its spec is recorded and published once as
a failure with a reason; anything else raises, so the message is tried again. The source object
is only ever read.

A job makes the requests it needs and no more: one GET of the photo (its version, metadata and
bytes), a PUT of each rendition and of the record, one publish. Its files and its record are
written only where there are none (S3's conditional writes, If-None-Match): a repeated event
learns that its result exists from the refused write, reads the record then, and says it again.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from botocore.exceptions import ClientError

from photo_jobs import keys, limits, metrics, previews, records, rights as photo_rights, spec as edit_spec
from photo_jobs.notifications import Created as Source  # a photo version named by an event
from photo_jobs.aws import is_missing, read_job_record
from photo_jobs.settings import Stack
from photo_processor import budget as memory, pipeline
from photo_processor.pipeline import PermanentError
from photo_processor.telemetry import logger, record_failure, record_processed

_UPLOADS = ThreadPoolExecutor(8, thread_name_prefix="rendition-upload")
# What a job times, in order (each becomes a <stage>_ms metric; the dashboard charts them all).
STAGES = ("download", "wait", *pipeline.STAGES, "upload")
# S3's answers to a conditional write where the object exists (or another write of it is under way).
_EXISTS = ("PreconditionFailed", "ConditionalRequestConflict")


@dataclass
class Context:
    s3: object
    sns: object
    stack: Stack
    budget: memory.Budget
    deadline: float | None = None  # time.monotonic() when the invocation times out
    _renders: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def may_start(self, seconds: float) -> bool:
        """A render of about `seconds` may start: it ends in time, or it is the invocation's first
        (a fresh invocation would have no more time for it)."""
        with self._lock:
            first, self._renders = self._renders == 0, self._renders + 1
        return first or self.deadline is None or time.monotonic() + seconds <= self.deadline


class OutOfTime(Exception):
    """This photo would not finish before the invocation times out: send it back to the queue."""


SPARE_SECONDS = 5  # kept free at the end of an invocation to store and report what finished


def run(ctx: Context, source: Source) -> str:
    """Process one photo version; returns what happened. Raises only for a failure worth retrying."""
    started = time.perf_counter()
    try:
        # The photo as it is now, in one request: its version, its metadata (the spec, the rights)
        # and its bytes, read only once the job is known to need them.
        got = ctx.s3.get_object(Bucket=source.bucket, Key=source.key)
    except ClientError as error:
        if is_missing(error) and source.version is None:
            raise  # a 404 with no version to pin cannot be told from a passing fault: try again
        if is_missing(error):
            logger.info("source gone before its job ran", extra={"source_key": source.key})
            return "gone"
        raise
    try:
        current = got.get("VersionId") or None
        if source.version and current and current != source.version:
            logger.info("superseded by a newer version", extra={"source_key": source.key})
            return "superseded"  # the newer version's own event names the job a reader waits for
        version = keys.job_version(current, got["ETag"])
        job_id = keys.job_id(source.key, version)
        described = {"bucket": source.bucket, "key": source.key, "version": version, "etag": got["ETag"].strip('"')}
        logger.thread_safe_append_keys(job_id=job_id, source_key=source.key)
        try:
            return _run(ctx, job_id, described, got, started)
        finally:
            logger.thread_safe_clear_keys()
    finally:
        got["Body"].close()  # unread when the job stops early: the rest of the photo is not fetched


def _run(ctx: Context, job_id: str, described: dict, got: dict, started: float) -> str:
    metadata = got.get("Metadata", {})
    raw_spec = metadata.get(edit_spec.METADATA_KEY)
    try:
        spec = edit_spec.parse(raw_spec)
    except edit_spec.SpecError as error:
        return fail(ctx, job_id, described, {"raw": raw_spec}, PermanentError("invalid_spec", str(error)), {})
    try:  # stored beside the spec: read from the same answer, no request of its own
        rights = photo_rights.from_metadata(metadata.get(photo_rights.METADATA_KEY), ctx.stack.studio_name)
    except photo_rights.RightsError as error:
        return fail(ctx, job_id, described, spec, PermanentError("invalid_spec", f"rights: {error}"), {})
    rights = rights.for_year(got["LastModified"].year)  # the upload's year: the same on every retry
    return render_and_store(ctx, job_id, described, spec, got, started, rights)


def render_and_store(ctx: Context, job_id: str, source: dict, spec: dict, got: dict, started: float,
                     rights: photo_rights.Rights) -> str:
    timings: dict[str, float] = {}
    try:
        if got["ContentLength"] > limits.MAX_SOURCE_BYTES:  # refused before reading it
            raise PermanentError("too_large", f"{got['ContentLength']:,} bytes is more than {limits.MAX_SOURCE_BYTES:,}")
        data = got["Body"].read()
        timings["download"] = _ms(started)
        header = pipeline.inspect(data)
        waited = time.perf_counter()
        with ctx.budget.admit(memory.estimate_bytes(header, len(data))):
            timings["wait"] = _ms(waited)
            if not ctx.may_start(memory.estimate_seconds(header) + SPARE_SECONDS):
                raise OutOfTime(f"{header.pixels / 1e6:.0f} MP would not finish in this invocation")
            result = pipeline.render(data, spec, proof_text=f"{ctx.stack.studio_name} · PROOF", rights=rights)
        del data
        timings.update(result.timings_ms)
    except PermanentError as error:
        return fail(ctx, job_id, source, spec, error, timings)
    stage = time.perf_counter()
    stored = list(_UPLOADS.map(lambda r: _store(ctx, source["key"], job_id, r), result.renditions))
    if not all(written for _, written in stored):  # some were there already: a repeat, or a retry of a broken try
        existing = read_job_record(ctx.s3, ctx.stack, source["key"], job_id)
        if records.is_final(existing):
            return _repeated(ctx, existing)
        for rendition, (_, written) in zip(result.renditions, stored, strict=True):
            if not written:
                _store(ctx, source["key"], job_id, rendition, replace=True)
    outputs = [output for output, _ in stored]
    timings["upload"] = _ms(stage)
    timings[metrics.TOTAL_STAGE] = _ms(started)
    if not finish(ctx, records.processed(job_id, source, spec, outputs, timings)):
        return "repeated"
    logger.info("processed", extra={"timings_ms": {k: round(v, 1) for k, v in timings.items()},
                                    "megapixels": round(result.megapixels, 2)})
    record_processed(timings, result.megapixels)
    return "processed"


def _store(ctx: Context, source_key: str, job_id: str, rendition: pipeline.Rendition,
           replace: bool = False) -> tuple[dict, bool]:
    """Put one rendition, unless one is there already (then False: the caller asks why)."""
    out_key = keys.rendition_key(source_key, job_id, rendition.name, rendition.extension)
    written = _put_new(ctx, out_key, replace, Body=rendition.data, ContentType=rendition.content_type,
                       CacheControl="private, max-age=31536000, immutable")
    return {"name": rendition.name, "bucket": ctx.stack.processed_bucket, "key": out_key, "width": rendition.width,
            "height": rendition.height, "bytes": len(rendition.data), "format": rendition.format}, written


def _put_new(ctx: Context, key: str, replace: bool = False, **put) -> bool:
    """Put an object into the processed bucket only where there is none (S3's conditional write),
    or in any case with `replace`; False when one was there."""
    try:
        ctx.s3.put_object(Bucket=ctx.stack.processed_bucket, Key=key, **put, **({} if replace else {"IfNoneMatch": "*"}))
        return True
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _EXISTS:
            return False
        raise


def fail(ctx: Context, job_id: str, source: dict, spec: dict, error: PermanentError, timings: dict) -> str:
    logger.warning("cannot process", extra={"reason": error.reason, "error": str(error)})
    if not finish(ctx, records.failed(job_id, source, spec, error.reason, str(error), timings)):
        return "repeated"
    record_failure(error.reason)
    return "failed"


def give_up(ctx: Context, source: Source) -> str:
    """A job that failed every try for reasons not its own: record it as failed, so no page waits.

    Its photo stays as it was; sending its event again (a retry) runs the same job anew.
    """
    try:
        head = ctx.s3.head_object(Bucket=source.bucket, Key=source.key, **({"VersionId": source.version} if source.version else {}))
    except ClientError as error:
        if is_missing(error):
            logger.info("gave up on a photo that is gone", extra={"source_key": source.key})
            return "gone"
        raise
    version = keys.job_version(source.version, head["ETag"])
    job_id = keys.job_id(source.key, version)
    if records.is_final(read_job_record(ctx.s3, ctx.stack, source.key, job_id)):
        return "repeated"  # a later try got through after all
    described = {"bucket": source.bucket, "key": source.key, "version": version, "etag": head["ETag"].strip('"')}
    message = "processing failed every time it was tried, for reasons outside the photo; it can be retried"
    logger.thread_safe_append_keys(job_id=job_id, source_key=source.key)
    try:
        return fail(ctx, job_id, described, {"raw": head.get("Metadata", {}).get(edit_spec.METADATA_KEY)},
                    PermanentError(records.GAVE_UP, message), {})
    finally:
        logger.thread_safe_clear_keys()


def finish(ctx: Context, record: dict) -> bool:
    """Store the job's record and publish it; False when a final result was there already (a
    repeated event), which is published again instead, unchanged. A record that is not final (a
    job that gave up) is replaced: only a result that could change is ever written over."""
    key = keys.job_record_key(record["source"]["key"], record["job_id"])
    body = records.dumps(record).encode()
    if not _put_new(ctx, key, Body=body, ContentType="application/json"):
        existing = read_job_record(ctx.s3, ctx.stack, record["source"]["key"], record["job_id"])
        if records.is_final(existing):
            _repeated(ctx, existing)
            return False
        _put_new(ctx, key, replace=True, Body=body, ContentType="application/json")
    publish(ctx, record)
    return True


def _repeated(ctx: Context, existing: dict) -> str:
    logger.info("already done", extra={"status": existing["type"]})
    publish(ctx, existing)  # a repeated event: the result exists, say so again
    return "repeated"


def publish(ctx: Context, record: dict) -> None:
    announce(ctx, records.dumps(record), record["type"])


def announce(ctx: Context, message: str, kind: str) -> None:
    """A message on the processor's topic (a job's record, an archive's status): the web app hears it."""
    ctx.sns.publish(TopicArn=ctx.stack.topic_arn, Message=message,
                    MessageAttributes={"type": {"DataType": "String", "StringValue": kind}})


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


def preview(ctx: Context, event: dict) -> dict:
    """A sync invocation's answer (photo_jobs.previews.Reply): a preview JPEG in the processed
    bucket, or why none could be made."""
    started = time.perf_counter()
    try:
        request = previews.Request.of(event)
        spec = edit_spec.parse(request.spec)
        key = keys.check_source_key(ctx.stack.upload_prefix, request.key)
    except (edit_spec.SpecError, keys.BadKey, KeyError) as error:
        return previews.Reply.failed("invalid_spec", str(error)).to_dict()
    try:
        head = ctx.s3.head_object(Bucket=request.bucket, Key=key)
    except ClientError as error:
        if is_missing(error):
            return previews.Reply.gone(f"no photo {key!r}").to_dict()
        raise
    version = keys.job_version(head.get("VersionId"), head["ETag"])
    out_key = keys.preview_key(key, version, edit_spec.canonical_json(spec))
    try:
        kept = ctx.s3.head_object(Bucket=ctx.stack.processed_bucket, Key=out_key)["Metadata"]
        return previews.Reply.made(ctx.stack.processed_bucket, out_key, int(kept["width"]), int(kept["height"]),
                                   round(time.perf_counter() - started, 3)).to_dict()
    except ClientError as error:
        if not is_missing(error):
            raise
    if head["ContentLength"] > limits.MAX_SOURCE_BYTES:
        return previews.Reply.failed("too_large", f"{head['ContentLength']:,} bytes is too large").to_dict()
    pinned = {"VersionId": version} if head.get("VersionId") not in (None, "null") else {}
    data = ctx.s3.get_object(Bucket=request.bucket, Key=key, **pinned)["Body"].read()
    try:
        with ctx.budget.admit(memory.estimate_bytes(pipeline.inspect(data), len(data))):
            made = pipeline.preview(data, spec)
    except PermanentError as error:
        return previews.Reply.failed(error.reason, str(error)).to_dict()
    ctx.s3.put_object(Bucket=ctx.stack.processed_bucket, Key=out_key, Body=made.data, ContentType="image/jpeg",
                      Metadata={"width": str(made.width), "height": str(made.height)})
    seconds = round(time.perf_counter() - started, 3)
    logger.info("preview", extra={"source_key": key, "seconds": seconds})
    return previews.Reply.made(ctx.stack.processed_bucket, out_key, made.width, made.height, seconds).to_dict()
