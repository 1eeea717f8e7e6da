"""Speed of the running local stack (`make up`), as its users meet it:

    upload_to_processed_12mp_s   one 12 MP photo, from the upload until the web app has its event
    lambda_cold_start_ms         the processor's Init Duration (REPORT lines in CloudWatch Logs)
    shoot_photos_per_s           100 photos of 12 MP with `natural`, uploaded together through the
                                 API as the CLI sends them, until the web app has every event
    shoot_efficiency             shoot_photos_per_s / (cores / the single-core pipeline seconds of a
                                 12 MP photo, measured in the same run): 1.0 uses every core for
                                 nothing but the pipeline
    preview_s                    a preview of a 12 MP photo with a new look, warm (median of 5)
    healthz_with_200_streams_ms  /healthz while 200 pages hold an event stream open

and where the shoot's CPU time went, by process (the stack runs on this machine's cores).
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import requests

from bench import wedding
from bench.pipeline import SIZES, photographic
from vividart_cli.client import StudioClient

SHOOT_PHOTOS = 100
UPLOADS_AT_ONCE = 4  # the CLI's default


class Stack:
    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.outputs = json.loads((run_dir / "stack" / "outputs.json").read_text())
        self.web = self.outputs["web_url"]
        self.staff = json.loads((run_dir / "staff.json").read_text())
        self.token = self.staff["api_token"]
        self.studio = StudioClient(self.web, self.token)

    def events(self, shoot_id: str):
        """The shoot's server-sent events, as (kind, data): subscribed now, read as the caller goes."""
        response = requests.get(f"{self.web}/api/shoots/{shoot_id}/events", stream=True, timeout=600,
                                headers={"Authorization": f"Bearer {self.token}"})
        response.raise_for_status()
        return _parse(response)


def _parse(response):
    kind = None
    for line in response.iter_lines(decode_unicode=True):
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: "):
            yield kind, json.loads(line[6:])


def _wait_for_events(stack: Stack, shoot_id: str, keys: set[str], opened, timeout: float) -> dict[str, str]:
    """Collect the job events of `keys` from a stream opened before the uploads began."""
    seen: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    for kind, data in opened:
        if kind == "photo" and data["key"] in keys and data["status"] != "processing" and not data["outdated"]:
            seen[data["key"]] = data["status"]
            if len(seen) == len(keys):
                return seen
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(keys) - len(seen)} photos had no event within {timeout:.0f} s")
    raise RuntimeError("the event stream ended")


