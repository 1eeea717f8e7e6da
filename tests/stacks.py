"""A running local stack for the tests, started by the project's own scripts or by testcontainers."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import requests
from botocore.config import Config

from support import REPO
from vividart_cli.client import StudioClient


def web_env(run_dir: Path) -> dict[str, str]:
    """The web app's settings as the stack wrote them (web.env), or none if it wrote none."""
    path = run_dir / "web.env"
    lines = path.read_text().splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


@dataclass
class RunningStack:
    env: dict[str, str]
    run_dir: Path
    _shoots: dict = field(default_factory=dict)

    @property
    def outputs(self) -> dict:
        return json.loads((self.run_dir / "stack" / "outputs.json").read_text())

    @property
    def staff(self) -> dict:
        """The local stack's staff account and API token (make up made them)."""
        return json.loads((self.run_dir / "staff.json").read_text())

    @property
    def web_url(self) -> str:
        return self.outputs["web_url"]

    @property
    def web_env(self) -> dict[str, str]:
        return web_env(self.run_dir)

    @property
    def studio(self) -> StudioClient:
        return StudioClient(self.web_url, self.staff["api_token"])

    def shoot(self, name: str = "Integration tests") -> dict:
        """A shoot of this name, made once per test session."""
        if name not in self._shoots:
            self._shoots[name] = self.studio.create_shoot(name)
        return self._shoots[name]

    def upload(self, data: bytes, filename: str, spec: dict | None = None, content_type: str | None = None,
               shoot: str | None = None) -> str:
        return self.studio.upload(shoot or self.shoot()["id"], data, filename, content_type=content_type, spec=spec)

    def download(self, key: str, rendition: str = "full") -> bytes:
        shoot_id, path = key.split("/", 2)[1:]
        return self.studio.download(shoot_id, path, rendition)

    @contextmanager
    def listening(self, shoot_id: str, base_url: str | None = None):
        """The shoot's live events (server-sent) as they arrive, while the block runs."""
        events = Events()
        response = requests.get(f"{base_url or self.web_url}/api/shoots/{shoot_id}/events", stream=True, timeout=300,
                                headers={"Authorization": f"Bearer {self.staff['api_token']}"})
        response.raise_for_status()
        reader = threading.Thread(target=events.read, args=(response,), daemon=True)
        reader.start()
        try:
            yield events
        finally:
            response.close()

    def aws(self, service: str):
        return boto3.client(service, endpoint_url=self.outputs["localstack_endpoint"], region_name="us-east-1",
                            aws_access_key_id="test", aws_secret_access_key="test",
                            config=Config(s3={"addressing_style": "path"}))

    def script(self, *args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess:
        return subprocess.run([str(REPO / "scripts" / args[0]), *args[1:]], env=self.env, check=check,
                              timeout=timeout, capture_output=True, text=True)


class Events:
    """Server-sent events collected from a stream."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict]] = []
        self._changed = threading.Condition()

    def read(self, response) -> None:
        kind = None
        try:
            for line in response.iter_lines(decode_unicode=True):
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind:
                    with self._changed:
                        self.received.append((kind, json.loads(line[6:])))
                        self._changed.notify_all()
        except (requests.RequestException, ValueError, AttributeError):
            pass  # the stream was closed

    def wait_for(self, predicate, timeout: float = 60.0) -> list[tuple[str, dict]]:
        """Every event so far once one satisfies predicate(kind, data); AssertionError after timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not any(predicate(kind, data) for kind, data in self.received):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no such event within {timeout:g} s; got {self.received[-5:]}")
                self._changed.wait(left)
            return list(self.received)

    def jobs(self, key: str) -> list[dict]:
        return [data for kind, data in self.received if kind == "job" and data["key"] == key]


def stack_env(run_dir: Path, mode: str, localstack_port: int, web_port: int, postgres_port: int,
              project: str) -> dict[str, str]:
    return dict(os.environ, MODE=mode, VIVIDART_RUN_DIR=str(run_dir), LOCALSTACK_PORT=str(localstack_port),
                WEB_PORT=str(web_port), POSTGRES_PORT=str(postgres_port), COMPOSE_PROJECT_NAME=project)
