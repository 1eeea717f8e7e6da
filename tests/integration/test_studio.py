"""The studio app on the local stack: live events on every instance, many open pages, SNS
messages that are not SNS's, the CLI with a whole folder, edits and previews."""

import base64
import io
import json
import os
import re
import socket
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import requests
from PIL import Image

from support import REPO, QuietHTTPServer, photo, wait_for

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_instance(stack, port: int, **settings) -> subprocess.Popen:
    """Another web app instance beside the stack's own: the same settings (web.env), its own port."""
    env = {**os.environ, **stack.web_env}
    env.update(WEB_PORT=str(port), **{k: str(v) for k, v in settings.items()})
    process = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py",
                                "webapp:create_app()"], cwd=REPO / "services" / "webapp", env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), timeout=30)
    return process


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def second_instance(stack):
    port = free_port()
    process = start_instance(stack, port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=20)


def test_limits_hold_across_instances(stack, second_instance):
    """Sign-in guesses for one account, sent to two instances in turn, count against one limit (5 a
    minute): counted in each process's memory, every worker of every instance let 5 through."""
    email = f"guess-{uuid.uuid4().hex[:8]}@studio.example"
    codes = []
    for n in range(8):
        browser = requests.Session()
        base = second_instance if n % 2 else stack.web_url
        page = browser.get(f"{base}/signin", timeout=30).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
        codes.append(browser.post(f"{base}/signin", data={"email": email, "password": "a guess", "csrf_token": csrf},
                                  timeout=30).status_code)
    assert codes == [401] * 5 + [429] * 3, codes


def test_pages_on_every_instance_hear_every_event(stack, second_instance):
    """SNS delivers to the stack's instance only; a page open on the second hears it too."""
    shoot = stack.shoot()
    with stack.listening(shoot["id"], base_url=second_instance) as elsewhere:
        key = stack.upload(photo(seed=80), "heard everywhere.jpg")
        events = elsewhere.wait_for(lambda kind, data: kind == "photo" and data["key"] == key and data["status"] == "processed", timeout=60)
    assert [data["status"] for kind, data in events if kind == "photo" and data["key"] == key][-1] == "processed"


def test_two_hundred_open_pages_do_not_starve_the_app(stack):
    """Each open page holds a stream; with 200 of them the app still answers everything else (it
    used to hang: one thread per stream). How fast it answers is `make bench`'s business."""
    streams = open_streams(stack, 200)
    try:
        assert requests.get(f"{stack.web_url}/healthz", timeout=5).json()["streams"] > 0
        assert requests.post(f"{stack.web_url}/sns", data=b"{}", timeout=5).status_code == 400  # answered, refused
        key = stack.upload(photo(seed=83), "while 200 pages watch.jpg")
        assert stack.studio.wait(key, timeout=60)["status"] == "processed"
    finally:
        for sock in streams:
            sock.close()


def open_streams(stack, count: int) -> list[socket.socket]:
    """`count` event streams of the test shoot, each on its own connection, as open pages hold them."""
    port, path = int(stack.web_url.rsplit(":", 1)[1]), f"/api/shoots/{stack.shoot()['id']}/events"
    streams = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {stack.staff['api_token']}"
                     "\r\nAccept: text/event-stream\r\n\r\n".encode())
        streams.append(sock)
    assert all(b"200 OK" in sock.recv(200) for sock in streams)
    return streams


def test_streams_beyond_the_cap_get_503(stack):
    port = free_port()
    process = start_instance(stack, port, VIVIDART_WEB_MAX_STREAMS=3, WEB_WORKERS=1)
    headers = {"Authorization": f"Bearer {stack.staff['api_token']}"}
    url = f"http://127.0.0.1:{port}/api/shoots/{stack.shoot()['id']}/events"
    opened = []
    try:
        for _ in range(3):
            opened.append(requests.get(url, headers=headers, stream=True, timeout=10))
            assert opened[-1].status_code == 200
        refused = requests.get(url, headers=headers, stream=True, timeout=10)
        assert refused.status_code == 503 and "too many live pages" in refused.json()["message"]
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
    finally:
        for response in opened:
            response.close()
        process.terminate()
        process.wait(timeout=20)


# --- SNS messages that are not what they say -------------------------------------------------

