"""Speed of the pipeline, as ratios against baselines measured in the same run, on one core.

    pipeline  the project's render() with the `natural` preset and the studio's rights (every output)
    baseline  a straightforward Pillow implementation of the same edit and outputs (for the RAW
              photo: LibRaw's own defaults, then the same)
    floor     the pipeline's own decode, resize and encoders, no edits

Photos: 12 and 24 MP JPEGs, and a 24 MP camera RAW file (a DNG of the same picture as the
sensor saw it, laid out as a camera writes it: a preview first, the sensor's data uncompressed).

Each runs as the processor does (photo_processor.runtime: memory kept for reuse, one OpenCV
thread). Run by `make bench` (scripts/bench/__main__.py).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image, ImageCms, ImageEnhance, ImageFilter, ImageOps

from photo_jobs import spec as edit_spec
from photo_jobs.rights import Rights
from photo_processor import pipeline, runtime
from photo_processor.pipeline import decode, outputs, raw

SIZES = {"12mp": (4000, 3000), "24mp": (6000, 4000), "raw24mp": (6000, 4000)}
ROUNDS = 5
RIGHTS = Rights.default("VividArt bench").for_year(2026)


def photographic(width: int, height: int) -> bytes:
    """A photo-like JPEG: smooth light, fine texture and hard edges, tagged sRGB with EXIF."""
    base = Image.effect_mandelbrot((width // 8, height // 8), (-2.0, -1.2, 1.0, 1.2), 96)
    light = Image.radial_gradient("L").resize((width // 8, height // 8))
    channels = [base, light, Image.linear_gradient("L").resize((width // 8, height // 8))]
    image = Image.merge("RGB", channels).resize((width, height), Image.Resampling.BICUBIC)
    grain = Image.effect_noise((width, height), 18).convert("RGB")
    image = Image.blend(image, grain, 0.12)
    exif = Image.Exif()
    exif[0x013B] = "VividArt bench"
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, icc_profile=pipeline.SRGB_ICC, exif=exif.tobytes())
    return out.getvalue()


def camera_raw(width: int, height: int) -> bytes:
    """The photographic picture as a camera's DNG (tests/support.py makes it, as for the tests)."""
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tests"))
    from support import dng  # noqa: PLC0415 - the tests' maker of RAW files

    return dng(np.asarray(Image.open(io.BytesIO(photographic(width, height)))), preview_first=True)


def run_pipeline(source: bytes) -> dict[str, float]:
    return pipeline.render(source, edit_spec.parse({"preset": "natural"}), rights=RIGHTS).timings_ms


def run_baseline(source: bytes) -> dict[str, float]:
    """What one would write first with Pillow: every edit a full pass, renditions from full size."""
    if raw.kind(source):  # LibRaw's defaults (camera white balance asked for), then the same
        import rawpy  # noqa: PLC0415

        with rawpy.imread(io.BytesIO(source)) as sensor:
            image = Image.fromarray(sensor.postprocess(use_camera_wb=True))
    else:
        image = Image.open(io.BytesIO(source))
        image.load()
    image = ImageOps.exif_transpose(image)
    if icc := image.info.get("icc_profile"):
        image = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(icc)), decode.SRGB, outputMode="RGB")
    image = ImageEnhance.Contrast(image).enhance(1.08)
    image = ImageEnhance.Color(image).enhance(1.15)
    image = ImageEnhance.Brightness(image).enhance(1.03)
    full = image.filter(ImageFilter.UnsharpMask(radius=2, percent=40, threshold=2))
    sizes = {"full": full}
    for size, edge in outputs.SIZES.items():
        sizes[size] = full.copy()
        sizes[size].thumbnail((edge, edge), Image.Resampling.LANCZOS)
    for _, size, fmt, quality, proof in pipeline.OUTPUTS:  # the same files: same qualities, same WebP effort
        image = sizes[size]
        if proof:  # the studio's name across it, as Pillow would lay it on
            image = Image.alpha_composite(image.convert("RGBA"), Image.fromarray(
                outputs._proof_overlay(image.width, image.height, "PROOF"), "RGBA")).convert("RGB")
        image.save(io.BytesIO(), fmt, quality=quality, icc_profile=pipeline.SRGB_ICC, method=outputs.WEBP_METHOD)
    return {}


