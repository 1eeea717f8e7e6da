"""boto3 clients for a stack: LocalStack's endpoint when there is one, path-style S3 so presigned
URLs name a host every party can reach (the browser, the web app and the Lambda).

Clients are made once per stack and service and shared: making one costs tens of milliseconds,
and boto3 clients are safe to use from several threads.
"""

from __future__ import annotations

import functools
import json

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from photo_jobs import keys
from photo_jobs.settings import Stack

MISSING = ("404", "NoSuchKey", "NotFound", "NoSuchVersion")


@functools.lru_cache(maxsize=32)
def _client(service: str, region: str, endpoint: str):
    # Checksums only where S3 requires them: TLS already guards the bytes in transit, and the
    # default CRC32 of every body costs both ends of every photo's transfers.
    config = Config(signature_version="s3v4", s3={"addressing_style": "path"},
                    retries={"max_attempts": 3, "mode": "standard"}, max_pool_connections=32,
                    request_checksum_calculation="when_required", response_checksum_validation="when_required")
    return boto3.session.Session().client(service, region_name=region, config=config,
                                          **({"endpoint_url": endpoint} if endpoint else {}))


def client(service: str, stack: Stack):
    return _client(service, stack.region, stack.localstack_endpoint)


def is_missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in MISSING


def read_parameter(stack: Stack, name: str) -> str | None:
    """An SSM parameter's value, or None while there is none."""
    try:
        return client("ssm", stack).get_parameter(Name=name)["Parameter"]["Value"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ParameterNotFound":
            return None
        raise


def read_secret(stack: Stack, secret_id: str) -> str:
    """A Secrets Manager secret's current string (its name or ARN)."""
    return client("secretsmanager", stack).get_secret_value(SecretId=secret_id)["SecretString"]


def read_job_record(s3, stack: Stack, source_key: str, job_id: str) -> dict | None:
    """The job's record in the processed bucket, or None while there is none."""
    try:
        body = s3.get_object(Bucket=stack.processed_bucket, Key=keys.job_record_key(source_key, job_id))["Body"]
    except ClientError as error:
        if is_missing(error):
            return None
        raise
    return json.loads(body.read())
