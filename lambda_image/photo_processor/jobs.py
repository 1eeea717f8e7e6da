"""One job: one version of one photo, from the source bucket to renditions, a record and an event.

The Lambda adapter around `pipeline.render`, with its clients given, so tests run it against
LocalStack directly. Anything wrong with the file or its spec is recorded and published once as
a failure with a reason; anything else raises, so the message is tried again. The source object
is only ever read.
"""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

from botocore.exceptions import ClientError

from photo_jobs import keys, limits, metrics, records, spec as edit_spec
from photo_jobs.aws import is_missing, read_job_record
from photo_jobs.settings import Stack
from photo_processor import budget as memory, pipeline
from photo_processor.pipeline import PermanentError
from photo_processor.telemetry import logger, record_failure, record_processed

_UPLOADS = ThreadPoolExecutor(8, thread_name_prefix="rendition-upload")
# What a job times, in order (each becomes a <stage>_ms metric; the dashboard charts them all).
STAGES = ("download", "wait", *pipeline.STAGES, "upload")


@dataclass(frozen=True)
class Source:
    """A photo version named by an event: the version is None only in an unversioned bucket."""

    bucket: str
    key: str
    version: str | None = None


def sources_in(body: str) -> list[Source]:
    """Each object an S3 notification (an SQS message body) says was created."""
    notification = json.loads(body)
    found = []
    for record in notification.get("Records", []):  # s3:TestEvent has none
        if not record.get("eventName", "").startswith("ObjectCreated"):
            continue
        obj = record["s3"]["object"]
        version = obj.get("versionId") or None
        found.append(Source(record["s3"]["bucket"]["name"], unquote_plus(obj["key"]),
                            None if version == "null" else version))
    return found


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
        head = ctx.s3.head_object(Bucket=source.bucket, Key=source.key)  # the photo as it is now
    except ClientError as error:
        if is_missing(error) and source.version is None:
            raise  # a 404 with no version to pin cannot be told from a passing fault: try again
        if is_missing(error):
            logger.info("source gone before its job ran", extra={"source_key": source.key})
            return "gone"
        raise
    current = head.get("VersionId") or None
    if source.version and current and current != source.version:
        logger.info("superseded by a newer version", extra={"source_key": source.key})
        return "superseded"  # the newer version's own event names the job a reader waits for
    version = keys.job_version(current, head["ETag"])
    job_id = keys.job_id(source.key, version)
    described = {"bucket": source.bucket, "key": source.key, "version": version, "etag": head["ETag"].strip('"')}
    logger.thread_safe_append_keys(job_id=job_id, source_key=source.key)
    try:
        existing = read_job_record(ctx.s3, ctx.stack, source.key, job_id)
        if records.is_final(existing):  # a repeated event: the result exists, say so again
            logger.info("already done", extra={"status": existing["type"]})
            publish(ctx, existing)
            return "repeated"
        raw_spec = head.get("Metadata", {}).get(edit_spec.METADATA_KEY)
        try:
            spec = edit_spec.parse(raw_spec)
        except edit_spec.SpecError as error:
            return fail(ctx, job_id, described, {"raw": raw_spec}, PermanentError("invalid_spec", str(error)), {})
        return render_and_store(ctx, job_id, described, spec, head, started)
    finally:
        logger.thread_safe_clear_keys()


def render_and_store(ctx: Context, job_id: str, source: dict, spec: dict, head: dict, started: float) -> str:
    timings: dict[str, float] = {}
    try:
        if head["ContentLength"] > limits.MAX_SOURCE_BYTES:  # refused before downloading it
            raise PermanentError("too_large", f"{head['ContentLength']:,} bytes is more than {limits.MAX_SOURCE_BYTES:,}")
        pinned = {"VersionId": source["version"]} if head.get("VersionId") not in (None, "null") else {"IfMatch": head["ETag"]}
        data = ctx.s3.get_object(Bucket=source["bucket"], Key=source["key"], **pinned)["Body"].read()
        timings["download"] = _ms(started)
        header = pipeline.inspect(data)
        waited = time.perf_counter()
        with ctx.budget.admit(memory.estimate_bytes(header, len(data))):
            timings["wait"] = _ms(waited)
            if not ctx.may_start(memory.estimate_seconds(header) + SPARE_SECONDS):
                raise OutOfTime(f"{header.pixels / 1e6:.0f} MP would not finish in this invocation")
            result = pipeline.render(data, spec, proof_text=f"{ctx.stack.studio_name} · PROOF")
        del data
        timings.update(result.timings_ms)
    except PermanentError as error:
        return fail(ctx, job_id, source, spec, error, timings)
    stage = time.perf_counter()
    outputs = list(_UPLOADS.map(lambda r: _store(ctx, source["key"], job_id, r), result.renditions))
    timings["upload"] = _ms(stage)
    timings[metrics.TOTAL_STAGE] = _ms(started)
    logger.info("processed", extra={"timings_ms": {k: round(v, 1) for k, v in timings.items()},
                                    "megapixels": round(result.megapixels, 2)})
    finish(ctx, records.processed(job_id, source, spec, outputs, timings))
    record_processed(timings, result.megapixels)
    return "processed"


