"""The LocalStack RuntimeExecutor: one execution environment = one Runtime API + one sandbox.

Settings, read here only:
  VIVIDART_LAMBDA_BACKEND         docker | process: where image functions run (default: docker
                                  when an engine answers, process otherwise)
  VIVIDART_LAMBDA_PROCESS_IMAGES  JSON {image: {"command": [...], "cwd": DIR}}: how the
                                  process backend runs an image's code on the host; an image
                                  named without a tag stands for all its tags (the working
                                  tree's code, whatever the deployment calls it)
  VIVIDART_STACK_ID               labels the containers, so a stack removes only its own
Zip functions always run as a process with the executor's own interpreter and awslambdaric.
Each invocation's output is handed to the EMF forwarder, which makes its EMF lines metrics.
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys
import time
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime

from localstack import config
from localstack.aws.api.lambda_ import PackageType
from localstack.services.lambda_.invocation.executor_endpoint import StatusErrorException
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import RuntimeExecutor

from vividart_localstack.emf_forwarder import FORWARDER as EMF_FORWARDER
from vividart_localstack.runtime_api import Invocation, RuntimeApi
from vividart_localstack.sandboxes import DockerSandbox, ProcessSandbox

LOG = logging.getLogger(__name__)
LOOPBACK = "127.0.0.1"
_WAIT_STEP = 0.05


class LambdaSetupError(Exception):
    """The function cannot run here (image missing, no local command for it)."""


def backend() -> str:
    chosen = os.environ.get("VIVIDART_LAMBDA_BACKEND", "").strip()
    if chosen:
        return chosen
    try:
        import docker

        docker.from_env().ping()
        return "docker"
    except Exception:
        return "process"


def local_command(image: str) -> dict | None:
    """How the process backend runs this image: by its exact name, or by its repository's."""
    images = json.loads(os.environ.get("VIVIDART_LAMBDA_PROCESS_IMAGES") or "{}")
    repository, _, tag = image.rpartition(":")
    untagged = repository if repository and "/" not in tag else image
    return images.get(image) or images.get(untagged)


def make_sandbox(function_version: FunctionVersion, environment_id: str):
    fn = function_version.config
    memory = int(fn.memory_size)
    if fn.package_type != PackageType.Image:
        code_dir = str(fn.code.get_unzipped_code_location())
        return ProcessSandbox([sys.executable, "-m", "awslambdaric", fn.handler], code_dir, memory)
    image = fn.image.image_uri
    image_config = fn.image_config
    if backend() == "process":
        local = local_command(image)
        if local is None:
            raise LambdaSetupError(f"no local command for image {image} (VIVIDART_LAMBDA_PROCESS_IMAGES)")
        # The local command stands for the image's entrypoint; a function's Command follows it, as
        # Docker's CMD follows ENTRYPOINT (the tick function names its handler so).
        command = list(image_config.command or []) if image_config else []
        return ProcessSandbox(list(local["command"]) + command, local["cwd"], memory)
    return DockerSandbox(
        image=image, memory_mb=memory,
        name=f"vividart-lambda-{function_version.id.function_name}-{environment_id}"[:128],
        labels={"vividart.lambda.function": function_version.id.function_name,
                "vividart.stack": os.environ.get("VIVIDART_STACK_ID", "default")},
        entrypoint=(image_config.entrypoint or None) if image_config else None,
        command=(image_config.command or None) if image_config else None,
        working_dir=(image_config.working_directory or None) if image_config else None,
    )


