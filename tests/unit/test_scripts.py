"""The shell scripts parse; the AWS deploy refuses clearly what it cannot do (no AWS needed); the
smoke test passes a working app and fails one that is not (a fake app on loopback)."""

import json
import os
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

import smoke
from support import REPO, QuietHTTPServer

SCRIPTS = sorted((REPO / "scripts").glob("*.sh")) + [REPO / ".ci" / "run", REPO / ".ci" / "install-terraform"]
DEPLOY = REPO / "scripts" / "deploy_aws.sh"


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_script_parses(script: Path):
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def deploy(*args, script: Path = DEPLOY, **env) -> subprocess.CompletedProcess:
    """The AWS deploy with these settings on top of a clean environment (no caller's AWS settings)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PUBLISH_")) and k not in ("ENVIRONMENT", "IMAGES_FILE")}
    return subprocess.run([str(script), *args], env={**clean, **env}, capture_output=True, text=True, timeout=60)


def test_deploy_to_aws_names_the_environments_it_knows():
    result = deploy(ENVIRONMENT="qa", AWS_ACCESS_KEY_ID="AKIAEXAMPLE")
    assert result.returncode != 0 and "staging or production" in result.stderr


def test_deploy_to_aws_refuses_localstack_credentials():
    for action in ("deploy", "publish"):
        result = deploy(action, AWS_ACCESS_KEY_ID="test", PUBLISH_PROCESSOR_REPOSITORY="r", PUBLISH_WEB_REPOSITORY="r")
        assert result.returncode != 0 and "real AWS credentials" in result.stderr, action


def test_publishing_needs_the_pipelines_repositories():
    result = deploy("publish", AWS_ACCESS_KEY_ID="AKIAEXAMPLE")
    assert result.returncode != 0 and "PUBLISH_PROCESSOR_REPOSITORY" in result.stderr


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A copy of what the deploy reads before it reaches AWS: its scripts, the environments' files."""
    for path in ("scripts/lib.sh", "scripts/deploy_aws.sh", "scripts/release.py", "terraform/state/naming.json"):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / path, tmp_path / path)
    shutil.copytree(REPO / "terraform" / "environments", tmp_path / "terraform" / "environments",
                    ignore=shutil.ignore_patterns(".terraform"))
    return tmp_path


def filled_in(text: str) -> str:
    return text.replace("example.com", "vividart.photos").replace('"EDIT-ME"', '"Z0123456789ABC"').replace("EDIT-ME/", "studio/")


