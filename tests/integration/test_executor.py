"""The project's Lambda executor inside LocalStack, as a Lambda user sees it: results, errors,
crashes, timeouts, environment, memory, logs and warm reuse (zip functions run as processes)."""

import base64
import io
import json
import time
import uuid
import zipfile

import pytest

from support import photo

pytestmark = pytest.mark.integration

HANDLER = '''
import os, time
COLD = {"invocations": 0}
print("init: cold start")

def handler(event, context):
    COLD["invocations"] += 1
    print("handling", event.get("action"))
    action = event.get("action")
    if action == "raise":
        raise ValueError("the photo is upside down")
    if action == "sleep":
        time.sleep(event["seconds"])
    if action == "exit":
        os._exit(7)
    if action == "allocate":
        block = bytearray(event["mb"] * 1024 * 1024)
        return {"allocated": len(block)}
    return {"invocations": COLD["invocations"], "env": {k: os.environ.get(k) for k in event.get("env", [])},
            "remaining_ms": context.get_remaining_time_in_millis()}
'''


@pytest.fixture(scope="module")
def function(stack):
    lam = stack.aws("lambda")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("app.py", HANDLER)
    name = f"executor-test-{uuid.uuid4().hex[:8]}"
    lam.create_function(FunctionName=name, Runtime="python3.13", Handler="app.handler", Timeout=2, MemorySize=256,
                        Role="arn:aws:iam::000000000000:role/executor-test", Code={"ZipFile": archive.getvalue()},
                        Environment={"Variables": {"STUDIO": "VividArt"}})
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    yield name
    lam.delete_function(FunctionName=name)


def invoke(stack, name, event):
    response = stack.aws("lambda").invoke(FunctionName=name, Payload=json.dumps(event), LogType="Tail")
    return (response.get("FunctionError"), json.loads(response["Payload"].read() or b"null"),
            base64.b64decode(response.get("LogResult", "")).decode())


def test_result_environment_and_warm_reuse(stack, function):
    error, first, logs = invoke(stack, function, {"env": ["STUDIO", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                                                          "AWS_REGION", "AWS_LAMBDA_FUNCTION_NAME"]})
    assert error is None
    assert first["env"] == {"STUDIO": "VividArt", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
                            "AWS_REGION": "us-east-1", "AWS_LAMBDA_FUNCTION_NAME": function}
    assert 0 < first["remaining_ms"] <= 2000
    _, second, _ = invoke(stack, function, {})
    assert second["invocations"] == first["invocations"] + 1  # same environment, kept warm


def test_function_error(stack, function):
    error, payload, logs = invoke(stack, function, {"action": "raise"})
    assert error == "Unhandled"
    assert (payload["errorType"], payload["errorMessage"]) == ("ValueError", "the photo is upside down")
    assert "START RequestId:" in logs and "REPORT RequestId:" in logs and "handling raise" in logs


def test_timeout_then_a_fresh_environment(stack, function):
    error, payload, logs = invoke(stack, function, {"action": "sleep", "seconds": 5})
    assert error == "Unhandled" and payload["errorMessage"].endswith("Task timed out after 2.00 seconds")
    assert "Task timed out after 2.00 seconds" in logs
    error, payload, logs = invoke(stack, function, {})
    assert error is None and payload["invocations"] == 1 and "Init Duration" in logs


def test_crash_is_a_runtime_exit_error(stack, function):
    error, payload, _ = invoke(stack, function, {"action": "exit"})
    assert error == "Unhandled" and payload["errorType"] == "Runtime.ExitError"
    assert "exit status 7" in payload["errorMessage"]
    assert invoke(stack, function, {})[0] is None  # and the next invocation starts afresh


def test_memory_setting_is_a_limit(stack, function):
    assert invoke(stack, function, {"action": "allocate", "mb": 64})[0] is None
    error, payload, _ = invoke(stack, function, {"action": "allocate", "mb": 512})
    assert error == "Unhandled" and payload["errorType"] == "MemoryError"


def test_logs_reach_cloudwatch(stack, function):
    marker = f"marker-{uuid.uuid4().hex}"
    invoke(stack, function, {"action": marker})
    logs = stack.aws("logs")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        found = logs.filter_log_events(logGroupName=f"/aws/lambda/{function}", filterPattern=f'"{marker}"')
        if found["events"]:
            return
        time.sleep(0.5)
    pytest.fail("the function's output never reached CloudWatch Logs")


def test_the_processor_redeployed_under_a_new_tag_keeps_working(stack):
    """`make up` after the processor's code changed deploys the same function with a new image
    tag; the embedded stack runs the working tree's code whatever the tag."""
    lam, name = stack.aws("lambda"), stack.outputs["function_name"]
    deployed = lam.get_function(FunctionName=name)["Code"]["ImageUri"]
    try:
        lam.update_function_code(FunctionName=name, ImageUri=deployed.rsplit(":", 1)[0] + ":src-changed")
        lam.get_waiter("function_updated_v2").wait(FunctionName=name)
        key = stack.upload(photo(seed=41), "after a redeploy.jpg")
        assert stack.studio.wait(key, timeout=60)["status"] == "processed"
    finally:
        lam.update_function_code(FunctionName=name, ImageUri=deployed)
        lam.get_waiter("function_updated_v2").wait(FunctionName=name)
