"""A running local stack for the tests, started by the project's own scripts or by testcontainers."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import requests
from botocore.config import Config
from testcontainers.compose import DockerCompose

from support import CACHE, REPO, bootstrap_part_ready
from vividart_cli.client import StudioClient

# docker compose finds the plugin the bootstrap keeps in the cache (scripts/lib.sh sets the same),
# also when pytest runs without make test
os.environ.setdefault("DOCKER_CONFIG", str(CACHE / "docker"))


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
    def verify(self) -> bool | str:
        """What a client trusts to reach the web app: over https, the stack's own certificate."""
        certificate = self.run_dir / "https" / "cert.pem"
        return str(certificate) if self.web_url.startswith("https://") and certificate.exists() else True

    @property
    def studio(self) -> StudioClient:
        return StudioClient(self.web_url, self.staff["api_token"], verify=self.verify)

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
                                headers={"Authorization": f"Bearer {self.staff['api_token']}"}, verify=self.verify)
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
        """The photo's events that tell a job's end (processed or failed)."""
        return [data for kind, data in self.received if kind == "photo" and data["key"] == key and data["status"] != "processing"]


def stack_env(run_dir: Path, mode: str, localstack_port: int, web_port: int, postgres_port: int,
              project: str, https_port: int | None = None) -> dict[str, str]:
    """The settings the project's scripts take (scripts/lib.sh); with `https_port`, HTTPS=1: the web
    app behind the TLS proxy, as on AWS."""
    https = {"HTTPS": "1", "WEB_HTTPS_PORT": str(https_port)} if https_port else {"HTTPS": "0"}
    return dict(os.environ, MODE=mode, VIVIDART_RUN_DIR=str(run_dir), LOCALSTACK_PORT=str(localstack_port),
                WEB_PORT=str(web_port), POSTGRES_PORT=str(postgres_port), COMPOSE_PROJECT_NAME=project, **https)


def docker_part_ready() -> None:
    """The images and the Compose plugin are made (the bootstrap's Docker part)."""
    bootstrap_part_ready("VIVIDART_TEST_DOCKER_PART", "docker-only")


def start_compose_stack(run_dir: Path, ports: tuple[int, int, int, int], project: str) -> RunningStack:
    """The compose-mode stack as deployed: the web app behind the TLS proxy (HTTPS=1) in its AWS
    settings, started by testcontainers from compose.yaml, deployed by tflocal, with the local
    staff account `make up` would make. Stopped again if any of that fails."""
    localstack_port, web_port, postgres_port, https_port = ports
    (run_dir / "mode").write_text("compose")
    (run_dir / "secrets").mkdir(mode=0o700)
    (run_dir / "stack").mkdir(mode=0o755)  # the outputs, read by the web app's container (not root)
    keys = {}
    for name in ("database-password", "web-secret-key"):  # where scripts/stack.sh keeps them
        keys[name] = secrets.token_urlsafe(24)
        (run_dir / "secrets" / name).write_text(keys[name] + "\n")
    env = stack_env(run_dir, "compose", localstack_port, web_port, postgres_port, project, https_port=https_port)
    running = RunningStack(env, run_dir)
    # the proxy's certificate and configuration, and the app's settings behind it, as stack.sh makes them
    proxy = [sys.executable, str(REPO / "scripts" / "https_proxy.py")]
    subprocess.run([*proxy, "prepare", str(run_dir / "https"), "--https-port", str(https_port), "--web-port", str(web_port),
                    "--cert-dir", "/etc/vividart-proxy", "--drop-to-user"], check=True)
    (run_dir / "https" / "enabled").write_text("1\n")
    edge = lambda key: subprocess.run([*proxy, "edge", key], check=True, capture_output=True, text=True).stdout.strip()  # noqa: E731
    env_file = run_dir / "compose.env"
    env_file.write_text(
        f"LOCALSTACK_PORT={localstack_port}\nWEB_PORT={web_port}\nPOSTGRES_PORT={postgres_port}\n"
        f"WEB_HTTPS_PORT={https_port}\nVIVIDART_RUN_DIR={run_dir}\nCOMPOSE_PROJECT_NAME={project}\n"
        f"VIVIDART_DB_PASSWORD={keys['database-password']}\nVIVIDART_WEB_SECRET_KEY={keys['web-secret-key']}\n"
        f"VIVIDART_WEB_PUBLIC_URL=https://127.0.0.1:{https_port}\nVIVIDART_WEB_TRUST_PROXY=1\n"
        f"VIVIDART_WEB_SSE_HEARTBEAT_SECONDS={edge('sse_heartbeat_seconds')}\n"
        f"VIVIDART_WEB_HSTS_MAX_AGE={edge('hsts_max_age_seconds')}\n"
        f"WEB_KEEPALIVE_SECONDS={int(edge('idle_timeout_seconds')) + 5}\n")
    docker_part_ready()
    running.compose = DockerCompose(REPO, compose_file_name="compose.yaml", env_file=str(env_file), wait=True,
                                    pull=False, profiles=["https"])
    try:
        running.compose.start()
        deploy = running.script("deploy.sh", "apply", check=False)
        if deploy.returncode != 0:
            raise RuntimeError(f"deploy failed:\n{deploy.stdout[-3000:]}\n{deploy.stderr[-5000:]}")
        database = f"postgresql://vividart:{keys['database-password']}@127.0.0.1:{postgres_port}/vividart"
        subprocess.run([str(Path(sys.executable).parent / "vividart-admin"), "ensure-local-staff", str(run_dir / "staff.json")],
                       env=dict(os.environ, VIVIDART_WEB_DATABASE_URL=database), check=True, timeout=60)
        assert running.web_url == f"https://127.0.0.1:{https_port}"  # make outputs names the https address
    except BaseException:
        stop_compose_stack(running)
        raise
    return running


def stop_compose_stack(running: RunningStack) -> None:
    """Its containers, and the Lambda containers its executor started."""
    running.compose.stop()
    subprocess.run(f"docker ps -aq --filter label=vividart.stack={running.env['COMPOSE_PROJECT_NAME']} | xargs -r docker rm -f",
                   shell=True, check=False)
