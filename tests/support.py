"""Helpers the tests share: photos made on the spot, the repository's paths, waiting."""

from __future__ import annotations

import io
import os
import subprocess
import time
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("VIVIDART_CACHE", Path.home() / ".cache" / "vividart"))


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
