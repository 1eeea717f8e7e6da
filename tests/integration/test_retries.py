"""A job that fails for a reason other than the file itself is tried again after a short backoff,
then dead-lettered, and the dead letter is recorded as a job that gave up: no page waits forever,
and the photo can be tried again later without a new upload."""

import json
import time
from datetime import UTC, datetime

import pytest

from photo_jobs import keys, notifications
from support import photo, wait_for

pytestmark = pytest.mark.integration


def log_lines(stack, pattern: str) -> list[tuple[datetime, dict]]:
    events = stack.aws("logs").filter_log_events(logGroupName=stack.outputs["log_group"], filterPattern=f'"{pattern}"')
    found = []
    for event in events["events"]:
        if event["message"].lstrip().startswith("{"):
            found.append((datetime.fromtimestamp(event["timestamp"] / 1000, UTC), json.loads(event["message"])))
    return found


def test_a_job_that_keeps_failing_is_retried_soon_then_given_up(stack):
    # The notification of a photo that is not there: S3 answers 404, which the handler cannot
    # tell from a passing fault (no version was named), so it retries.
    out, sqs = stack.outputs, stack.aws("sqs")
    key = f"{out['upload_prefix']}retry/gone-{time.time_ns()}.jpg"
    body = notifications.object_created(out["source_bucket"], key, None, "ObjectCreated:Post")
    message_id = sqs.send_message(QueueUrl=out["queue_url"], MessageBody=body)["MessageId"]

    # its tries, then the dead-letter queue's: minutes on a loaded machine
    given_up = wait_for(lambda: [line for _, line in log_lines(stack, key)
                                 if line.get("message") == "gave up on a photo that is gone"], timeout=300)
    assert given_up[0]["source_key"] == key
    tries = sorted(at for at, line in log_lines(stack, message_id) if line.get("message") == "message failed, will retry")
    assert len(tries) == 3  # max_receive_count
    gaps = [(b - a).total_seconds() for a, b in zip(tries, tries[1:])]
    assert gaps[0] >= 4 and gaps[1] >= 9  # the handler's backoff: 5 s, then 10 s (not the queue's minutes)
    assert gaps[1] < 60


def test_a_photo_whose_tries_all_failed_is_recorded_then_retried_without_a_new_upload(stack):
    """With processing stopped, a photo's message is moved to the dead-letter queue by hand (as
    SQS would after the last try): the page learns it gave up; a retry processes it."""
    out, sqs, lam = stack.outputs, stack.aws("sqs"), stack.aws("lambda")
    mapping = next(m for m in lam.list_event_source_mappings(FunctionName=out["function_name"])["EventSourceMappings"]
                   if m["EventSourceArn"].endswith(out["queue_url"].rsplit("/", 1)[1]))
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
    try:
        wait_for(lambda: lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Disabled", timeout=30)
        shoot = stack.shoot()
        with stack.listening(shoot["id"]) as events:
            key = stack.upload(photo(seed=70), "kept failing.jpg")
            received = wait_for(lambda: sqs.receive_message(QueueUrl=out["queue_url"], WaitTimeSeconds=2)
                                .get("Messages"), timeout=30)
            for message in received:
                sqs.send_message(QueueUrl=out["dlq_url"], MessageBody=message["Body"])
                sqs.delete_message(QueueUrl=out["queue_url"], ReceiptHandle=message["ReceiptHandle"])
            status = stack.studio.wait(key, timeout=60)
            assert status["status"] == "failed" and status["error"]["reason"] == "gave_up"
            events.wait_for(lambda kind, data: data.get("key") == key and data["status"] == "failed")
    finally:
        lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    wait_for(lambda: lam.get_event_source_mapping(UUID=mapping["UUID"])["State"] == "Enabled", timeout=30)
    stack.studio.retry(shoot["id"], key.split("/", 2)[2])
    done = stack.studio.wait(key, timeout=60)
    assert done["status"] == "processed" and done["job_id"] == status["job_id"]  # the same job, run anew
    version = stack.aws("s3").head_object(Bucket=out["source_bucket"], Key=key)["VersionId"]
    assert done["job_id"] == keys.job_id(key, version)  # no new upload, no new version
