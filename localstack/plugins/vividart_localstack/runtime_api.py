"""The public AWS Lambda Runtime API, served for one execution environment.

Standard library only, so it is tested without LocalStack. The runtime inside the sandbox (any
Runtime Interface Client) polls `next`, then posts a `response` or an `error`; a failed
initialisation posts `init/error`. See
https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
"""

from __future__ import annotations

import json
import queue
import re
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_VERSION = "2018-06-01"
_NEXT = re.compile(rf"^/{API_VERSION}/runtime/invocation/next$")
_RESULT = re.compile(rf"^/{API_VERSION}/runtime/invocation/(?P<id>[^/]+)/(?P<kind>response|error)$")
_INIT_ERROR = re.compile(rf"^/{API_VERSION}/runtime/init/error$")
_POLL_SECONDS = 0.5


@dataclass(frozen=True)
class Invocation:
    request_id: str
    payload: bytes
    function_arn: str
    deadline_ms: int
    trace_id: str = ""


@dataclass(frozen=True)
class Outcome:
    payload: bytes
    is_error: bool


class RuntimeApi:
    """One Runtime API endpoint on loopback, handing out one invocation at a time."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._pending: queue.Queue[Invocation] = queue.Queue(maxsize=1)
        self._futures: dict[str, Future[Outcome]] = {}
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.ready = threading.Event()  # the runtime asked for its first invocation
        self.init_error: bytes | None = None
        self.init_failed = threading.Event()
        self._server = ThreadingHTTPServer((host, 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name=f"runtime-api-{self.port}")

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def address(self) -> str:
        """The value of AWS_LAMBDA_RUNTIME_API."""
        host = self._server.server_address[0]
        return f"{host}:{self.port}"

    def start(self) -> RuntimeApi:
        self._thread.start()
        return self

    def close(self) -> None:
        self._closed.set()
        self._server.shutdown()
        self._server.server_close()

    def submit(self, invocation: Invocation) -> Future[Outcome]:
        """Queue an invocation for the runtime's next `next`; the future holds its outcome."""
        future: Future[Outcome] = Future()
        with self._lock:
            self._futures[invocation.request_id] = future
        self._pending.put_nowait(invocation)
        return future

    def forget(self, request_id: str) -> None:
        """Drop an invocation that will not be answered (timed out, runtime gone)."""
        with self._lock:
            self._futures.pop(request_id, None)
        try:
            while True:
                self._pending.get_nowait()
        except queue.Empty:
            pass

    # Called from the HTTP handler threads.
    def _next_invocation(self) -> Invocation | None:
        self.ready.set()
        while not self._closed.is_set():
            try:
                return self._pending.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
        return None

    def _finish(self, request_id: str, outcome: Outcome) -> bool:
        with self._lock:
            future = self._futures.pop(request_id, None)
        if future is None:
            return False
        future.set_result(outcome)
        return True

    def _fail_init(self, body: bytes) -> None:
        self.init_error = body
        self.init_failed.set()


def _handler_for(api: RuntimeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format, *args):  # the runtime's own logs are what matter
            pass

        def do_GET(self):
            if not _NEXT.match(self.path):
                return self._reply(HTTPStatus.NOT_FOUND, _error("InvalidRequest", "unknown path"))
            invocation = api._next_invocation()
            if invocation is None:
                return self._reply(HTTPStatus.GONE, _error("Shutdown", "environment stopped"))
            headers = {
                "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
                "Lambda-Runtime-Deadline-Ms": str(invocation.deadline_ms),
                "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
                "Lambda-Runtime-Trace-Id": invocation.trace_id,
            }
            self._reply(HTTPStatus.OK, invocation.payload, headers)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if match := _RESULT.match(self.path):
                outcome = Outcome(body, is_error=match["kind"] == "error")
                if not api._finish(match["id"], outcome):
                    return self._reply(HTTPStatus.BAD_REQUEST,
                                       _error("InvalidRequestID", "Invalid request ID"))
                return self._reply(HTTPStatus.ACCEPTED, b'{"status":"OK"}')
            if _INIT_ERROR.match(self.path):
                api._fail_init(body)
                return self._reply(HTTPStatus.ACCEPTED, b'{"status":"OK"}')
            self._reply(HTTPStatus.NOT_FOUND, _error("InvalidRequest", "unknown path"))

        def _reply(self, status: HTTPStatus, body: bytes, headers: dict[str, str] | None = None):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the runtime is gone; nothing to tell
                pass

    return Handler


def _error(error_type: str, message: str) -> bytes:
    return json.dumps({"errorType": error_type, "errorMessage": message}).encode()
