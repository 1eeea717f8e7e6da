"""The web app's own rules, with a stack given by settings (presigning is local: no AWS needed)."""

import json

import pytest

from photo_jobs.settings import StackSource
from webapp import create_app

DEPLOYED = {
    "VIVIDART_SOURCE_BUCKET": "src", "VIVIDART_PROCESSED_BUCKET": "out", "VIVIDART_UPLOAD_PREFIX": "uploads/",
    "VIVIDART_LOCALSTACK_ENDPOINT": "http://127.0.0.1:4566", "VIVIDART_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
}


@pytest.fixture
def client(monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "test")
    app = create_app({"TESTING": True, "STACK_SOURCE": StackSource(DEPLOYED)})
    return app.test_client()


def ask(client, **body):
    return client.post("/api/uploads", json=body)


def test_upload_grant_pins_key_type_size_and_spec(client):
    response = ask(client, filename="Bride & Groom.jpg", content_type="image/jpeg", size=1234)
    assert response.status_code == 201
    grant = response.get_json()
    assert grant["key"].startswith("uploads/") and grant["key"].endswith("/Bride & Groom.jpg")
    assert grant["url"] == "http://127.0.0.1:4566/src"
    fields = grant["fields"]
    assert fields["key"] == grant["key"] and fields["Content-Type"] == "image/jpeg"
    assert json.loads(fields["x-amz-meta-edit-spec"]) == {"version": 1, "preset": "original"}
    import base64
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert ["content-length-range", 1234, 1234] in policy["conditions"]


@pytest.mark.parametrize("body, message", [
    ({"content_type": "image/jpeg", "size": 1}, "filename is required"),
    ({"filename": "a.gif", "content_type": "image/gif", "size": 1}, "content_type must be one of"),
    ({"filename": "a.jpg", "content_type": "image/jpeg", "size": 0}, "size must be"),
    ({"filename": "a.jpg", "content_type": "image/jpeg", "size": 10**12}, "size must be"),
    ({"filename": "a.jpg", "content_type": "image/jpeg", "size": 5, "spec": {"preset": "x"}}, "unknown preset"),
])
def test_bad_upload_requests_say_why(client, body, message):
    response = ask(client, **body)
    assert response.status_code == 400
    assert message in response.get_json()["error"]


def test_not_json_is_refused(client):
    response = client.post("/api/uploads", data="filename=a.jpg")
    assert response.status_code == 400


def test_before_deploy_the_api_says_so():
    app = create_app({"TESTING": True, "STACK_SOURCE": StackSource({})})
    response = app.test_client().get("/api/jobs/uploads/a.jpg")
    assert response.status_code == 503
    assert app.test_client().get("/healthz").get_json() == {"ok": True, "deployed": False}


def test_forged_sns_messages_are_refused(client):
    forged = {"Type": "Notification", "MessageId": "1", "TopicArn": "arn:aws:sns:us-east-1:000000000000:t",
              "Message": "{}", "Timestamp": "t", "SignatureVersion": "1", "Signature": "AAAA",
              "SigningCertURL": "http://evil.example/cert.pem"}
    response = client.post("/sns", data=json.dumps(forged), content_type="text/plain")
    assert response.status_code == 400 and "not trusted" in response.get_json()["error"]


def test_stack_file_is_reread_when_it_changes(tmp_path):
    stack_file = tmp_path / "outputs.json"
    source = StackSource({"VIVIDART_STACK_FILE": str(stack_file)})
    assert not source.current().deployed
    stack_file.write_text(json.dumps({"source_bucket": "a", "processed_bucket": "b", "queue_url": "ignored"}))
    assert source.current().deployed and source.current().source_bucket == "a"
