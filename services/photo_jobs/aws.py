"""boto3 clients for a stack: LocalStack's endpoint when there is one, path-style S3 so presigned
URLs name a host every party can reach (the browser, the web app and the Lambda)."""

from __future__ import annotations

import json

import boto3
from botocore.config import Config

from photo_jobs import keys
from photo_jobs.settings import Stack


def client(service: str, stack: Stack):
    extra = {}
    if stack.localstack_endpoint:
        extra["endpoint_url"] = stack.localstack_endpoint
    config = Config(signature_version="s3v4", s3={"addressing_style": "path"},
                    retries={"max_attempts": 3, "mode": "standard"})
    return boto3.client(service, region_name=stack.region, config=config, **extra)


def read_job_record(s3, stack: Stack, source_key: str, job_id: str) -> dict | None:
    """The job's record in the processed bucket, or None while there is none."""
    try:
        body = s3.get_object(Bucket=stack.processed_bucket, Key=keys.job_record_key(source_key, job_id))["Body"]
    except s3.exceptions.NoSuchKey:
        return None
    return json.loads(body.read())