def _cpu_seconds() -> dict[str, float]:
    """CPU time of every process on this machine, by what it is."""
    tick, found = os.sysconf("SC_CLK_TCK"), {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat, open(f"/proc/{pid}/cmdline", "rb") as command:
                fields, cmdline = stat.read().rsplit(")", 1)[1].split(), command.read().decode(errors="replace")
        except OSError:
            continue
        found[pid] = (_role(cmdline), (int(fields[11]) + int(fields[12])) / tick)
    return found


def _role(cmdline: str) -> str:
    for needle, role in (("photo_processor", "processor"), ("localstack.runtime", "localstack"),
                         ("gunicorn", "web app"), ("postgres", "postgresql"), ("bench", "bench client")):
        if needle in cmdline:
            return role
    return "other"


def _cpu_by_role(before: dict, after: dict) -> dict[str, float]:
    totals: dict[str, float] = {}
    for pid, (role, seconds) in after.items():
        totals[role] = totals.get(role, 0.0) + seconds - before.get(pid, (role, 0.0))[1]
    return {role: round(seconds, 1) for role, seconds in sorted(totals.items(), key=lambda item: -item[1]) if seconds >= 0.05}


def latency_and_cold_start(stack: Stack, photo: bytes) -> dict[str, float]:
    shoot = stack.studio.create_shoot(f"bench latency {time.strftime('%H:%M:%S')}")
    stream = stack.events(shoot["id"])
    started = time.perf_counter()
    key = stack.studio.upload(shoot["id"], photo, "latency.jpg", spec={"preset": "natural"})
    _wait_for_events(stack, shoot["id"], {key}, stream, timeout=120)
    latency = time.perf_counter() - started
    logs = boto3.client("logs", endpoint_url=stack.outputs["localstack_endpoint"], region_name=stack.outputs["region"],
                        aws_access_key_id="test", aws_secret_access_key="test")
    reports = logs.filter_log_events(logGroupName=stack.outputs["log_group"], filterPattern='"Init Duration"')["events"]
    cold = [float(e["message"].split("Init Duration: ")[1].split(" ms")[0]) for e in reports if "Init Duration: " in e["message"]]
    print(f"local stack: 12 MP upload to its event in the web app {latency:.2f} s"
          + (f"; Lambda cold start (Init Duration) {max(cold):.0f} ms" if cold else ""), flush=True)
    return {"upload_to_processed_12mp_s": round(latency, 3), **({"lambda_cold_start_ms": round(max(cold), 1)} if cold else {})}


def shoot(stack: Stack, photo: bytes, pipeline_12mp_s: float) -> dict[str, float]:
    shoot = stack.studio.create_shoot(f"bench shoot {time.strftime('%H:%M:%S')}")
    stream = stack.events(shoot["id"])
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    with ThreadPoolExecutor(UPLOADS_AT_ONCE) as pool:
        keys = set(pool.map(lambda n: stack.studio.upload(shoot["id"], photo, f"DSC_{n:04d}.jpg", spec={"preset": "natural"}),
                            range(SHOOT_PHOTOS)))
    uploaded = time.perf_counter() - started
    outcomes = _wait_for_events(stack, shoot["id"], keys, stream, timeout=600)
    seconds = time.perf_counter() - started
    cpu = _cpu_by_role(cpu_before, _cpu_seconds())
    failed = sum(status != "processed" for status in outcomes.values())
    cores = len(os.sched_getaffinity(0))
    per_s = SHOOT_PHOTOS / seconds
    efficiency = per_s / (cores / pipeline_12mp_s)
    busy = sum(cpu.values()) / (cores * seconds)
    print(f"local stack: a shoot of {SHOOT_PHOTOS} photos (12 MP, natural) in {seconds:.1f} s, {per_s:.2f} photos/s "
          f"(uploads done after {uploaded:.1f} s; {failed} failed); efficiency {efficiency:.2f} "
          f"(ideal {cores} cores / {pipeline_12mp_s:.3f} s = {cores / pipeline_12mp_s:.2f} photos/s)", flush=True)
    print(f"  CPU seconds by process during the shoot ({busy:.0%} of the machine busy): "
          + ", ".join(f"{role} {value}" for role, value in cpu.items())
          + f"; the pipeline alone would need {SHOOT_PHOTOS * pipeline_12mp_s:.1f}", flush=True)
    return {"shoot_photos_per_s": round(per_s, 3), "shoot_efficiency": round(efficiency, 3),
            "shoot_failed": failed, "shoot_cpu_seconds": cpu}


def preview(stack: Stack, photo: bytes) -> dict[str, float]:
    shoot = stack.studio.create_shoot(f"bench preview {time.strftime('%H:%M:%S')}")
    key = stack.studio.upload(shoot["id"], photo, "preview.jpg")
    stack.studio.wait(key, timeout=120)
    stack.studio.preview(key, {"preset": "vintage"})  # a warm environment
    times = []
    for exposure in (0.1, 0.2, 0.3, 0.4, 0.5):  # each a new look: nothing cached
        started = time.perf_counter()
        stack.studio.preview(key, {"preset": "natural", "adjust": {"exposure": exposure}})
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(f"local stack: preview of a 12 MP photo with a new look {median:.2f} s (median of 5, warm)", flush=True)
    return {"preview_s": round(median, 3)}


def streams(stack: Stack, count: int = 200) -> dict[str, float]:
    shoot = stack.studio.create_shoot(f"bench streams {time.strftime('%H:%M:%S')}")
    port = int(stack.web.rsplit(":", 1)[1])
    held = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=10)
            sock.sendall(f"GET /api/shoots/{shoot['id']}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         f"Authorization: Bearer {stack.token}\r\n\r\n".encode())
            held.append(sock)
        for sock in held:
            sock.recv(100)
        times = []
        for _ in range(10):
            started = time.perf_counter()
            requests.get(f"{stack.web}/healthz", timeout=10).raise_for_status()
            times.append(time.perf_counter() - started)
    finally:
        for sock in held:
            sock.close()
    print(f"local stack: /healthz with {count} event streams open {1000 * max(times):.0f} ms at worst of 10", flush=True)
    return {"healthz_with_200_streams_ms": round(1000 * max(times), 1)}


def run(run_dir: Path, pipeline_12mp_s: float) -> dict:
    if not (run_dir / "stack" / "outputs.json").exists():
        print("local stack: not running (make up), its figures not measured")
        return {}
    stack = Stack(run_dir)
    photo = photographic(*SIZES["12mp"])
    figures = {"stack_mode": (run_dir / "mode").read_text().strip()}  # compose or embedded: which run is which
    figures.update(latency_and_cold_start(stack, photo))
    figures.update(shoot(stack, photo, pipeline_12mp_s))
    figures.update(preview(stack, photo))
    figures.update(streams(stack))
    figures.update(wedding.run(stack))
    return figures
