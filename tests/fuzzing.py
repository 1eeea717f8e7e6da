"""Seeded fuzzing of the pipeline: mutated and truncated photos of every kind we accept must each
be processed or fail permanently with a reason, within the function's memory.

    python tests/fuzzing.py --count 20000 [--seed N] [--workers 2]     (make fuzz)

Each file renders in a worker process limited to the function's memory, as the Lambda is; the
worker reports the outcome and its peak memory for that file.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms

sys.path.insert(0, str(Path(__file__).parent))
from support import dng, photo  # noqa: E402

FUNCTION_MEMORY_MB = 2048  # terraform/modules/processor memory_mb default
PER_FILE_TIMEOUT_S = 60


def seeds() -> list[tuple[str, bytes]]:
    """Small valid photos of every accepted kind, with the metadata a camera or editor leaves."""
    base = Image.open(io.BytesIO(photo(160, 120, seed=3)))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x013B] = "Ana Fotografa"
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 22.0, 1.0)})
    exif.get_ifd(0x8769).update({0x9003: "2026:01:01 10:00:00", 0xA431: "SERIAL"})
    lab_icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB", 5000)).tobytes()
    srgb_icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    rgba = base.convert("RGBA")
    rgba.putalpha(Image.linear_gradient("L").resize(base.size))

    def save(image, fmt, **options):
        out = io.BytesIO()
        image.save(out, fmt, **options)
        return out.getvalue()

    files = [
        ("camera.jpg", save(base, "JPEG", quality=90, exif=exif.tobytes(), icc_profile=srgb_icc)),
        ("progressive.jpg", save(base, "JPEG", progressive=True, exif=exif.tobytes())),
        ("print.jpg", save(base.convert("CMYK"), "JPEG")),
        ("alpha.png", save(rgba, "PNG", exif=exif.tobytes())),
        ("grey16.png", save(base.convert("I;16"), "PNG")),
        ("palette.png", save(base.quantize(32), "PNG", transparency=0)),
        ("lab.tif", save(base, "TIFF", icc_profile=lab_icc, exif=exif.tobytes())),
        ("lzw.tif", save(base, "TIFF", compression="tiff_lzw")),
        ("alpha.webp", save(rgba, "WEBP", quality=80, exif=exif.tobytes(), icc_profile=srgb_icc)),
    ]
    from pillow_heif import from_pillow

    heif = io.BytesIO()
    from_pillow(base).save(heif, quality=70)
    files.append(("phone.heic", heif.getvalue()))
    # camera RAW: LibRaw's parsers and decoders, by the layouts cameras write
    import numpy as np

    pixels = np.asarray(base)
    files += [("sensor.dng", dng(pixels, orientation=6)), ("camera.dng", dng(pixels, preview_first=True)),
              ("camera.nef", dng(pixels, preview_first=True, dng_version=False, make="NIKON CORPORATION")),
              ("camera.cr2", dng(pixels, preview_first=True, dng_version=False, make="Canon"))]
    return files


def mutate(rng: random.Random, data: bytes) -> bytes:
    """One to three damages of the kinds files really suffer, and a few forged ones."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        if not out:
            break
        kind = rng.randrange(8)
        at = rng.randrange(len(out))
        if kind == 0:  # flipped bits
            for _ in range(rng.randint(1, 16)):
                out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
        elif kind == 1:  # a run of garbage
            out[at:at + rng.randint(1, 64)] = rng.randbytes(rng.randint(1, 64))
        elif kind == 2:  # truncated
            del out[at:]
        elif kind == 3:  # a chunk repeated
            size = rng.randint(1, 256)
            out[at:at] = out[at:at + size]
        elif kind == 4:  # a chunk lost
            del out[at:at + rng.randint(1, 256)]
        elif kind == 5:  # a forged number in the header: sizes, lengths, offsets
            where = rng.randrange(min(len(out), 512) or 1)
            out[where:where + 2] = rng.choice([b"\xff\xff", b"\x00\x00", b"\x7f\xff", b"\x00\x01", b"\xff\xfe"])
        elif kind == 6:  # a forged 32-bit number in the header
            where = rng.randrange(min(len(out), 512) or 1)
            out[where:where + 4] = rng.choice([b"\xff\xff\xff\xff", b"\x00\x00\x00\x00", b"\x00\x01\x00\x00",
                                               b"\x00\x00\xff\xff", b"\x7f\xff\xff\xff"])
        else:  # a forged size: the seed's width or height, wherever the header spells it
            _forge_size(rng, out)
    return bytes(out)


SEED_SIZE = (160, 120)


def _forge_size(rng: random.Random, out: bytearray) -> None:
    new = rng.choice([1, 2, 3000, 9000, 11000, 16383, 16384, 40000, 65500, 65535])
    head = bytes(out[:2048])
    spots = [(at, width, order) for value in SEED_SIZE for order in ("big", "little") for width in (2, 4)
             for at in _find_all(head, value.to_bytes(width, order))]
    if spots:
        at, width, order = rng.choice(spots)
        out[at:at + width] = min(new, 2 ** (8 * width) - 1).to_bytes(width, order)


