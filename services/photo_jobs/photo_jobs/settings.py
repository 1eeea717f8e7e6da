"""Where the stack is: names of buckets, queue and topic, and the AWS endpoint.

Terraform's outputs are the single source of truth. Processes get them as environment variables
(VIVIDART_<OUTPUT NAME>) or, for the local web app that starts before the first deploy, from the
outputs JSON file named by VIVIDART_STACK_FILE, re-read whenever it changes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields
from pathlib import Path


@dataclass(frozen=True)
class Stack:
    region: str = "us-east-1"
    source_bucket: str = ""
    processed_bucket: str = ""
    upload_prefix: str = "uploads/"
    topic_arn: str = ""
    queue_url: str = ""
    dlq_url: str = ""
    function_name: str = ""
    studio_name: str = "VividArt Studio"
    studio_email: str = "studio@vividart.local"  # where clients' selections are emailed (SES)
    localstack_endpoint: str = ""  # empty on AWS: the SDK's own endpoints are used
    web_url: str = ""

    @property
    def deployed(self) -> bool:
        return bool(self.source_bucket and self.processed_bucket)


def _from_mapping(values: dict) -> dict:
    names = {f.name for f in fields(Stack)}
    return {k: str(v) for k, v in values.items() if k in names and v is not None}


class StackSource:
    """Reads the stack from a file (if named) overlaid with the environment; cheap to call often."""

    def __init__(self, environ: dict | None = None) -> None:
        self._environ = os.environ if environ is None else environ
        self._file = self._environ.get("VIVIDART_STACK_FILE")
        self._cache: tuple[float, Stack] | None = None

    def current(self) -> Stack:
        mtime = -1.0
        if self._file and Path(self._file).exists():
            mtime = Path(self._file).stat().st_mtime
        if self._cache and self._cache[0] == mtime:
            return self._cache[1]
        values: dict = {}
        if mtime >= 0:
            values.update(_from_mapping(json.loads(Path(self._file).read_text() or "{}")))
        for f in fields(Stack):
            env_value = self._environ.get(f"VIVIDART_{f.name.upper()}")
            if env_value is not None:
                values[f.name] = env_value
        if "region" not in values and self._environ.get("AWS_REGION"):
            values["region"] = self._environ["AWS_REGION"]  # inside Lambda
        stack = Stack(**values)
        self._cache = (mtime, stack)
        return stack
