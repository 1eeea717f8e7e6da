"""How a processor process runs renders: set once, before the first photo.

- glibc gives every large array back to the kernel when it is freed, and the next photo's
  arrays fault in page by page again: a quarter of a 12 MP render's CPU time. Freed memory is
  kept for reuse instead (one arena, no trimming, no mmap for big blocks): the process holds on
  to its high-water mark, which the memory budget counts anyway.
- OpenCV's own threads add CPU time for the same work; photos render side by side instead
  (budget.Budget), one thread each. LibRaw's OpenMP threads too: their number is read when
  LibRaw loads, at the first RAW file (pipeline/raw.py), so it is set here, before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

import cv2

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
_KEEP = 1 << 30


def prepare() -> None:
    cv2.setNumThreads(1)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        for option, value in ((_M_ARENA_MAX, 1), (_M_MMAP_THRESHOLD, _KEEP), (_M_TRIM_THRESHOLD, _KEEP)):
            libc.mallopt(option, value)
    except (OSError, AttributeError):  # not glibc: its allocator's own defaults, a little slower
        pass
