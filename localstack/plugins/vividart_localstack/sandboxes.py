"""Where a function's runtime runs: a container from its image, or a local process.

Both take the environment the executor prepared (AWS_LAMBDA_RUNTIME_API included), collect the
runtime's output for its logs, and can be killed at any moment.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field

# AWS gives a function one vCPU's worth of time per 1,769 MB of memory.
MB_PER_VCPU = 1769


def cpu_share(memory_mb: int) -> float:
    """The CPU time a function of this memory gets on AWS, in cores (at most the host's)."""
    return min(float(os.cpu_count() or 1), memory_mb / MB_PER_VCPU)


# What a process sandbox keeps from the host so its interpreter can start at all.
_HOST_ENV_KEPT = ("PATH", "LANG", "LC_ALL", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")


class Output:
    """The runtime's stdout and stderr, as text, taken per invocation."""

    def __init__(self) -> None:
        self._chunks: list[str] = []
        self._lock = threading.Lock()
        self._last_write = time.monotonic()

    def write(self, text: str) -> None:
        with self._lock:
            self._chunks.append(text)
            self._last_write = time.monotonic()

    def take(self) -> str:
        with self._lock:
            text, self._chunks = "".join(self._chunks), []
            return text

    def settle(self, quiet: float = 0.03, limit: float = 0.5) -> None:
        """Wait briefly for output still in the pipe after the runtime answered."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            with self._lock:
                idle = time.monotonic() - self._last_write
            if idle >= quiet:
                return
            time.sleep(quiet)


@dataclass
class ProcessSandbox:
    """The runtime as a child process of LocalStack (embedded mode, and zip functions)."""

    command: list[str]
    cwd: str
    memory_mb: int
    output: Output = field(default_factory=Output)
    _process: subprocess.Popen | None = None

    def start(self, env: dict[str, str]) -> None:
        full_env = {k: os.environ[k] for k in _HOST_ENV_KEPT if k in os.environ}
        full_env.update(env)
        limit = self.memory_mb * 1024 * 1024

        def limit_memory():  # in the child, before exec: the function's memory setting
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))

        self._process = subprocess.Popen(
            self.command, cwd=self.cwd, env=full_env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=limit_memory,
        )
        threading.Thread(target=self._pump, daemon=True, name=f"lambda-output-{self._process.pid}").start()

    def _pump(self) -> None:
        for line in iter(self._process.stdout.readline, b""):
            self.output.write(line.decode("utf-8", "replace"))

    def exit_code(self) -> int | None:
        return self._process.poll() if self._process else None

    def max_memory_mb(self) -> int | None:
        try:
            with open(f"/proc/{self._process.pid}/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) // 1024
        except (OSError, AttributeError):
            pass
        return None

    def kill(self) -> None:
        if self._process and self._process.poll() is None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._process.wait()


@dataclass
class DockerSandbox:
    """The function's image as a container, with its own entrypoint, on the host network."""

    image: str
    memory_mb: int
    name: str
    labels: dict[str, str]
    entrypoint: list[str] | None = None
    command: list[str] | None = None
    working_dir: str | None = None
    output: Output = field(default_factory=Output)
    _container: object | None = None
    _exit_code: int | None = None
    _peak_bytes: int = 0

    def start(self, env: dict[str, str]) -> None:
        import docker  # only this sandbox needs the Docker SDK

        client = docker.from_env()
        self._container = client.containers.run(
            self.image, detach=True, name=self.name, labels=self.labels, environment=env,
            network_mode="host", mem_limit=f"{self.memory_mb}m", memswap_limit=f"{self.memory_mb}m",
            nano_cpus=int(cpu_share(self.memory_mb) * 1e9),
            entrypoint=self.entrypoint, command=self.command, working_dir=self.working_dir,
        )
        threading.Thread(target=self._pump, daemon=True, name=f"lambda-output-{self.name}").start()
        threading.Thread(target=self._wait, daemon=True, name=f"lambda-wait-{self.name}").start()
        threading.Thread(target=self._watch_memory, daemon=True, name=f"lambda-memory-{self.name}").start()

    def _pump(self) -> None:
        try:
            for chunk in self._container.logs(stream=True, follow=True):
                self.output.write(chunk.decode("utf-8", "replace"))
        except Exception:  # the container was removed under us
            pass

    def _wait(self) -> None:
        try:
            self._exit_code = int(self._container.wait().get("StatusCode", 1))
        except Exception:
            self._exit_code = 137

    def exit_code(self) -> int | None:
        return self._exit_code

    def _watch_memory(self) -> None:
        # The engine's stats stream (a sample a second), read off the invocation's path: asking
        # for one sample when an invocation ends waits for the engine's next tick, up to a second.
        try:
            for stats in self._container.stats(stream=True, decode=True):
                used = stats.get("memory_stats", {}).get("max_usage") or stats.get("memory_stats", {}).get("usage")
                if used:
                    self._peak_bytes = max(self._peak_bytes, int(used))
        except Exception:  # the container was removed under us
            pass

    def max_memory_mb(self) -> int | None:
        """The container's high-water mark as of the engine's last sample (at most a second old)."""
        return self._peak_bytes // (1024 * 1024) or None

    def kill(self) -> None:
        if self._container is not None:
            try:
                self._container.remove(force=True)
            except Exception:
                pass
