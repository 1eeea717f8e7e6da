"""How many photos render at once: up to the vCPUs the function has, and only while their
estimated peaks fit its memory. A batch of small photos uses every vCPU; a 100 MP scan runs alone.

The estimates come from measurement (`make bench` prints them: peak memory per megapixel of each
kind of file); a unit test holds each estimate above the peak it measures.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager

from photo_processor.pipeline import Header

MB = 1 << 20
MB_PER_VCPU = 1769
# A render's peak over the process before it: a fixed part (first-use allocations of the codecs
# and the watermark font) and bytes per pixel by how the file is decoded: the decoded picture and
# the 8-bit RGB array it becomes, plus a rotation's second array. Measured at 8 and 72 MP with
# the heaviest spec (proofs included): JPEG 8.7 B/px, WebP 8.8, PNG 6.7-7.7, HEIF 7.0; 42-60 MB.
# Camera RAW (any kind: LibRaw holds the sensor data, 2 B/px, and its 8 B/px working picture beside
# the 3 B/px result): 117 MB at 8 MP, 326 MB at 24 MP, 760 MB at 61 MP, so 13.2 B/px at most.
PEAK_FIXED_BYTES = 60 * MB
PEAK_BYTES_PER_PIXEL = {"JPEG": 8.8, "WEBP": 9.6, "RAW": 14.0, "default": 7.8}
# A render's time on one vCPU for the heaviest spec (measured: 118 MP in 6.4 s; a RAW file's
# demosaicing, 24 MP in 3.9 s), with room.
SECONDS_PER_MEGAPIXEL = {"RAW": 0.25, "default": 0.08}
# What the interpreter, Pillow, OpenCV, NumPy and boto3 take before any photo.
RUNTIME_MB = 160
HEADROOM = 0.85  # of what is left: an estimate is not a promise


def estimate_bytes(header: Header, source_bytes: int) -> int:
    """The peak memory one render of this file needs, its source bytes included."""
    per_pixel = PEAK_BYTES_PER_PIXEL.get("RAW" if header.raw else header.format, PEAK_BYTES_PER_PIXEL["default"])
    return PEAK_FIXED_BYTES + int(per_pixel * header.pixels) + source_bytes


def estimate_seconds(header: Header) -> float:
    return SECONDS_PER_MEGAPIXEL["RAW" if header.raw else "default"] * header.pixels / 1e6


def render_slots(memory_mb: int) -> int:
    """Renders at once: one per vCPU the memory setting buys on AWS (1,769 MB each), at most
    the cores this process may use."""
    return max(1, min(len(os.sched_getaffinity(0)), memory_mb // MB_PER_VCPU))


def memory_bytes(memory_mb: int) -> int:
    """What renders may use of a function with `memory_mb`."""
    return int(max(0, memory_mb - RUNTIME_MB) * MB * HEADROOM)


class Budget:
    """Admits renders while they fit: at most `slots` at once, their estimates within `capacity`.

    A render bigger than the whole capacity still runs, alone: the limits are set so it fits.
    """

    def __init__(self, slots: int, capacity: int) -> None:
        self.slots, self.capacity = slots, capacity
        self._running, self._used = 0, 0
        self._changed = threading.Condition()

    @contextmanager
    def admit(self, need: int):
        with self._changed:
            self._changed.wait_for(lambda: self._running == 0 or (
                self._running < self.slots and self._used + need <= self.capacity))
            self._running += 1
            self._used += need
        try:
            yield
        finally:
            with self._changed:
                self._running -= 1
                self._used -= need
                self._changed.notify_all()


def for_this_function() -> Budget:
    memory_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "2048"))
    return Budget(render_slots(memory_mb), memory_bytes(memory_mb))
