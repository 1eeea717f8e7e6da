"""The processor (the Lambda function), asked directly for a preview: the same pipeline as its
jobs, one photo version with a spec, the result kept in the processed bucket. The request and its
reply are photo_jobs.previews'."""

from __future__ import annotations

import json

from photo_jobs import archives, previews


class ProcessorError(Exception):
    """The function itself failed (not the photo): its message."""


def preview(lambda_client, function_name: str, request: previews.Request) -> previews.Reply:
    answer = lambda_client.invoke(FunctionName=function_name, Payload=request.dumps().encode())
    payload = json.loads(answer["Payload"].read() or b"{}")
    if answer.get("FunctionError"):
        raise ProcessorError(payload.get("errorMessage", "unknown error"))
    return previews.Reply.of(payload)


def build_archive(lambda_client, function_name: str, bucket: str, request_key: str) -> None:
    """Ask the archiver to build an archive (its request is in S3: a big gallery's is larger than an
    asynchronous invocation may carry), without waiting for it."""
    lambda_client.invoke(FunctionName=function_name, InvocationType="Event", Payload=json.dumps(
        {"action": archives.ACTION, "request_bucket": bucket, "request_key": request_key}).encode())
