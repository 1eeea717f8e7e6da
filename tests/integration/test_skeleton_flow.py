"""The walking skeleton on the embedded stack: S3 -> SQS -> Lambda (the handler as a process
behind the project's executor) -> S3 + SNS -> web app -> live event."""

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import requests
from PIL import Image

from photo_jobs import keys, notifications
from support import photo, wait_for

pytestmark = pytest.mark.integration


def test_upload_is_processed_and_announced_live_without_urls(stack):
    name = "Ünïcode + plus #hash & space.jpg"
    shoot = stack.shoot()
    with stack.listening(shoot["id"]) as events:
        key = stack.upload(photo(320, 240, orientation=6, seed=11), name)
        assert key.startswith(f"uploads/{shoot['id']}/") and key.endswith("/" + name)
        status = stack.studio.wait(key, timeout=30)
        assert status["status"] == "processed" and status["error"] is None
        full = next(o for o in status["outputs"] if o["name"] == "full")
        assert (full["width"], full["height"]) == (240, 320)  # upright
        image = Image.open(io.BytesIO(stack.download(key)))
        assert (image.format, image.size) == ("JPEG", (240, 320))
        # the web app got the SNS event over HTTP, signature checked, and told the shoot's pages
        events.wait_for(lambda kind, data: kind == "photo" and data["key"] == key and data["status"] != "processing")
    [event] = events.jobs(key)
    assert event["status"] == "processed" and event["job_id"] == status["job_id"]
    assert "http" not in json.dumps(event)  # no URLs in events


def test_a_folder_synced_into_a_shoot_belongs_to_it(stack):
    s3, out = stack.aws("s3"), stack.outputs
    shoot = stack.shoot("Synced by the studio's own tooling")
    for n in range(2):
        s3.put_object(Bucket=out["source_bucket"], Key=f"{out['upload_prefix']}{shoot['id']}/day 1/IMG_{n:04d}.jpg",
                      Body=photo(200, 100, seed=60 + n))

    def both_processed():
        photos = list(stack.studio.photos(shoot["id"]))
        return photos if [p["status"] for p in photos] == ["processed", "processed"] else None

    listed = wait_for(both_processed, timeout=60)
    assert sorted(p["path"] for p in listed) == ["day 1/IMG_0000.jpg", "day 1/IMG_0001.jpg"]
    counts = next(s for s in stack.studio.shoots() if s["id"] == shoot["id"])["counts"]
    assert counts == {"photos": 2, "processed": 2, "failed": 0, "processing": 0}


def test_any_other_key_under_the_prefix_is_unsorted_and_its_job_answers(stack):
    s3, out = stack.aws("s3"), stack.outputs
    stray = f"{out['upload_prefix']}not-a-shoot/put object.jpg"
    loose = f"{out['upload_prefix']}loose {time.time_ns()}.jpg"
    for key in (stray, loose):
        s3.put_object(Bucket=out["source_bucket"], Key=key, Body=photo(200, 100, seed=12))
    for key in (stray, loose):
        assert stack.studio.wait(key, timeout=30)["status"] == "processed"
    unsorted = stack.studio.shoot("unsorted")
    assert unsorted["name"] == "Unsorted" and {stray, loose} <= {p["key"] for p in stack.studio.photos("unsorted")}
    assert any(s["id"] == "unsorted" for s in stack.studio.shoots())


def test_a_photo_whose_event_was_lost_is_settled_from_its_record_at_the_next_tick(stack):
    """No page waits forever: the processed event of a photo never reached the web app (an HTTP
    delivery refused or timed out); the schedule's tick reads its record from S3 and the row (and
    every open page) hears what it says."""
    key = stack.upload(photo(seed=15), "event lost.jpg")
    done = stack.studio.wait(key, timeout=30)
    with psycopg.connect(stack.web_env["VIVIDART_WEB_DATABASE_URL"]) as conn:  # as if the event never came
        conn.execute("UPDATE photos SET status = 'processing', outputs = '[]', shown_job_id = NULL, "
                     "updated_at = now() - interval '10 minutes' WHERE key = %s", (key,))
    assert stack.studio.job(key)["status"] == "processing"
    with stack.listening(key.split("/")[1]) as heard:
        ticked = stack.aws("lambda").invoke(FunctionName=stack.outputs["ticks_name"], Payload=b"{}")
        assert "FunctionError" not in ticked
        settled = wait_for(lambda: (job := stack.studio.job(key))["status"] == "processed" and job, timeout=60)
        heard.wait_for(lambda kind, data: data.get("key") == key and data.get("status") == "processed", timeout=30)
    assert settled["job_id"] == done["job_id"] and {o["name"] for o in settled["outputs"]} == {o["name"] for o in done["outputs"]}


