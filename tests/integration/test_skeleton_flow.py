"""The walking skeleton on the embedded stack: S3 -> SQS -> Lambda (the handler as a process
behind the project's executor) -> S3 + SNS -> web app."""

import io
import json
import time

import pytest
import requests
from PIL import Image

from photo_jobs import keys
from support import photo, wait_for

pytestmark = pytest.mark.integration


def test_upload_by_presigned_post_is_processed_and_announced(stack):
    name = "Ünïcode + plus #hash & space.jpg"
    key = stack.web.upload(photo(320, 240, orientation=6, seed=11), name)
    assert key.endswith("/" + name)
    status = stack.web.wait(key, timeout=30)
    assert status["status"] == "processed" and status["error"] is None
    full = next(o for o in status["outputs"] if o["name"] == "full")
    assert (full["width"], full["height"]) == (240, 320)  # upright
    assert full["bucket"] == stack.outputs["processed_bucket"]
    image = Image.open(io.BytesIO(stack.web.download(key)))
    assert (image.format, image.size) == ("JPEG", (240, 320))
    # the web app got the SNS event over HTTP, signature checked
    events = wait_for(lambda: stack.events(key, settle=0))
    assert events[0]["type"] == "processed" and events[0]["outputs"][0]["url"].startswith("http://127.0.0.1:")


def test_object_put_straight_into_the_bucket_is_processed(stack):
    s3, out = stack.aws("s3"), stack.outputs
    key = out["upload_prefix"] + "direct/put object.jpg"
    s3.put_object(Bucket=out["source_bucket"], Key=key, Body=photo(200, 100, seed=12))
    assert stack.web.wait(key, timeout=30)["status"] == "processed"


def test_status_comes_from_s3_processing_until_a_result_exists(stack):
    s3, out = stack.aws("s3"), stack.outputs
    key = "not-watched/photo.jpg"  # outside the upload prefix: no event, so never processed
    s3.put_object(Bucket=out["source_bucket"], Key=key, Body=photo(seed=13))
    assert stack.web.job(key) == {"status": "processing", "outputs": [], "error": None,
                                  "key": key, "job_id": stack.web.job(key)["job_id"]}
    missing = requests.get(stack.web.job_url("uploads/no such photo.jpg"))
    assert missing.status_code == 404


def test_unreadable_file_fails_once_with_a_reason(stack):
    key = stack.web.upload(b"this is a text file, not a photo", "notes.jpg", content_type="image/jpeg")
    status = stack.web.wait(key, timeout=30)
    assert status["status"] == "failed" and "not an image" in status["error"]
    dlq = stack.aws("sqs").get_queue_attributes(QueueUrl=stack.outputs["dlq_url"],
                                                AttributeNames=["ApproximateNumberOfMessages"])
    assert dlq["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_a_duplicate_event_reuses_the_finished_result(stack):
    s3, sqs, out = stack.aws("s3"), stack.aws("sqs"), stack.outputs
    key = stack.web.upload(photo(seed=14), "twice.jpg")
    first = stack.web.wait(key, timeout=30)
    job_key = keys.job_record_key(key, first["job_id"])
    record = s3.get_object(Bucket=out["processed_bucket"], Key=job_key)["Body"].read()
    etag = s3.head_object(Bucket=out["source_bucket"], Key=key)["ETag"].strip('"')
    duplicate = {"Records": [{"eventName": "ObjectCreated:Post", "s3": {
        "bucket": {"name": out["source_bucket"]}, "object": {"key": key.replace(" ", "+"), "eTag": etag}}}]}
    sqs.send_message(QueueUrl=out["queue_url"], MessageBody=json.dumps(duplicate))
    wait_for(lambda: sqs.get_queue_attributes(QueueUrl=out["queue_url"], AttributeNames=["All"])["Attributes"]
             ["ApproximateNumberOfMessagesNotVisible"] == "0"
             and sqs.get_queue_attributes(QueueUrl=out["queue_url"], AttributeNames=["All"])["Attributes"]
             ["ApproximateNumberOfMessages"] == "0")
    time.sleep(1)
    assert s3.get_object(Bucket=out["processed_bucket"], Key=job_key)["Body"].read() == record
    renditions = s3.list_objects_v2(Bucket=out["processed_bucket"], Prefix=f"renditions/{key}/")
    assert sorted(o["Key"] for o in renditions["Contents"]) == sorted(o["key"] for o in first["outputs"])


def test_processor_logs_reach_cloudwatch_with_the_job_id(stack):
    key = stack.web.upload(photo(seed=15), "logged.jpg")
    job_id = stack.web.wait(key, timeout=30)["job_id"]
    logs = stack.aws("logs")

    def find():
        found = logs.filter_log_events(logGroupName=stack.outputs["log_group"], filterPattern=job_id)
        return found["events"]

    events = wait_for(find, timeout=20)
    assert any(json.loads(e["message"].split("\t")[-1]).get("msg") == "processed" for e in events
               if e["message"].rstrip().endswith("}"))


def test_plan_right_after_up_reports_no_changes(stack):
    plan = stack.script("deploy.sh", "plan", check=False)
    assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-3000:]
