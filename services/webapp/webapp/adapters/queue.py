"""The jobs queue (SQS), for a redrive: a photo's notification sent again."""

from __future__ import annotations

from photo_jobs import notifications


def redrive(sqs, queue_url: str, bucket: str, key: str, version: str | None) -> None:
    sqs.send_message(QueueUrl=queue_url, MessageBody=notifications.object_created(bucket, key, version))