def _store(ctx: Context, source_key: str, job_id: str, rendition: pipeline.Rendition) -> dict:
    out_key = keys.rendition_key(source_key, job_id, rendition.name, rendition.extension)
    ctx.s3.put_object(Bucket=ctx.stack.processed_bucket, Key=out_key, Body=rendition.data,
                      ContentType=rendition.content_type, CacheControl="private, max-age=31536000, immutable")
    return {"name": rendition.name, "bucket": ctx.stack.processed_bucket, "key": out_key, "width": rendition.width,
            "height": rendition.height, "bytes": len(rendition.data), "format": rendition.format}


def fail(ctx: Context, job_id: str, source: dict, spec: dict, error: PermanentError, timings: dict) -> str:
    logger.warning("cannot process", extra={"reason": error.reason, "error": str(error)})
    finish(ctx, records.failed(job_id, source, spec, error.reason, str(error), timings))
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


def finish(ctx: Context, record: dict) -> None:
    ctx.s3.put_object(Bucket=ctx.stack.processed_bucket, Key=keys.job_record_key(record["source"]["key"], record["job_id"]),
                      Body=records.dumps(record).encode(), ContentType="application/json")
    publish(ctx, record)


def publish(ctx: Context, record: dict) -> None:
    ctx.sns.publish(TopicArn=ctx.stack.topic_arn, Message=records.dumps(record),
                    MessageAttributes={"type": {"DataType": "String", "StringValue": record["type"]}})


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


def preview(ctx: Context, request: dict) -> dict:
    """A sync invocation's answer: {"bucket", "key", "width", "height", "seconds"} of a preview
    JPEG in the processed bucket, or {"error": {"reason", "message"}}."""
    started = time.perf_counter()
    try:
        spec = edit_spec.parse(request.get("spec"))
        key = keys.check_source_key(ctx.stack.upload_prefix, request["key"])
    except (edit_spec.SpecError, keys.BadKey, KeyError) as error:
        return {"error": {"reason": "invalid_spec", "message": str(error)}}
    try:
        head = ctx.s3.head_object(Bucket=request["bucket"], Key=key)
    except ClientError as error:
        if is_missing(error):
            return {"error": {"reason": "missing", "message": f"no photo {key!r}"}}
        raise
    version = keys.job_version(head.get("VersionId"), head["ETag"])
    out_key = keys.preview_key(key, version, edit_spec.canonical_json(spec))
    try:
        kept = ctx.s3.head_object(Bucket=ctx.stack.processed_bucket, Key=out_key)["Metadata"]
        return {"bucket": ctx.stack.processed_bucket, "key": out_key, "width": int(kept["width"]),
                "height": int(kept["height"]), "seconds": round(time.perf_counter() - started, 3)}
    except ClientError as error:
        if not is_missing(error):
            raise
    if head["ContentLength"] > limits.MAX_SOURCE_BYTES:
        return {"error": {"reason": "too_large", "message": f"{head['ContentLength']:,} bytes is too large"}}
    pinned = {"VersionId": version} if head.get("VersionId") not in (None, "null") else {}
    data = ctx.s3.get_object(Bucket=request["bucket"], Key=key, **pinned)["Body"].read()
    try:
        with ctx.budget.admit(memory.estimate_bytes(pipeline.inspect(data), len(data))):
            made = pipeline.preview(data, spec)
    except PermanentError as error:
        return {"error": {"reason": error.reason, "message": str(error)}}
    ctx.s3.put_object(Bucket=ctx.stack.processed_bucket, Key=out_key, Body=made.data, ContentType="image/jpeg",
                      Metadata={"width": str(made.width), "height": str(made.height)})
    seconds = round(time.perf_counter() - started, 3)
    logger.info("preview", extra={"source_key": key, "seconds": seconds})
    return {"bucket": ctx.stack.processed_bucket, "key": out_key, "width": made.width, "height": made.height,
            "seconds": seconds}