def _find_all(haystack: bytes, needle: bytes) -> list[int]:
    found, at = [], haystack.find(needle)
    while at >= 0:
        found.append(at)
        at = haystack.find(needle, at + 1)
    return found


@dataclass
class Outcome:
    name: str
    result: str  # "processed", "failed:<reason>", "bug:<what>", "killed:<why>"
    peak_mb: float
    seconds: float

    @property
    def acceptable(self) -> bool:
        """Processed, or refused for the file's sake: "unprocessable" is a surprise in our code."""
        return self.result == "processed" or (self.result.startswith("failed:") and self.result != "failed:unprocessable")


def cases(count: int, seed: int) -> list[tuple[str, bytes]]:
    rng = random.Random(seed)
    originals = seeds()
    found = []
    for number in range(count):
        name, data = originals[number % len(originals)]
        found.append((f"{number:05d}-{name}", mutate(rng, data)))
    return found


class Worker:
    """A render process with the function's memory limit, reused file after file."""

    def __init__(self, memory_mb: int) -> None:
        self.memory_mb = memory_mb
        self._start()

    def _start(self) -> None:
        limit = self.memory_mb * 1024 * 1024

        def limited():
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))

        # libjpeg's warnings about damaged data go to stderr: thousands of lines, no news
        self.process = subprocess.Popen([sys.executable, __file__, "--worker"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                        preexec_fn=limited)

    def run(self, name: str, data: bytes, folder: Path) -> Outcome:
        path = folder / name
        path.write_bytes(data)
        started = time.monotonic()
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        line = _readline(self.process, PER_FILE_TIMEOUT_S)
        path.unlink()
        if line is None:  # killed by the memory limit, crashed, or too slow: all failures of ours
            code = self.process.poll()
            self.process.kill()
            self.process.wait()
            self._start()
            return Outcome(name, f"killed:exit {code}" if code is not None else "killed:timeout", 0.0,
                           time.monotonic() - started)
        answer = json.loads(line)
        return Outcome(name, answer["result"], answer["peak_mb"], time.monotonic() - started)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def _readline(process: subprocess.Popen, timeout: float) -> str | None:
    import select

    ready, _, _ = select.select([process.stdout], [], [], timeout)
    if not ready:
        return None
    return process.stdout.readline() or None


def run(count: int, seed: int, workers: int, folder: Path, memory_mb: int = FUNCTION_MEMORY_MB) -> list[Outcome]:
    folder.mkdir(parents=True, exist_ok=True)
    todo = cases(count, seed)
    pool = [Worker(memory_mb) for _ in range(workers)]
    try:
        with ThreadPoolExecutor(workers) as threads:
            chunks = [todo[n::workers] for n in range(workers)]
            results = threads.map(lambda pair: [pair[0].run(n, d, folder) for n, d in pair[1]], zip(pool, chunks))
            return [outcome for chunk in results for outcome in chunk]
    finally:
        for worker in pool:
            worker.close()


def _worker() -> None:
    """The child: render each file named on stdin; print its outcome and peak memory."""
    from photo_jobs import spec as edit_spec
    from photo_processor import runtime
    from photo_processor.pipeline import PermanentError, render

    runtime.prepare()
    spec = edit_spec.parse({"preset": "warm_portrait", "rotate": 90, "crop": "4:5", "watermark": {"text": "PROOF"}})
    for line in sys.stdin:
        data = Path(line.strip()).read_bytes()
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # the peak is this file's alone
        try:
            render(data, spec)
            result = "processed"
        except PermanentError as error:
            result = f"failed:{error.reason}" + (f": {error}" if error.reason == "unprocessable" else "")
        except MemoryError:
            result = "bug:MemoryError within the limits"
        except Exception as error:  # noqa: BLE001 - exactly what the fuzzing looks for
            result = f"bug:{type(error).__name__}: {error}"
        peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
        print(json.dumps({"result": result, "peak_mb": peak}), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/vividart-fuzz"))
    args = parser.parse_args()
    started = time.monotonic()
    outcomes = run(args.count, args.seed, args.workers, args.folder)
    bad = [o for o in outcomes if not o.acceptable]
    tally: dict[str, int] = {}
    for outcome in outcomes:
        kind = ":".join(outcome.result.split(":")[:2 if outcome.result.startswith("failed") else 1])
        tally[kind] = tally.get(kind, 0) + 1
    print(f"{len(outcomes)} files (seed {args.seed}) in {time.monotonic() - started:.0f} s: {tally}; "
          f"peak {max(o.peak_mb for o in outcomes):.0f} MB, slowest {max(o.seconds for o in outcomes):.1f} s")
    for outcome in bad[:50]:
        print(f"  {outcome.name}: {outcome.result}")
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--worker"]:
        _worker()
    else:
        sys.exit(main())
