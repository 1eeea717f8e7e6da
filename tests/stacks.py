"""A running local stack for the tests, started by the project's own scripts or by testcontainers."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
import requests
from botocore.config import Config

from vividart_cli.client import WebClient
from support import REPO


@dataclass
class RunningStack:
    env: dict[str, str]
    run_dir: Path

    @property
    def outputs(self) -> dict:
        return json.loads((self.run_dir / "outputs.json").read_text())

    @property
    def web(self) -> WebClient:
        return WebClient(self.outputs["web_url"])

    def events(self, key: str, settle: float = 1.0) -> list[dict]:
        """The SNS events the web app received for this upload, oldest first, after `settle`
        seconds: the event may arrive a moment after the job record the web client waits on."""
        time.sleep(settle)
        recent = requests.get(self.outputs["web_url"] + "/api/events/recent", timeout=10).json()["events"]
        return [e for e in recent if e["source"]["key"] == key]

    def aws(self, service: str):
        return boto3.client(service, endpoint_url=self.outputs["localstack_endpoint"], region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(s3={"addressing_style": "path"}))

    def script(self, *args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess:
        return subprocess.run([str(REPO / "scripts" / args[0]), *args[1:]], env=self.env, check=check,
                              timeout=timeout, capture_output=True, text=True)


def stack_env(run_dir: Path, mode: str, localstack_port: int, web_port: int, project: str) -> dict[str, str]:
    return dict(os.environ, MODE=mode, VIVIDART_RUN_DIR=str(run_dir), LOCALSTACK_PORT=str(localstack_port),
                WEB_PORT=str(web_port), COMPOSE_PROJECT_NAME=project)
