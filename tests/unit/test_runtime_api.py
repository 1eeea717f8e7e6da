"""The Runtime API server, driven by the real Runtime Interface Client in a child process."""

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from vividart_localstack.runtime_api import Invocation, RuntimeApi

HANDLER = textwrap.dedent("""
    import os
    if os.environ.get("FAIL_INIT"):
        raise RuntimeError("cannot start")
    def handler(event, context):
        if event.get("raise"):
            raise ValueError("bad photo")
        return {"echo": event, "request_id": context.aws_request_id,
                "remaining_ms": context.get_remaining_time_in_millis()}
""")


@pytest.fixture
def runtime(tmp_path):
    (tmp_path / "app.py").write_text(HANDLER)
    started = []

    def start(**env):
        api = RuntimeApi().start()
        process = subprocess.Popen(
            [sys.executable, "-m", "awslambdaric", "app.handler"], cwd=tmp_path,
            env=dict(os.environ, AWS_LAMBDA_RUNTIME_API=api.address, **env),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        started.append((api, process))
        return api, process

    yield start
    for api, process in started:
        process.kill()
        process.wait()
        api.close()


def invoke(api, request_id, event, timeout=10):
    deadline_ms = int(time.time() * 1000) + 5000
    future = api.submit(Invocation(request_id, json.dumps(event).encode(), "arn:aws:lambda:fn", deadline_ms))
    return future.result(timeout=timeout)


def test_results_and_errors_reach_the_caller(runtime):
    api, _ = runtime()
    assert api.ready.wait(10)
    ok = invoke(api, "req-1", {"photo": 1})
    body = json.loads(ok.payload)
    assert not ok.is_error and body["echo"] == {"photo": 1} and body["request_id"] == "req-1"
    assert 0 < body["remaining_ms"] <= 5000
    failed = invoke(api, "req-2", {"raise": True})
    error = json.loads(failed.payload)
    assert failed.is_error and error["errorType"] == "ValueError" and error["errorMessage"] == "bad photo"
    assert not invoke(api, "req-3", {}).is_error  # the same environment serves again (warm)


def test_init_failure_is_reported(runtime):
    api, process = runtime(FAIL_INIT="1")
    assert api.init_failed.wait(10)
    error = json.loads(api.init_error)
    assert (error["errorType"], error["errorMessage"]) == ("RuntimeError", "cannot start")


def test_unknown_request_ids_are_refused(runtime):
    import urllib.error
    import urllib.request

    api, _ = runtime()
    request = urllib.request.Request(f"http://{api.address}/2018-06-01/runtime/invocation/nope/response",
                                     data=b"{}", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 400
