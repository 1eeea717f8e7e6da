"""The Lambda handler in this process, fed SQS events as AWS shapes them (S3 notifications in
their bodies), against the local stack's S3 and SNS: partial batch failures, JSON logs carrying
the job, EMF metrics, dead letters recorded as jobs that gave up, and photos sent back to the
queue when the invocation runs out of time."""

import json
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote_plus

import pytest

from photo_jobs import keys
from photo_jobs.aws import client
from photo_jobs.settings import StackSource
from support import photo, wait_for

pytestmark = pytest.mark.integration


@dataclass
class LambdaContext:
    """What the Lambda runtime passes: the parts Powertools and the handler read."""

    function_name: str = "vividart-local-photo-processor"
    memory_limit_in_mb: int = 2048
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:vividart-local-photo-processor"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    function_version: str = "$LATEST"
    seconds_left: float = 60.0

    def get_remaining_time_in_millis(self) -> int:
        return int(self.seconds_left * 1000)


def s3_notification(bucket: str, key: str, version: str | None, etag: str, size: int) -> str:
    """The body S3 sends to SQS for one new object (AWS's event structure, version 2.1)."""
    obj = {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag, "sequencer": "0055AED6DCD90281E5"}
    if version:
        obj["versionId"] = version
    return json.dumps({"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
        "eventTime": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "eventName": "ObjectCreated:Put", "userIdentity": {"principalId": "AWS:AIDAEXAMPLE"},
        "requestParameters": {"sourceIPAddress": "127.0.0.1"},
        "responseElements": {"x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8"},
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "uploads",
               "bucket": {"name": bucket, "ownerIdentity": {"principalId": "A3NL1KOZZKExample"},
                          "arn": f"arn:aws:s3:::{bucket}"},
               "object": obj}}]})


def sqs_record(body: str, queue_arn: str, receive_count: int = 1) -> dict:
    """One record of the event an SQS event source mapping passes to the function."""
    now = str(int(time.time() * 1000))
    return {"messageId": str(uuid.uuid4()), "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
            "body": body, "attributes": {"ApproximateReceiveCount": str(receive_count), "SentTimestamp": now,
                                         "SenderId": "AIDAIENQZJOLO23YVJ4VO", "ApproximateFirstReceiveTimestamp": now},
            "messageAttributes": {}, "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3", "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn, "awsRegion": "us-east-1"}


@pytest.fixture
def handler(stack, monkeypatch, capsys):
    """The handler module, for the stack's resources, but for photos under a prefix of this
    test's own ("handler-test/"): the stack's deployed function leaves those alone."""
    import sys

    from photo_processor import handler as module
    from photo_processor.telemetry import logger

    class CurrentStdout:  # Powertools' handler keeps the stdout it found at import
        def write(self, text):
            return sys.stdout.write(text)

        def flush(self):
            sys.stdout.flush()

    monkeypatch.setattr(logger.registered_handler, "stream", CurrentStdout())
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "vividart-local-photo-processor")
    module.configure = lambda **settings: monkeypatch.setattr(module, "_stacks", StackSource(
        {f"VIVIDART_{k.upper()}": str(v) for k, v in {**stack.outputs, "upload_prefix": PREFIX, **settings}.items()}))
    module.configure()
    return module


PREFIX = "handler-test/"


def queue_arn(stack, url_key: str) -> str:
    return "arn:aws:sqs:us-east-1:000000000000:" + stack.outputs[url_key].rsplit("/", 1)[1]


def put_photo(stack, name: str, data: bytes) -> tuple[str, dict]:
    key = f"{PREFIX}{uuid.uuid4().hex[:8]}/{name}"
    put = stack.aws("s3").put_object(Bucket=stack.outputs["source_bucket"], Key=key, Body=data)
    return key, {"version": put["VersionId"], "etag": put["ETag"], "size": len(data)}


def notification(stack, key: str, put: dict) -> str:
    return s3_notification(stack.outputs["source_bucket"], key, put["version"], put["etag"], put["size"])


def record_of(stack, key: str, version: str) -> dict | None:
    s3 = stack.aws("s3")
    try:
        body = s3.get_object(Bucket=stack.outputs["processed_bucket"], Key=keys.job_record_key(key, keys.job_id(key, version)))
    except s3.exceptions.NoSuchKey:
        return None
    return json.loads(body["Body"].read())


@contextmanager
def requests_made(handler):
    """The AWS requests the handler's clients make meanwhile, as "<service>.<operation>"."""
    made, current = [], handler._stacks.current()

    def count(event_name, **_):  # before-call.<service>.<operation>, once per request the code makes
        made.append(event_name.split(".", 1)[1])

    clients = [client(service, current) for service in ("s3", "sns", "sqs")]
    for each in clients:
        each.meta.events.register("before-call", count, unique_id="requests-made")
    try:
        yield made
    finally:
        for each in clients:
            each.meta.events.unregister("before-call", unique_id="requests-made")


