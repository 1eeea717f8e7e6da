"""Where the stack is: names of buckets, queue and topic, and the AWS endpoint.

Terraform's outputs are the single source of truth. Processes get them as environment variables
(VIVIDART_<OUTPUT NAME>), from the SSM parameter Terraform writes them to (its name in
VIVIDART_STACK_PARAMETER: the web app on AWS), or from the outputs JSON file named by
VIVIDART_STACK_FILE (the local web app). The web app starts before the first deploy, so the file
is re-read whenever it changes and the parameter every REFRESH_SECONDS (RETRY_SECONDS while it is
missing). The environment overrides both.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Callable, Mapping

LOG = logging.getLogger(__name__)
REFRESH_SECONDS = 30.0  # a redeploy reaches every running process within this
RETRY_SECONDS = 2.0  # while the parameter is missing (not deployed yet) or could not be read


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
    archiver_name: str = ""  # the function that builds archives in S3 (the same image, a long timeout)
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


def parse_settings(text: str) -> dict:
    """The stack's settings in a JSON object (the outputs file, the SSM parameter); others ignored."""
    values = json.loads(text or "{}")
    if not isinstance(values, dict):
        raise ValueError("the stack's settings are not a JSON object")
    return _from_mapping(values)


def from_environment(environ: Mapping[str, str]) -> dict:
    """The settings the environment gives (VIVIDART_<NAME>); they override every other source."""
    return {f.name: environ[f"VIVIDART_{f.name.upper()}"] for f in fields(Stack)
            if f"VIVIDART_{f.name.upper()}" in environ}


def _with_region(values: dict, environ: Mapping[str, str]) -> dict:
    if "region" not in values and environ.get("AWS_REGION"):
        return {**values, "region": environ["AWS_REGION"]}  # inside Lambda and ECS tasks
    return values


class StackSource:
    """Reads the stack from a file or an SSM parameter (if named) overlaid with the environment;
    cheap to call often."""

    def __init__(self, environ: Mapping[str, str] | None = None,
                 read_parameter: Callable[[str], str | None] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 refresh_seconds: float = REFRESH_SECONDS, retry_seconds: float = RETRY_SECONDS) -> None:
        self._environ = os.environ if environ is None else environ
        self._file = self._environ.get("VIVIDART_STACK_FILE")
        self._parameter = self._environ.get("VIVIDART_STACK_PARAMETER")
        self._read_parameter = read_parameter
        self._clock, self._refresh_seconds, self._retry_seconds = clock, refresh_seconds, retry_seconds
        self._lock = threading.Lock()
        self._parameter_values: tuple[int, dict] = (0, {})  # (how many times they changed, values)
        self._next_read = float("-inf")
        self._cache: tuple[tuple, Stack] | None = None

    def from_environment(self) -> Stack:
        """What the environment alone says: enough to reach AWS (region, endpoint) before the
        stack's own settings are read."""
        return Stack(**_with_region(from_environment(self._environ), self._environ))

    def current(self) -> Stack:
        if self._parameter and self._clock() >= self._next_read:
            self._refresh_parameter()
        mtime = -1.0
        if self._file and Path(self._file).exists():
            mtime = Path(self._file).stat().st_mtime
        changes, parameter_values = self._parameter_values
        version = (mtime, changes)
        if self._cache and self._cache[0] == version:
            return self._cache[1]
        values: dict = {}
        if mtime >= 0:
            values.update(parse_settings(Path(self._file).read_text()))
        values.update(parameter_values)
        values.update(from_environment(self._environ))
        stack = Stack(**_with_region(values, self._environ))
        self._cache = (version, stack)
        return stack

    def _refresh_parameter(self) -> None:
        with self._lock:
            if self._clock() < self._next_read:
                return  # another thread read it while this one waited
            try:
                text = self._reader()(self._parameter)
                values = {} if text is None else parse_settings(text)
            except Exception as error:  # noqa: BLE001 - throttled, offline, garbled: keep what we had
                LOG.warning("could not read the stack's settings from %s (%s); trying again soon", self._parameter, error)
                self._next_read = self._clock() + self._retry_seconds
                return
            changes, known = self._parameter_values
            if values != known:
                self._parameter_values = (changes + 1, values)
            self._next_read = self._clock() + (self._refresh_seconds if text is not None else self._retry_seconds)

    def _reader(self) -> Callable[[str], str | None]:
        if self._read_parameter is None:
            # Imported here: photo_jobs.aws builds its clients from a Stack defined above.
            from photo_jobs.aws import read_parameter

            where = self.from_environment()
            self._read_parameter = lambda name: read_parameter(where, name)
        return self._read_parameter
