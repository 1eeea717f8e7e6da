"""The Lambda handler: SQS batch of S3 events in; renditions, a job record and an SNS event out.

Thin adapter around `pipeline.render`. Permanent failures (the file itself is bad) are recorded
and published once and not retried; anything else fails the SQS message so it is retried, then
lands in the dead-letter queue. The source object is only ever read.
"""

from __future__ import annotations

import json
import logging
import os
import time
from urllib.parse import unquote_plus

from photo_jobs import keys, limits, records, spec as edit_spec
from photo_jobs.aws import client, read_job_record
from photo_jobs.settings import StackSource

from photo_processor import metrics
from photo_processor.pipeline import PermanentError, render

LOG = logging.getLogger("photo_processor")
LOG.setLevel(os.environ.get("LOG_LEVEL", "INFO"))
PRESIGNED_URL_SECONDS = 3600


def lambda_handler(event, context):
    stack = StackSource().current()
    s3, sns = client("s3", stack), client("sns", stack)
    failures = []
    for message in event.get("Records", []):
        try:
            for bucket, key in s3_objects(message["body"]):
                if key.startswith(stack.upload_prefix):
                    process(s3, sns, stack, bucket, key)
        except Exception:
            LOG.exception(json.dumps({"msg": "message failed, will retry", "message_id": message.get("messageId")}))
            failures.append({"itemIdentifier": message["messageId"]})
    return {"batchItemFailures": failures}


def s3_objects(body: str):
    """(bucket, key) for each ObjectCreated record in an S3 notification body."""
    notification = json.loads(body)
    for record in notification.get("Records", []):  # s3:TestEvent has none
        if not record.get("eventName", "").startswith("ObjectCreated"):
            continue
        yield record["s3"]["bucket"]["name"], unquote_plus(record["s3"]["object"]["key"])


def process(s3, sns, stack, bucket: str, key: str) -> None:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    head = s3.head_object(Bucket=bucket, Key=key)  # the object as it is now names the job
    etag = head["ETag"].strip('"')
    source = {"bucket": bucket, "key": key, "etag": etag}
    raw_spec = head.get("Metadata", {}).get(edit_spec.METADATA_KEY)
    spec, job_id, spec_error = edit_spec.resolve(raw_spec, etag)
    log = {"job_id": job_id, "source_key": key}
    existing = read_job_record(s3, stack, key, job_id)
    if existing is not None:  # a duplicate event: the result exists, say so again
        LOG.info(json.dumps({**log, "msg": "already done", "status": existing["type"]}))
        return publish(s3, sns, stack, existing)
    if spec_error:
        metrics.failure("invalid_spec")
        return finish(s3, sns, stack, key, job_id,
                      records.failed(job_id, source, {"raw": raw_spec}, "invalid_spec", spec_error, timings))

    try:
        if head["ContentLength"] > limits.MAX_SOURCE_BYTES:  # refused before downloading it
            raise PermanentError("too_large", f"{head['ContentLength']:,} bytes is more than {limits.MAX_SOURCE_BYTES:,}")
        source_bytes = s3.get_object(Bucket=bucket, Key=key, IfMatch=head["ETag"])["Body"].read()
        timings["download"] = _ms(started)
        result = render(source_bytes, spec)
        timings.update(result.timings_ms)
        renditions = result.renditions
    except PermanentError as error:
        LOG.warning(json.dumps({**log, "msg": "cannot process", "reason": error.reason, "error": str(error)}))
        metrics.failure(error.reason)
        return finish(s3, sns, stack, key, job_id,
                      records.failed(job_id, source, spec, error.reason, str(error), timings))
    stage = time.perf_counter()
    outputs = []
    for rendition in renditions:
        out_key = keys.rendition_key(key, job_id, rendition.name, rendition.extension)
        s3.put_object(Bucket=stack.processed_bucket, Key=out_key, Body=rendition.data,
                      ContentType=rendition.content_type)
        outputs.append({
            "name": rendition.name, "bucket": stack.processed_bucket, "key": out_key,
            "width": rendition.width, "height": rendition.height, "bytes": len(rendition.data),
            "format": rendition.format,
        })
    timings["upload"] = _ms(stage)
    timings["total"] = _ms(started)
    LOG.info(json.dumps({**log, "msg": "processed", "timings_ms": timings}))
    metrics.processed(timings, result.megapixels)
    finish(s3, sns, stack, key, job_id, records.processed(job_id, source, spec, outputs, timings))


def finish(s3, sns, stack, key: str, job_id: str, record: dict) -> None:
    s3.put_object(Bucket=stack.processed_bucket, Key=keys.job_record_key(key, job_id),
                  Body=records.dumps(record).encode(), ContentType="application/json")
    publish(s3, sns, stack, record)


def publish(s3, sns, stack, record: dict) -> None:
    """The event carries a presigned URL per output, fresh at publish time."""
    event = dict(record, outputs=[
        dict(o, url=s3.generate_presigned_url("get_object", Params={"Bucket": o["bucket"], "Key": o["key"]},
                                              ExpiresIn=PRESIGNED_URL_SECONDS))
        for o in record["outputs"]
    ])
    sns.publish(TopicArn=stack.topic_arn, Message=records.dumps(event),
                MessageAttributes={"type": {"DataType": "String", "StringValue": record["type"]}})


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000
