"""The memory estimates the processor schedules renders by are upper bounds of what each kind of
file really takes (peak memory of a render in a fresh process, measured here)."""

import io
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from photo_jobs import limits
from photo_processor import budget
from photo_processor.pipeline import Header, inspect
from support import dng

MEGAPIXELS = 8


def source(kind: str) -> bytes:
    width, height = 3264, 2448  # 8 MP
    rng = np.random.default_rng(1)
    noisy = np.kron(rng.integers(0, 256, (height // 16, width // 16, 4), dtype=np.uint8), np.ones((16, 16, 1), np.uint8))
    out = io.BytesIO()
    if kind == "jpeg rotated":
        exif = Image.Exif()
        exif[0x0112] = 6
        Image.fromarray(noisy[..., :3]).save(out, "JPEG", quality=92, exif=exif.tobytes())
    elif kind == "png with alpha":
        Image.fromarray(noisy, "RGBA").save(out, "PNG", compress_level=1)
    elif kind == "webp with alpha":
        Image.fromarray(noisy, "RGBA").save(out, "WEBP", quality=80, method=0)
    elif kind == "cmyk jpeg":
        Image.fromarray(noisy[..., :3]).convert("CMYK").save(out, "JPEG", quality=92)
    elif kind == "16-bit grey png":
        Image.fromarray(noisy[..., 0].astype(np.uint16) * 257).save(out, "PNG", compress_level=1)
    elif kind == "heic":
        from pillow_heif import from_pillow

        from_pillow(Image.fromarray(noisy[..., :3])).save(out, quality=80)
    elif kind == "camera raw":
        return dng(noisy[..., :3], orientation=6, preview_first=True)
    return out.getvalue()


MEASURE = """
import json, sys
from photo_jobs import spec
from photo_processor import runtime
from photo_processor.pipeline import render
runtime.prepare()
data = open(sys.argv[1], "rb").read()
heavy = spec.parse({"preset": "warm_portrait", "rotate": 90, "filters": {"vignette": 50}, "watermark": {"text": "PROOF"}})
status = lambda field: next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith(field)) * 1024
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")
before = status("VmRSS:")
render(data, heavy)
print(json.dumps({"over": status("VmHWM:") - before}))
"""


@pytest.mark.parametrize("kind", ["jpeg rotated", "png with alpha", "webp with alpha", "cmyk jpeg", "16-bit grey png", "heic",
                                  "camera raw"])
def test_a_renders_peak_stays_under_its_estimate(kind, tmp_path):
    data = source(kind)
    path = tmp_path / "photo"
    path.write_bytes(data)
    measured = json.loads(subprocess.run([sys.executable, "-c", MEASURE, str(path)], check=True,
                                         capture_output=True, text=True).stdout)["over"]
    estimate = budget.estimate_bytes(inspect(data), len(data))
    # the source's own bytes were in memory before the render began: the estimate counts them
    assert measured + len(data) <= estimate, f"{kind}: measured {measured / 2**20:.0f} MB, estimated {estimate / 2**20:.0f} MB"
    assert estimate < 2.5 * (measured + len(data)), "an estimate this loose wastes the function's cores"


def test_the_largest_raw_the_limits_accept_fits_the_function_beside_its_runtime():
    worst = budget.estimate_bytes(Header("DNG", "RAW", 12_800, 8_590), limits.MAX_SOURCE_BYTES)  # 110 MP
    assert 12_800 * 8_590 <= limits.MAX_RAW_PIXELS
    assert worst + budget.RUNTIME_MB * budget.MB < 2048 * budget.MB  # terraform's lambda_memory_mb


def test_renders_are_admitted_by_cores_and_memory():
    import threading
    import time

    gate = budget.Budget(slots=2, capacity=1000)
    running, most = [], [0]
    lock = threading.Lock()

    def render(need):
        with gate.admit(need):
            with lock:
                running.append(need)
                most[0] = max(most[0], sum(running))
            time.sleep(0.05)
            with lock:
                running.remove(need)

    threads = [threading.Thread(target=render, args=(need,)) for need in (600, 600, 300, 300, 300, 2000)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
    assert not any(thread.is_alive() for thread in threads)  # the one bigger than everything ran too, alone
    assert most[0] <= 2000 and max(len([1]) for _ in running or [0]) <= 2


def test_a_vcpu_per_1769_mb_as_on_aws():
    assert budget.render_slots(2048) == 1
    assert budget.render_slots(1024) == 1
    assert budget.render_slots(3538) == min(2, len(__import__("os").sched_getaffinity(0)))