def test_deploy_to_aws_refuses_the_environments_placeholders_then_goes_on(checkout):
    tfvars = checkout / "terraform" / "environments" / "production" / "terraform.tfvars"
    placeholders = ("domain_name", "hosted_zone_id", "studio_email")
    marked = [f"{number}:{line.split()[0]}" for number, line in enumerate(tfvars.read_text().splitlines(), 1)
              if line.startswith(placeholders)]
    unreachable = {"AWS_ENDPOINT_URL_STS": "http://127.0.0.1:9", "AWS_MAX_ATTEMPTS": "1", "AWS_EC2_METADATA_DISABLED": "true"}
    keys = {"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "example", **unreachable}

    refused = deploy(script=checkout / "scripts" / "deploy_aws.sh", ENVIRONMENT="production", **keys)
    assert refused.returncode != 0 and "still holds placeholders" in refused.stderr
    assert len(marked) == len(placeholders) and all(f"\n{line}" in refused.stderr for line in marked)

    tfvars.write_text(filled_in(tfvars.read_text()))
    went_on = deploy(script=checkout / "scripts" / "deploy_aws.sh", ENVIRONMENT="production", **keys)
    assert went_on.returncode != 0 and "placeholders" not in went_on.stderr
    assert "credentials do not work" in went_on.stderr  # the next step asks AWS who this is


def test_deploy_to_aws_takes_only_images_named_by_digest(checkout, tmp_path):
    tfvars = checkout / "terraform" / "environments" / "staging" / "terraform.tfvars"
    tfvars.write_text(filled_in(tfvars.read_text()))
    images = tmp_path / "images.json"
    images.write_text(json.dumps({"processor": "1.dkr.ecr.us-east-1.amazonaws.com/p@sha256:" + "a" * 64,
                                  "web": "1.dkr.ecr.us-east-1.amazonaws.com/w:latest"}))
    result = deploy(script=checkout / "scripts" / "deploy_aws.sh", ENVIRONMENT="staging", IMAGES_FILE=str(images),
                    AWS_ACCESS_KEY_ID="AKIAEXAMPLE", AWS_SECRET_ACCESS_KEY="example", AWS_ENDPOINT_URL_STS="http://127.0.0.1:9")
    assert result.returncode != 0 and "names no web image by digest" in result.stderr


# --- the smoke test, against a fake web app ---------------------------------------------------------

@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    monkeypatch.setattr(smoke, "POLL_SECONDS", 0.05)

class FakeApp:
    """The web app's answers the smoke test relies on, and a bucket that takes presigned PUTs."""

    def __init__(self, token="vat_good", guards_api=True, job_ends="processed"):
        self.token, self.guards_api, self.job_ends = token, guards_api, job_ends
        self.uploads, self.polls = {}, 0
        app = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body, kind="application/json"):
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def signed_in(self):
                return self.headers.get("Authorization") == f"Bearer {app.token}"

            def do_GET(self):
                if self.path == "/healthz":
                    return self.answer(200, {"ok": True, "deployed": True, "streams": 0})
                if self.path == "/signin":
                    return self.answer(200, b'<form><input name="password" type="password"></form>', "text/html; charset=utf-8")
                if self.path.startswith("/api/") and app.guards_api and not self.signed_in():
                    return self.answer(401, {"code": 401, "message": "sign in"})
                if self.path == "/api/me":
                    return self.answer(200, {"email": "smoke@vividart.photos", "name": "Smoke"})
                if self.path == "/api/shoots":
                    return self.answer(200, {"shoots": [{"id": "s1", "name": smoke.SMOKE_SHOOT}]})
                if self.path.startswith("/api/jobs/uploads/s1/"):
                    app.polls += 1
                    done = app.polls > 1 and self.path.rsplit("/", 1)[1] in app.uploads
                    return self.answer(200, {"status": app.job_ends if done else "processing", "error": None,
                                             "outputs": [{"name": "web"}] if done else []})
                return self.answer(404, {"message": "no such page"})

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if self.path == "/api/shoots/s1/uploads" and self.signed_in():
                    return self.answer(201, {"key": f"uploads/s1/{body['filename']}", "method": "PUT",
                                             "url": f"{app.url}/bucket/{body['filename']}",
                                             "headers": {"Content-Type": body["content_type"]}})
                if self.path == "/api/shoots/s1/uploads/done" and self.signed_in():  # in: the photo shows up
                    return self.answer(200, {"photos": []})
                return self.answer(404, {"message": "no such page"})

            def do_PUT(self):
                data = self.rfile.read(int(self.headers["Content-Length"]))
                app.uploads[self.path.rsplit("/", 1)[1]] = data
                self.answer(200, b"", "text/plain")

        self.server = QuietHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_the_smoke_test_passes_an_app_that_works_and_uploads_a_real_photo(capsys):
    with FakeApp() as app:
        assert smoke.main(["--web", app.url, "--upload", "--timeout", "30"], environ={"VIVIDART_TOKEN": "vat_good"}) == 0
    out = capsys.readouterr().out
    assert out.count("  ok   ") == 5 and "processed into web" in out
    [photo] = app.uploads.values()
    assert photo.startswith(b"\x89PNG\r\n\x1a\n") and len(photo) > 1000


def test_the_smoke_test_reads_the_local_outputs(tmp_path):
    with FakeApp() as app:
        outputs = tmp_path / "outputs.json"
        outputs.write_text(json.dumps({"web_url": app.url, "api_token": "vat_good"}))
        assert smoke.main(["--outputs", str(outputs)], environ={}) == 0


@pytest.mark.parametrize("app, failure", [
    (dict(guards_api=False), "API without a token: /api/me without a token: expected 401, got 200"),
    (dict(token="vat_other"), "API with a token: GET /api/me: expected 200, got 401"),
    (dict(job_ends="failed"), "upload processed: smoke-"),
], ids=["api-open-to-anyone", "token-refused", "photo-failed"])
def test_the_smoke_test_fails_an_app_that_does_not_work(app, failure, capsys):
    with FakeApp(**app) as fake:
        assert smoke.main(["--web", fake.url, "--upload", "--timeout", "30"], environ={"VIVIDART_TOKEN": "vat_good"}) == 1
    assert failure in capsys.readouterr().err


def test_the_smoke_test_fails_when_nothing_answers(capsys):
    assert smoke.main(["--web", "http://127.0.0.1:9"], environ={}) == 1
    assert "FAIL health" in capsys.readouterr().err
