"""A job that fails for a reason other than the file itself is tried again, then kept in the
dead-letter queue: nothing is lost. The integration stack retries after 15 s (conftest.py)."""

import json
import time

import pytest

from support import wait_for

pytestmark = pytest.mark.integration


def test_a_job_that_keeps_failing_is_retried_then_kept_in_the_dead_letter_queue(stack):
    # The notification of a photo that is gone when the job runs: S3 answers 404, which the
    # handler cannot tell from a passing fault, so it retries.
    out, sqs, logs = stack.outputs, stack.aws("sqs"), stack.aws("logs")
    key = f"{out['upload_prefix']}retry/gone-{time.time_ns()}.jpg"
    body = json.dumps({"Records": [{"eventName": "ObjectCreated:Post",
                                    "s3": {"bucket": {"name": out["source_bucket"]}, "object": {"key": key}}}]})
    message_id = sqs.send_message(QueueUrl=out["queue_url"], MessageBody=body)["MessageId"]

    def parked_in_dlq():
        received = sqs.receive_message(QueueUrl=out["dlq_url"], MaxNumberOfMessages=10, WaitTimeSeconds=5)
        return next((m for m in received.get("Messages", []) if m["MessageId"] == message_id), None)

    parked = wait_for(parked_in_dlq, timeout=240, interval=0)
    sqs.delete_message(QueueUrl=out["dlq_url"], ReceiptHandle=parked["ReceiptHandle"])
    assert parked["Body"] == body  # kept whole, to be looked at and sent again

    tries = [e for e in logs.filter_log_events(logGroupName=out["log_group"], filterPattern=f'"{message_id}"')["events"]
             if "will retry" in e["message"]]
    assert len(tries) == 3  # max_receive_count
    assert stack.events(key) == []  # no result and no failure was announced for it
