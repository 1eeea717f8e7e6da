"""A running local stack for the tests, started by the project's own scripts or by testcontainers."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

from photo_jobs.client import WebClient
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
