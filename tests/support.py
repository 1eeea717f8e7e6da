"""Helpers the tests share: photos made on the spot, the repository's paths, waiting."""

from __future__ import annotations

import fcntl
import io
import os
import subprocess
import sys
import time
from http.server import ThreadingHTTPServer
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("VIVIDART_CACHE", Path.home() / ".cache" / "vividart"))
# Added to every port the test stacks take, so that two checkouts can run their suites at once.
PORT_SHIFT = int(os.environ.get("VIVIDART_TEST_PORT_SHIFT", "0"))


def ports(*numbers: int) -> tuple[int, ...]:
    """The test stacks' ports, shifted by VIVIDART_TEST_PORT_SHIFT."""
    return tuple(n + PORT_SHIFT for n in numbers)


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    """An image saved as a file of that format, in memory."""
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def photo(width: int = 320, height: int = 240, orientation: int | None = None, seed: int = 0,
          fmt: str = "JPEG") -> bytes:
    """A photo-like image: smooth gradients with a seed, so different tests get different bytes."""
    image = Image.linear_gradient("L").resize((width, height))
    red = image.rotate(seed % 360, expand=False)
    image = Image.merge("RGB", (image, red, image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    out = io.BytesIO()
    extra = {}
    if orientation:
        exif = Image.Exif()
        exif[0x0112] = orientation
        extra["exif"] = exif.tobytes()
    image.save(out, fmt, **extra)
    return out.getvalue()


def pixel_bomb() -> bytes:
    """A 40000x40000 PNG (1.6 gigapixels) in a few hundred kB."""
    return encoded(Image.new("1", (40000, 40000)), "PNG")


def bootstrap_part_ready(variable: str, *arguments: str) -> None:
    """A part of the bootstrap is done. `make test` runs some beside the suites (the environment
    variable names that run's files): wait for it to end, by its lock, and fail with its log if
    it failed. Otherwise run it here (`bootstrap.sh ARGUMENTS`: seconds when it is done already)."""
    part = os.environ.get(variable)
    if not part:
        subprocess.run([str(REPO / "scripts" / "bootstrap.sh"), *arguments], check=True, timeout=1800)
        return
    with open(f"{part}.lock") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)  # held by the bootstrap until it ends
    rc = Path(f"{part}.rc").read_text().strip() if Path(f"{part}.rc").exists() else "missing"
    if rc != "0":
        log = Path(f"{part}.log").read_text()[-5000:] if Path(f"{part}.log").exists() else ""
        raise RuntimeError(f"the bootstrap's part {' '.join(arguments)} failed ({rc}):\n{log}")


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.25):
    """The first truthy value of predicate(), polled until timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout:g} s")


def terraform(*args, cwd) -> subprocess.CompletedProcess:
    """The Terraform the bootstrap chose (or built), with the project's CLI config (its mirror)."""
    binary = (CACHE / "terraform-bin").read_text().strip()
    env = dict(os.environ, TF_CLI_CONFIG_FILE=str(CACHE / "terraform.rc"), TF_IN_AUTOMATION="1")
    return subprocess.run([binary, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


# XYZ (D65) to linear sRGB: a DNG with this colour matrix has a sensor that sees in sRGB's primaries,
# so its reference decode is the picture it was made from.
XYZ_TO_SRGB = ((3.2404542, -1.5371385, -0.4985314), (-0.9692660, 1.8760108, 0.0415560),
               (0.0556434, -0.2040259, 1.0572252))


def srgb_to_linear(srgb: np.ndarray) -> np.ndarray:
    values = np.asarray(srgb, np.float64) / 255
    return np.where(values <= 0.04045, values / 12.92, ((values + 0.055) / 1.055) ** 2.4)


def dng(picture: np.ndarray, neutral=(0.5, 1.0, 0.7), orientation: int = 1, preview_first: bool = False,
        make: str = "VividArt", dng_version: bool = True, white: int = 16383) -> bytes:
    """A camera RAW file (DNG) of an 8-bit sRGB picture, as a sensor with an RGGB colour filter saw
    it under light that `neutral` describes (the camera's white balance: what a grey reads as).

    Decoded with the camera's white balance, it gives the picture back. `preview_first` lays it
    out as cameras do (a small preview first, the sensor data in a sub-directory);
    `dng_version=False` drops DNG's mark (then only that layout says it is not a plain TIFF).
    """
    import tifffile

    height, width = picture.shape[:2]
    seen = srgb_to_linear(picture) * np.asarray(neutral)
    mosaic = np.empty((height, width))
    for (row, column), channel in {(0, 0): 0, (0, 1): 1, (1, 0): 1, (1, 1): 2}.items():
        mosaic[row::2, column::2] = seen[row::2, column::2, channel]
    sensor = np.round(np.clip(mosaic, 0, 1) * white).astype(np.uint16)

    def rational(values, signed=False):
        return ("2i" if signed else "2I", len(values), [n for v in values for n in (round(v * 10000), 10000)])

    colour = [(50721, *rational([v for row in XYZ_TO_SRGB for v in row], signed=True), True),  # ColorMatrix1
              (50778, "H", 1, 21, True),  # CalibrationIlluminant1: D65
              (50728, *rational(neutral), True),  # AsShotNeutral
              (271, "s", 0, make, True), (272, "s", 0, "Test camera", True), (274, "H", 1, orientation, True),
              (50708, "s", 0, f"{make} Test camera", True)]
    if dng_version:
        colour += [(50706, "B", 4, (1, 4, 0, 0), True), (50707, "B", 4, (1, 1, 0, 0), True)]
    cfa = [(33421, "H", 2, (2, 2), True), (33422, "B", 4, (0, 1, 1, 2), True),  # CFARepeatPatternDim, CFAPattern
           (50710, "B", 3, (0, 1, 2), True), (50711, "H", 1, 1, True),  # CFAPlaneColor, CFALayout
           (50714, "H", 1, 0, True), (50717, "H", 1, white, True)]  # BlackLevel, WhiteLevel
    out = io.BytesIO()
    with tifffile.TiffWriter(out) as tiff:
        if preview_first:
            small = np.asarray(Image.fromarray(picture).reduce(8))
            tiff.write(small, photometric="rgb", subfiletype=1, subifds=1, extratags=colour, metadata=None)
            tiff.write(sensor, photometric=32803, subfiletype=0, extratags=cfa, metadata=None)
        else:
            tiff.write(sensor, photometric=32803, extratags=colour + cfa, metadata=None)
    return out.getvalue()


class QuietHTTPServer(ThreadingHTTPServer):
    """A test's loopback server that says nothing when a client hangs up mid-request (a proxy's
    probe, a client timing out on purpose); any other error it prints as http.server does."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