def test_the_photos_rows_are_rebuilt_from_the_job_records(stack):
    """The rows are a projection; S3's job records are the source of truth: a row that differs from
    them is found by `vividart-admin photos rebuild` and repaired by its --repair."""
    s3, out = stack.aws("s3"), stack.outputs
    key = stack.upload(photo(seed=13), "record.jpg")
    done = stack.studio.wait(key, timeout=30)
    version = s3.head_object(Bucket=out["source_bucket"], Key=key)["VersionId"]
    assert done["status"] == "processed" and done["job_id"] == keys.job_id(key, version)
    s3.delete_object(Bucket=out["processed_bucket"], Key=keys.job_record_key(key, done["job_id"]))
    assert stack.studio.job(key)["status"] == "processed"  # the row, until the rebuild

    def rebuild(*flags: str) -> tuple[int, dict]:
        env = {**os.environ, **stack.web_env, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
        run = subprocess.run([str(Path(sys.executable).parent / "vividart-admin"), "photos", "rebuild", *flags],
                             env=env, capture_output=True, text=True, timeout=300)
        return run.returncode, json.loads(run.stdout)

    status, found = rebuild()
    assert status == 1 and key in found["changed"] and not found["repaired"]
    assert stack.studio.job(key)["status"] == "processed"  # a look, no change
    status, found = rebuild("--repair")
    assert status == 0 and key in found["changed"]
    assert stack.studio.job(key) == {"key": key, "job_id": done["job_id"], "status": "processing", "error": None,
                                     "outputs": []}
    assert key not in rebuild()[1]["changed"]  # repaired: nothing left to tell
    missing = requests.get(f"{stack.web_url}/api/jobs/uploads/no such photo.jpg",
                           headers={"Authorization": f"Bearer {stack.staff['api_token']}"})
    assert missing.status_code == 404


def test_unreadable_file_fails_once_with_a_reason(stack):
    key = stack.upload(b"this is a text file, not a photo", "notes.jpg", content_type="image/jpeg")
    status = stack.studio.wait(key, timeout=30)
    assert status["status"] == "failed" and status["error"]["reason"] == "unsupported"
    assert "not an image" in status["error"]["message"]
    dlq = stack.aws("sqs").get_queue_attributes(QueueUrl=stack.outputs["dlq_url"],
                                                AttributeNames=["ApproximateNumberOfMessages"])
    assert dlq["Attributes"]["ApproximateNumberOfMessages"] == "0"


def test_a_duplicate_event_reuses_the_finished_result(stack):
    s3, sqs, out = stack.aws("s3"), stack.aws("sqs"), stack.outputs
    key = stack.upload(photo(seed=14), "twice.jpg")
    first = stack.studio.wait(key, timeout=30)
    job_key = keys.job_record_key(key, first["job_id"])
    record = s3.get_object(Bucket=out["processed_bucket"], Key=job_key)["Body"].read()
    head = s3.head_object(Bucket=out["source_bucket"], Key=key)
    duplicate = notifications.object_created(out["source_bucket"], key, head["VersionId"], "ObjectCreated:Put")
    sqs.send_message(QueueUrl=out["queue_url"], MessageBody=duplicate)

    def drained():
        attributes = sqs.get_queue_attributes(QueueUrl=out["queue_url"], AttributeNames=["All"])["Attributes"]
        return attributes["ApproximateNumberOfMessagesNotVisible"] == "0" and attributes["ApproximateNumberOfMessages"] == "0"

    wait_for(drained)
    time.sleep(1)
    assert s3.get_object(Bucket=out["processed_bucket"], Key=job_key)["Body"].read() == record
    renditions = s3.list_objects_v2(Bucket=out["processed_bucket"], Prefix=f"renditions/{key}/")
    assert sorted(o["Key"] for o in renditions["Contents"]) == sorted(
        keys.rendition_key(key, first["job_id"], o["name"], "webp" if o["name"].endswith("webp") else "jpg")
        for o in first["outputs"])


def test_processor_logs_reach_cloudwatch_as_json_with_the_job(stack):
    key = stack.upload(photo(seed=15), "logged.jpg")
    job_id = stack.studio.wait(key, timeout=30)["job_id"]
    logs = stack.aws("logs")

    def find():  # one JSON object per line; LocalStack's filter is looser than AWS's, so check it here
        events = logs.filter_log_events(logGroupName=stack.outputs["log_group"], filterPattern=f'"{job_id}"')["events"]
        lines = [json.loads(e["message"]) for e in events if e["message"].lstrip().startswith("{")]
        return next((line for line in lines if line.get("job_id") == job_id and line.get("message") == "processed"), None)

    processed = wait_for(find, timeout=20)
    assert processed["source_key"] == key and processed["level"] == "INFO" and "decode" in processed["timings_ms"]


def test_plan_right_after_up_reports_no_changes(stack):
    plan = stack.script("deploy.sh", "plan", check=False)
    assert plan.returncode == 0, plan.stdout[-3000:] + plan.stderr[-3000:]