class Capture(BaseHTTPRequestHandler):
    """An SNS HTTP subscriber of the test's own: keeps what SNS sends, confirms its subscription."""

    received: list[dict] = []

    def do_POST(self):
        message = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if message["Type"] == "SubscriptionConfirmation":
            requests.get(message["SubscribeURL"], timeout=5)
        Capture.received.append(message)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def genuine(stack):
    """A genuine message of the stack's topic (signed by LocalStack), as SNS delivered it."""
    port = free_port()
    server = QuietHTTPServer(("127.0.0.1", port), Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sns = stack.aws("sns")
    subscription = sns.subscribe(TopicArn=stack.outputs["topic_arn"], Protocol="http",
                                 Endpoint=f"http://127.0.0.1:{port}/", ReturnSubscriptionArn=True)["SubscriptionArn"]
    try:
        wait_for(lambda: any(m["Type"] == "SubscriptionConfirmation" for m in Capture.received), timeout=20)
        record = {"type": "processed", "job_id": "forgery-test", "source": {"key": "uploads/x/forged.jpg"},
                  "outputs": [], "error": None}
        sns.publish(TopicArn=stack.outputs["topic_arn"], Message=json.dumps(record))
        yield wait_for(lambda: next((m for m in Capture.received if m["Type"] == "Notification"), None), timeout=20)
    finally:
        sns.unsubscribe(SubscriptionArn=subscription)
        server.shutdown()


def post_sns(stack, message: dict) -> requests.Response:
    return requests.post(f"{stack.web_url}/sns", data=json.dumps(message), headers={"Content-Type": "text/plain"},
                         timeout=10)


def test_a_genuine_message_is_taken_once_and_its_replay_refused(stack, genuine):
    assert genuine["SignatureVersion"] == "2"  # the topic asks for SHA256 signatures
    assert post_sns(stack, genuine).status_code in (200, 409)  # the subscription itself may have delivered it
    replay = post_sns(stack, genuine)
    assert replay.status_code == 409 and "replay" in replay.json()["message"]


def test_a_changed_message_is_refused(stack, genuine):
    forged = dict(genuine, MessageId="forged-1", Message=genuine["Message"].replace("processed", "failed"))
    refused = post_sns(stack, forged)
    assert refused.status_code == 400 and "signature does not match" in refused.json()["message"]


def test_a_certificate_stored_elsewhere_under_localstack_is_refused(stack, genuine):
    s3, out = stack.aws("s3"), stack.outputs
    certificate = requests.get(genuine["SigningCertURL"], timeout=5).content
    s3.put_object(Bucket=out["source_bucket"], Key="cert.pem", Body=certificate)
    elsewhere = f"{out['localstack_endpoint']}/{out['source_bucket']}/cert.pem"
    assert requests.get(elsewhere, timeout=5).content == certificate  # the same certificate, served
    refused = post_sns(stack, dict(genuine, MessageId="forged-2", SigningCertURL=elsewhere))
    assert refused.status_code == 400 and "not trusted" in refused.json()["message"]


def test_a_message_signed_with_another_key_is_refused(stack, genuine):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    from webapp.sns_signature import canonical_string

    forged = dict(genuine, MessageId="forged-3")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged["Signature"] = base64.b64encode(key.sign(canonical_string(forged), padding.PKCS1v15(), hashes.SHA256())).decode()
    refused = post_sns(stack, forged)
    assert refused.status_code == 400 and "signature does not match" in refused.json()["message"]


def test_an_old_message_is_refused(stack, genuine):
    old = (datetime.now(UTC) - timedelta(hours=2)).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    refused = post_sns(stack, dict(genuine, MessageId="forged-4", Timestamp=old))
    assert refused.status_code == 400 and "more than an hour" in refused.json()["message"]


@pytest.mark.parametrize("body", [b"[]", b"null", b"{not json", b'{"Type": "Notification"}', "\xff".encode("latin-1")])
def test_a_body_that_is_no_sns_message_gets_400(stack, body):
    assert requests.post(f"{stack.web_url}/sns", data=body, timeout=10).status_code == 400


def test_a_body_too_big_for_sns_gets_413(stack):
    assert requests.post(f"{stack.web_url}/sns", data=b"x" * 400_000, timeout=10).status_code == 413


# --- the CLI ---------------------------------------------------------------------------------

def test_the_cli_uploads_a_folder_of_300_photos_with_a_progress_bar_then_skips_them(stack, tmp_path):
    folder = tmp_path / "Jones party"
    (folder / "card 2").mkdir(parents=True)
    for n in range(300):
        (folder / ("card 2" if n % 2 else "") / f"DSC_{n:04d}.jpg").write_bytes(photo(96, 64, seed=n))
    (folder / "notes.txt").write_text("not a photo")
    env = dict(os.environ, VIVIDART_WEB=stack.web_url, VIVIDART_TOKEN=stack.staff["api_token"])
    cli = [str(Path(sys.executable).parent / "vividart"), "upload", str(folder), "--shoot", "Jones party",
           "--preset", "natural", "--wait"]
    first = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "300 uploaded into 'Jones party'" in first.stdout and "300 processed" in first.stdout
    bars = first.stderr.replace("\r", "\n")
    assert "uploading 300 photos" in bars and "100%" in bars and "300/300" in bars  # the progress bars
    shoot = stack.studio.find_shoot("Jones party")
    assert shoot["counts"] == {"photos": 300, "processed": 300, "failed": 0, "processing": 0}
    again = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "300 of 300 photos are in the shoot already: skipped" in again.stdout


# --- edits and previews ----------------------------------------------------------------------

def test_applying_a_look_keeps_the_earlier_result_until_the_new_one_is_ready(stack):
    shoot = stack.studio.create_shoot("Re-edits")
    key = stack.upload(photo(800, 600, seed=81), "portrait.jpg", shoot=shoot["id"])
    before = stack.studio.wait(key, timeout=60)
    old_bytes = stack.download(key)
    path = key.split("/", 2)[2]
    applied = stack.studio.apply(shoot["id"], {"preset": "classic_black_and_white"}, photos=[path])
    assert applied == {"applied": 1, "photos": [key]}
    during = stack.studio._call("GET", f"/api/shoots/{shoot['id']}/photos/{path}").json()
    if during["job_id"] != before["job_id"] and during["status"] == "processing":
        assert during["outdated"] and "full" in during["renditions"]
        assert stack.download(key) == old_bytes  # still downloadable meanwhile
    after = wait_for(lambda: (lambda p: p if p["status"] == "processed" and not p["outdated"] else None)(
        stack.studio._call("GET", f"/api/shoots/{shoot['id']}/photos/{path}").json()), timeout=60)
    assert after["job_id"] != before["job_id"] and after["preset"] == "classic_black_and_white"
    new = Image.open(io.BytesIO(stack.download(key)))
    assert stack.download(key) != old_bytes
    assert all(max(p) - min(p) <= 6 for p in new.resize((8, 8)).get_flattened_data())  # black and white now


def test_a_preview_is_the_processors_own_web_rendition(stack):
    shoot = stack.studio.create_shoot("Previews")
    key = stack.upload(photo(4000, 3000, seed=82), "preview me.jpg", shoot=shoot["id"])
    stack.studio.wait(key, timeout=60)
    look = {"preset": "vintage", "adjust": {"exposure": 0.5}}
    made = stack.studio.preview(key, look)
    preview = Image.open(io.BytesIO(requests.get(made["url"], timeout=10).content))
    assert preview.size == (made["width"], made["height"]) == (2048, 1536)
    stack.studio.apply(shoot["id"], look, photos=[key.split("/", 2)[2]])
    wait_for(lambda: (lambda p: p["status"] == "processed" and not p["outdated"])(
        stack.studio._call("GET", f"/api/shoots/{shoot['id']}/photos/{key.split('/', 2)[2]}").json()), timeout=60)
    web = Image.open(io.BytesIO(stack.download(key, "web")))
    difference = sum(abs(a - b) for p, q in zip(preview.resize((64, 48)).get_flattened_data(),
                                                 web.resize((64, 48)).get_flattened_data()) for a, b in zip(p, q))
    assert difference / (64 * 48 * 3) < 3  # what the photographer previewed is what the look gives
    missing = requests.post(f"{stack.web_url}/api/previews", json={"key": "uploads/x/none.jpg", "spec": {}},
                            headers={"Authorization": f"Bearer {stack.staff['api_token']}"}, timeout=30)
    assert missing.status_code == 404 and "no photo" in missing.json()["message"]