def run_floor(source: bytes) -> dict[str, float]:
    """The pipeline's own codecs and resizing, no edits: decode once, make the sizes, encode the outputs."""
    kind = raw.kind(source)
    sizes = {"full": raw.RawFile(source, kind).decode() if kind else decode.decode_jpeg(source)}
    outputs.make_sizes(sizes)
    outputs.encode_all(sizes, None, outputs.NO_METADATA, "PROOF")
    return {}


def _vm_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


RUNNERS = {"pipeline": run_pipeline, "floor": run_floor, "baseline": run_baseline}


def measure(photo_path: str) -> dict[str, dict]:
    """Each kind in its own process on one core, taking turns for ROUNDS rounds, so a slow spell
    of the machine falls on all of them alike; each kind's best round counts."""
    children = {kind: subprocess.Popen([sys.executable, "-m", "bench.pipeline", "--child", kind, photo_path],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=os.environ)
                for kind in RUNNERS}
    best: dict[str, dict] = {}
    try:
        for _ in range(ROUNDS):
            for kind, child in children.items():
                child.stdin.write("run\n")
                child.stdin.flush()
                line = child.stdout.readline()
                if not line:
                    raise RuntimeError(f"the {kind} measurement failed (exit {child.wait()})")
                result = json.loads(line)
                if kind in best and best[kind]["seconds"] <= result["seconds"]:
                    result = dict(best[kind], peak_mb=result["peak_mb"])  # the peak only grows
                best[kind] = result
    finally:
        for child in children.values():
            child.stdin.close()
            child.wait()
    return best


def child(kind: str, photo_path: str) -> None:
    """Runs `kind` once per line read; prints its time, stages and the process's peak memory."""
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    runtime.prepare()
    with open(photo_path, "rb") as photo:
        source = photo.read()
    # The peak is counted from here: the kernel's high-water mark is reset to what is in use now.
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    before = _vm_kb("VmRSS")
    for _ in sys.stdin:
        started = time.perf_counter()
        stages = RUNNERS[kind](source)
        elapsed = time.perf_counter() - started
        print(json.dumps({"seconds": elapsed, "stages_ms": stages, "peak_mb": _vm_kb("VmHWM") / 1024,
                          "start_mb": before / 1024}), flush=True)


def run() -> dict[str, float]:
    """The pipeline's figures for each size, printed as they come."""
    figures: dict[str, float] = {}
    for size, (width, height) in SIZES.items():
        with tempfile.NamedTemporaryFile(suffix=".jpg") as photo:
            photo.write(camera_raw(width, height) if size.startswith("raw") else photographic(width, height))
            photo.flush()
            results = measure(photo.name)
        for kind, result in results.items():
            figures[f"{kind}_{size}_s"] = round(result["seconds"], 3)
        figures[f"pipeline_peak_{size}_mb"] = round(results["pipeline"]["peak_mb"], 1)
        figures[f"pipeline_vs_baseline_{size}"] = round(results["pipeline"]["seconds"] / results["baseline"]["seconds"], 3)
        figures[f"pipeline_vs_floor_{size}"] = round(results["pipeline"]["seconds"] / results["floor"]["seconds"], 3)
        stages = ", ".join(f"{k} {v:.0f}" for k, v in results["pipeline"]["stages_ms"].items())
        print(f"{size}: pipeline {results['pipeline']['seconds']:.3f} s ({stages} ms), "
              f"baseline {results['baseline']['seconds']:.3f} s, floor {results['floor']['seconds']:.3f} s, "
              f"pipeline/baseline {figures[f'pipeline_vs_baseline_{size}']:.2f}, "
              f"pipeline/floor {figures[f'pipeline_vs_floor_{size}']:.2f}, "
              f"peak {results['pipeline']['peak_mb']:.0f} MB (the process before it started: "
              f"{results['pipeline']['start_mb']:.0f} MB)", flush=True)
    figures["raw_vs_jpeg_24mp"] = round(figures["pipeline_raw24mp_s"] / figures["pipeline_24mp_s"], 3)
    print(f"a 24 MP RAW file takes {figures['raw_vs_jpeg_24mp']:.1f}x the time of a 24 MP JPEG", flush=True)
    return figures


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "--child":
    child(sys.argv[2], sys.argv[3])