@contextmanager
def published(stack):
    """The messages published to the events topic meanwhile (a queue subscribed to it), by job id."""
    sqs, sns = stack.aws("sqs"), stack.aws("sns")
    queue = sqs.create_queue(QueueName=f"handler-test-events-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    subscription = sns.subscribe(TopicArn=stack.outputs["topic_arn"], Protocol="sqs", Endpoint=arn,
                                 Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
    seen: dict[str, list[dict]] = {}

    def by_job(job_id: str, count: int) -> list[dict]:
        def enough():
            for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", []):
                record = json.loads(message["Body"])
                seen.setdefault(record["job_id"], []).append(record)
            return len(seen.get(job_id, [])) >= count
        wait_for(enough, timeout=20)
        return seen[job_id]

    try:
        yield by_job
    finally:
        sns.unsubscribe(SubscriptionArn=subscription)
        sqs.delete_queue(QueueUrl=queue)


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_a_batch_reports_only_its_passing_failure_and_logs_and_measures_each_job(stack, handler, capsys):
    good_key, good = put_photo(stack, "good one.jpg", photo(300, 200, seed=41))
    bad_key, bad = put_photo(stack, "notes.jpg", b"not a photo at all")
    gone_key = f"{PREFIX}{uuid.uuid4().hex[:8]}/gone.jpg"
    jobs_arn = queue_arn(stack, "queue_url")
    records = [sqs_record(notification(stack, good_key, good), jobs_arn),
               sqs_record(notification(stack, bad_key, bad), jobs_arn),
               sqs_record(s3_notification(stack.outputs["source_bucket"], gone_key, None, '"0"', 10), jobs_arn)]

    response = handler.lambda_handler({"Records": records}, LambdaContext())

    # only the photo that is not there (yet) comes back; the bad file failed for good
    assert response == {"batchItemFailures": [{"itemIdentifier": records[2]["messageId"]}]}
    done = record_of(stack, good_key, good["version"])
    assert done["type"] == "processed" and done["source"]["version"] == good["version"]
    assert record_of(stack, bad_key, bad["version"])["error"]["reason"] == "unsupported"

    logged = lines(capsys.readouterr().out)
    processed = [line for line in logged if line.get("message") == "processed"]
    assert processed[0]["job_id"] == done["job_id"] and processed[0]["source_key"] == good_key
    assert processed[0]["service"] == "photo-processor" and "cold_start" in processed[0]
    assert any(line.get("message") == "message failed, will retry" and line["message_id"] == records[2]["messageId"]
               for line in logged)
    emf = [line for line in logged if "_aws" in line]
    dimensions = {tuple(d) for line in emf for m in line["_aws"]["CloudWatchMetrics"] for d in m["Dimensions"]}
    assert dimensions == {("FunctionName",), ("FunctionName", "Reason")}
    assert any(line.get("Reason") == "unsupported" for line in emf)
    assert any("processed" in line and "decode_ms" in line for line in emf)


def test_a_dead_letter_is_recorded_and_announced_as_a_job_that_gave_up(stack, handler, capsys):
    dlq_arn, jobs_arn = queue_arn(stack, "dlq_url"), queue_arn(stack, "queue_url")
    # a job whose last try got through after all: its dead letter changes nothing
    done_key, done = put_photo(stack, "got through.jpg", photo(200, 150, seed=42))
    handler.lambda_handler({"Records": [sqs_record(notification(stack, done_key, done), jobs_arn)]}, LambdaContext())
    handler.lambda_handler({"Records": [sqs_record(notification(stack, done_key, done), dlq_arn)]}, LambdaContext())
    assert record_of(stack, done_key, done["version"])["type"] == "processed"

    # a job whose every try failed: recorded as failed, gave_up, and published like any failure
    key, put = put_photo(stack, "kept failing.jpg", photo(200, 150, seed=43))
    response = handler.lambda_handler({"Records": [sqs_record(notification(stack, key, put), dlq_arn)]}, LambdaContext())
    assert response == {"batchItemFailures": []}
    gave_up = record_of(stack, key, put["version"])
    assert gave_up["type"] == "failed" and gave_up["error"]["reason"] == "gave_up"
    assert "retried" in gave_up["error"]["message"]
    assert any(line.get("Reason") == "gave_up" for line in lines(capsys.readouterr().out) if "_aws" in line)

    # and a retry (its event again) runs the same job anew
    handler.lambda_handler({"Records": [sqs_record(notification(stack, key, put), jobs_arn)]}, LambdaContext())
    assert record_of(stack, key, put["version"])["type"] == "processed"


def test_a_photo_that_would_outlast_the_invocation_goes_back_to_the_queue_as_a_new_message(stack, handler, capsys):
    sqs = stack.aws("sqs")
    spare_queue = sqs.create_queue(QueueName=f"handler-test-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    handler.configure(queue_url=spare_queue)
    photos = [put_photo(stack, f"late {n}.jpg", photo(4000, 3000, seed=44 + n)) for n in range(2)]  # 12 MP each
    bodies = [notification(stack, key, put) for key, put in photos]

    # 6 s left: the first render always starts; after it, the second would eat into the 5 s
    # kept for storing what finished, so it goes back to the queue
    response = handler.lambda_handler({"Records": [sqs_record(body, queue_arn(stack, "queue_url")) for body in bodies]},
                                      LambdaContext(seconds_left=6.0))

    assert response == {"batchItemFailures": []}  # not a failure: nothing counts towards the dead letters
    assert any(line.get("message") == "sent back to the queue" for line in lines(capsys.readouterr().out))
    [again] = sqs.receive_message(QueueUrl=spare_queue, WaitTimeSeconds=5, AttributeNames=["All"])["Messages"]
    assert again["Body"] in bodies and again["Attributes"]["ApproximateReceiveCount"] == "1"
    done = [record_of(stack, key, put["version"]) for key, put in photos]
    assert sorted(str(r and r["type"]) for r in done) == ["None", "processed"]  # one rendered, one sent back
    sqs.delete_queue(QueueUrl=spare_queue)


def test_a_job_reads_its_photo_once_and_writes_each_result_once(stack, handler):
    # one GET gives the version, the spec, the rights and the bytes; no HEAD before it and no read
    # of the job's record: a repeat is told by the conditional writes (the next test)
    key, put = put_photo(stack, "counted.jpg", photo(300, 200, seed=46))
    with requests_made(handler) as made:
        response = handler.lambda_handler({"Records": [sqs_record(notification(stack, key, put), queue_arn(stack, "queue_url"))]},
                                          LambdaContext())
    assert response == {"batchItemFailures": []}
    record = record_of(stack, key, put["version"])
    assert record["type"] == "processed" and len(record["outputs"]) == 7
    assert sorted(made) == ["s3.GetObject"] + ["s3.PutObject"] * 8 + ["sns.Publish"]


def test_a_repeated_event_says_the_result_again_and_rewrites_nothing(stack, handler, capsys):
    s3, jobs_arn = stack.aws("s3"), queue_arn(stack, "queue_url")
    key, put = put_photo(stack, "repeated.jpg", photo(300, 200, seed=47))
    body = notification(stack, key, put)
    with published(stack) as events:
        handler.lambda_handler({"Records": [sqs_record(body, jobs_arn)]}, LambdaContext())
        first = record_of(stack, key, put["version"])
        # a file of the result changed behind the job's back: a repeat must leave it as it is
        thumb = next(o for o in first["outputs"] if o["name"] == "thumb")
        s3.put_object(Bucket=thumb["bucket"], Key=thumb["key"], Body=b"as it was")
        capsys.readouterr()

        handler.lambda_handler({"Records": [sqs_record(body, jobs_arn)]}, LambdaContext())

        assert events(first["job_id"], 2) == [first, first]  # said again, the same document
    assert record_of(stack, key, put["version"]) == first
    assert s3.get_object(Bucket=thumb["bucket"], Key=thumb["key"])["Body"].read() == b"as it was"
    assert any(line.get("message") == "already done" for line in lines(capsys.readouterr().out))


def test_what_a_broken_try_left_is_replaced_by_the_next(stack, handler):
    # a try that stored a rendition and died before its record: the next try writes over it
    s3 = stack.aws("s3")
    key, put = put_photo(stack, "broken try.jpg", photo(300, 200, seed=48))
    job_id = keys.job_id(key, put["version"])
    s3.put_object(Bucket=stack.outputs["processed_bucket"], Key=keys.rendition_key(key, job_id, "full", "jpg"),
                  Body=b"half of a try")

    handler.lambda_handler({"Records": [sqs_record(notification(stack, key, put), queue_arn(stack, "queue_url"))]},
                           LambdaContext())

    record = record_of(stack, key, put["version"])
    full = next(o for o in record["outputs"] if o["name"] == "full")
    assert record["type"] == "processed" and full["key"] == keys.rendition_key(key, job_id, "full", "jpg")
    assert s3.get_object(Bucket=full["bucket"], Key=full["key"])["Body"].read()[:2] == b"\xff\xd8"  # a JPEG now