class VividartRuntimeExecutor(RuntimeExecutor):
    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id=id, function_version=function_version)
        self._api: RuntimeApi | None = None
        self._sandbox = None
        self._env: dict[str, str] = {}
        self._init_ms: float | None = None
        self._stopped = False

    # --- lifecycle -------------------------------------------------------------------------
    def start(self, env_vars: dict[str, str]) -> None:
        self._env = {k: str(v) for k, v in env_vars.items()}
        self._boot()

    def _boot(self) -> None:
        started = time.perf_counter()
        self._api = RuntimeApi(LOOPBACK).start()
        env = dict(self._env, AWS_LAMBDA_RUNTIME_API=self._api.address)
        self._sandbox = make_sandbox(self.function_version, self.id)
        if isinstance(self._sandbox, ProcessSandbox):
            env["LAMBDA_TASK_ROOT"] = self._sandbox.cwd
        self._sandbox.start(env)
        while not self._api.ready.is_set():
            if self._api.init_failed.is_set():
                raise StatusErrorException("Runtime init failed", payload=self._api.init_error)
            code = self._sandbox.exit_code()
            if code is not None or self._stopped:
                raise StatusErrorException("Runtime exited during init", payload=_exit_error(code))
            time.sleep(_WAIT_STEP)
        self._init_ms = (time.perf_counter() - started) * 1000

    def stop(self) -> None:
        self._stopped = True
        self._teardown()

    def _teardown(self) -> None:
        if self._sandbox is not None:
            self._sandbox.kill()
        if self._api is not None:
            self._api.close()

    # --- invocations -----------------------------------------------------------------------
    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        request_id = payload["invoke-id"]
        if self._sandbox.exit_code() is not None:  # reset after a timeout or a crash, as AWS does
            self._teardown()
            try:
                self._boot()
            except StatusErrorException as error:
                return InvocationResult(request_id, error.payload, is_error=True, logs=self._sandbox.output.take())
        timeout_s = int(self.function_version.config.timeout)
        began = time.perf_counter()
        invocation = Invocation(
            request_id=request_id,
            payload=(payload.get("payload") or "").encode(),
            function_arn=payload.get("invoked-function-arn", ""),
            deadline_ms=int(time.time() * 1000 + timeout_s * 1000),
            trace_id=payload.get("trace-id", ""),
        )
        future = self._api.submit(invocation)
        while True:  # the answer, or a timeout, or the runtime gone: checked every _WAIT_STEP
            try:
                outcome = future.result(timeout=_WAIT_STEP)
                break
            except FutureTimeout:
                pass
            if time.perf_counter() - began >= timeout_s:
                return self._timed_out(request_id, timeout_s, began)
            if self._sandbox.exit_code() is not None:
                time.sleep(_WAIT_STEP)  # an answer posted just before exit still counts
                if future.done():
                    continue
                self._api.forget(request_id)
                return self._result(request_id, _exit_error(self._sandbox.exit_code(), request_id),
                                    True, began)
        return self._result(request_id, outcome.payload, outcome.is_error, began)

    def _timed_out(self, request_id: str, timeout_s: int, began: float) -> InvocationResult:
        self._api.forget(request_id)
        self._sandbox.kill()
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
        message = f"{stamp} {request_id} Task timed out after {timeout_s:.2f} seconds"
        payload = json.dumps({"errorMessage": message}).encode()
        return self._result(request_id, payload, True, began, tail=message + "\n")

    def _result(self, request_id, payload, is_error, began, tail="") -> InvocationResult:
        duration_ms = (time.perf_counter() - began) * 1000
        self._sandbox.output.settle()  # output still in the pipe belongs to this invocation
        qualifier = self.function_version.id.qualifier
        memory = self.function_version.config.memory_size
        used = self._sandbox.max_memory_mb()
        report = (f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
                  f"Billed Duration: {math.ceil(duration_ms)} ms\tMemory Size: {memory} MB\t"
                  f"Max Memory Used: {used if used is not None else '-'} MB")
        if self._init_ms is not None:
            report += f"\tInit Duration: {self._init_ms:.2f} ms"
            self._init_ms = None
        logs = (f"START RequestId: {request_id} Version: {qualifier}\n"
                f"{self._sandbox.output.take()}{tail}END RequestId: {request_id}\n{report}\n")
        # Its EMF lines become metrics, as on AWS: queued here, published by another thread.
        EMF_FORWARDER.submit(self.function_version.id.account, self.function_version.id.region, logs)
        return InvocationResult(request_id, payload, is_error=is_error, logs=logs)

    # --- addresses -------------------------------------------------------------------------
    def get_address(self) -> str:
        return LOOPBACK

    def get_endpoint_from_executor(self) -> str:
        return config.LOCALSTACK_HOST.host

    def get_runtime_endpoint(self) -> str:
        return f"http://{self._api.address if self._api else LOOPBACK}"

    def get_logs(self) -> str:
        return self._sandbox.output.take() if self._sandbox else ""

    # --- versions --------------------------------------------------------------------------
    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        fn = function_version.config
        if fn.package_type != PackageType.Image:
            fn.code.prepare_for_execution()  # unzip once per version
            return
        image = fn.image.image_uri
        if backend() == "process":
            if local_command(image) is None:
                raise LambdaSetupError(f"no local command for image {image} (VIVIDART_LAMBDA_PROCESS_IMAGES)")
            return
        import docker

        try:
            docker.from_env().images.get(image)
        except docker.errors.ImageNotFound as missing:
            raise LambdaSetupError(f"image {image} is not on this Docker engine; build it first") from missing

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        pass

    @classmethod
    def validate_environment(cls) -> bool:
        LOG.info("vividart Lambda executor: image functions run as %s", backend())
        return True


def _exit_error(code: int | None, request_id: str | None = None) -> bytes:
    where = f"RequestId: {request_id} " if request_id else ""
    return json.dumps({
        "errorType": "Runtime.ExitError",
        "errorMessage": f"{where}Error: Runtime exited with error: exit status {code}",
    }).encode()
