"""Outputs: the rendition sizes, output sharpening, the watermark, and the encoders.

libjpeg-turbo (through OpenCV) writes every JPEG straight from the array, with the sRGB profile,
the EXIF and the XMP (metadata.py) spliced in as segments; Pillow writes the WebP, with the same.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from photo_jobs.renditions import RENDITIONS
from photo_processor.pipeline.decode import SRGB_ICC
from photo_processor.pipeline.errors import PermanentError
from photo_processor.pipeline.geometry import bands, fit
from photo_processor.pipeline.metadata import XMP_HEADER, Embedded

NO_METADATA = Embedded()

WEB_EDGE, THUMB_EDGE = 2048, 400
SIZES = {"web": WEB_EDGE, "thumb": THUMB_EDGE}  # besides "full"; each made from the one before
# name, size it is encoded from, format, quality, proof: what every job produces, in this order
# (photo_jobs.renditions: the one table the web app and the tests read too).
OUTPUTS = tuple((r.name, r.size, r.format, r.quality, r.proof) for r in RENDITIONS)
WEBP_METHOD = 2  # libwebp's effort: 2.4x faster than 3 or 4, files about 3 % larger at the same quality
_HALO = 2  # rows a 5-tap blur reads beyond its band


@dataclass(frozen=True)
class Rendition:
    name: str
    data: bytes
    width: int
    height: int
    format: str  # "jpeg", "webp"
    content_type: str
    extension: str


def make_sizes(arrays: dict[str, np.ndarray]) -> None:
    """Add the smaller sizes to {"full": pixels}, each resized from the one before."""
    larger = arrays["full"]
    for size, edge in SIZES.items():
        larger = arrays[size] = fit(larger, edge)


def encode_all(arrays: dict[str, np.ndarray], mark: dict | None, meta: Embedded, proof_text: str) -> list[Rendition]:
    """Every output in OUTPUTS from its size's array (changed in place). One size at a time, and
    each array let go once encoded: the full-size one is gone before the next size."""
    out: dict[str, Rendition] = {}
    for size in ("full", *SIZES):
        pixels = arrays.pop(size)
        if mark:
            watermark(pixels, mark)
        jobs = [(name, fmt, quality, proof) for name, source_size, fmt, quality, proof in OUTPUTS if source_size == size]
        # proofs first (a copy each), then WebP, then JPEG last: it swaps the channels in place
        for name, fmt, quality, proof in sorted(jobs, key=lambda job: (not job[3], job[1] == "JPEG")):
            source = proof_marked(pixels, proof_text) if proof else pixels
            out[name] = encode_webp(name, source, quality, meta) if fmt == "WEBP" else encode_jpeg(name, source, quality, meta)
        del pixels
    return [out[name] for name, *_ in OUTPUTS]


def proof_marked(pixels: np.ndarray, text: str) -> np.ndarray:
    """A copy with `text` across the whole picture, diagonally and repeated: no corner to crop away."""
    height, width = pixels.shape[:2]
    keep, ink = _proof_layers(width, height, text)
    return cv2.add(cv2.multiply(pixels, keep, scale=1 / 255), ink)  # pixel * (1 - alpha) + colour * alpha


@functools.lru_cache(maxsize=6)  # a shoot's web and thumb sizes, landscape and portrait: 17 MB each at most
def _proof_layers(width: int, height: int, text: str) -> tuple[np.ndarray, np.ndarray]:
    """The overlay as two 8-bit layers: what each pixel keeps of the photo, and the ink added."""
    overlay = _proof_overlay(width, height, text)  # 8-bit RGBA: no float copies of a 2048 px picture
    alpha = cv2.merge([overlay[..., 3]] * 3)
    return cv2.subtract(255, alpha), cv2.multiply(np.ascontiguousarray(overlay[..., :3]), alpha, scale=1 / 255)


def _proof_overlay(width: int, height: int, text: str) -> np.ndarray:
    size = max(10, round(max(width, height) / 24))
    font = _font(size)
    left, top, right, bottom = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), text, font=font)
    tile = Image.new("RGBA", (right - left + 3 * size, bottom - top + 3 * size), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text((size - left, size - top), text, font=font, fill=(255, 255, 255, 110),
                              stroke_width=max(1, size // 18), stroke_fill=(0, 0, 0, 70))
    tile = tile.rotate(28, expand=True, resample=Image.Resampling.BICUBIC)
    layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    step_x, step_y = tile.width * 3 // 4, tile.height // 2  # rows overlap: the text leaves no gaps
    for row, y in enumerate(range(-tile.height // 2, height, step_y)):
        for x in range(-tile.width + (row % 2) * step_x // 2, width, step_x):
            layer.alpha_composite(tile, (max(0, x), max(0, y)), (max(0, -x), max(0, -y)))
    return np.asarray(layer)


def sharpen(pixels: np.ndarray, sharpness: float) -> None:
    """Unsharp mask in place: out = image + a * (image - blurred), band by band.

    A 5-tap kernel for sigma 1 (the 7 taps OpenCV would pick add under 1 % of the weight). Each
    band is blurred with the original rows around it, so the result is that of one whole-image
    blur without a full-size blurred copy.
    """
    if not sharpness:
        return
    amount = sharpness / 100 * 1.6
    height = pixels.shape[0]
    above = pixels[:0].copy()  # the original rows just above the current band
    for top, bottom in bands(height, pixels[0].nbytes):
        region = np.concatenate((above, pixels[top:min(height, bottom + _HALO)]))
        blurred = cv2.GaussianBlur(region, (5, 5), 1.0)[len(above):len(above) + bottom - top]
        above = pixels[max(top, bottom - _HALO):bottom].copy()
        band = pixels[top:bottom]
        cv2.addWeighted(band, 1 + amount, blurred, -amount, 0, dst=band)


@functools.lru_cache(maxsize=8)
def _font(size: int):
    return ImageFont.load_default(size=size)


def watermark(pixels: np.ndarray, mark: dict) -> None:
    """Text in the bottom-right corner, in place; only that corner is composited."""
    height, width = pixels.shape[:2]
    size = max(10, round(min(width, height) / 22))
    font = _font(size)
    left, top, right, bottom = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), mark["text"], font=font)
    x, y = width - (right - left) - size, height - (bottom - top) - size
    x0, y0, x1, y1 = max(0, x + left), max(0, y + top), min(width, x + right), min(height, y + bottom)
    if x1 <= x0 or y1 <= y0:
        return  # a sliver of a photo has no corner to mark
    patch = Image.fromarray(pixels[y0:y1, x0:x1]).convert("RGBA")
    layer = Image.new("RGBA", patch.size, (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((x - x0, y - y0), mark["text"], font=font,
                               fill=(255, 255, 255, round(255 * mark["opacity"] / 100)))
    pixels[y0:y1, x0:x1] = np.asarray(Image.alpha_composite(patch, layer).convert("RGB"))


def encode_jpeg(name: str, pixels: np.ndarray, quality: int, meta: Embedded = NO_METADATA) -> Rendition:
    """libjpeg-turbo straight from the array (Pillow would first copy it into an image of its own).

    OpenCV reads BGR, so the array is swapped in place: JPEG is the last use of each size.
    """
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR, dst=pixels),
                            [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise PermanentError("unprocessable", f"the JPEG encoder could not write the {name} rendition")
    height, width = pixels.shape[:2]
    return Rendition(name, with_metadata(data, meta), width, height, "jpeg", "image/jpeg", "jpg")


def with_metadata(jpeg: np.ndarray, meta: Embedded) -> bytes:
    """The JPEG with the EXIF and the XMP (APP1 each) and an sRGB profile (APP2) after its JFIF
    header: one copy."""
    view = memoryview(jpeg).cast("B")
    segments = _segment(0xE2, b"ICC_PROFILE\0\x01\x01" + SRGB_ICC)
    if meta.xmp and len(XMP_HEADER + meta.xmp) <= 65533:  # the rights' fields are bounded: always
        segments = _segment(0xE1, XMP_HEADER + meta.xmp) + segments
    if meta.exif and len(meta.exif) <= 65533:  # the kept tags fit one segment unless forged
        segments = _segment(0xE1, meta.exif) + segments
    at = 2 + (2 + int.from_bytes(view[4:6], "big") if bytes(view[2:4]) == b"\xff\xe0" else 0)
    return b"".join((view[:at], segments, view[at:]))


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def encode_webp(name: str, pixels: np.ndarray, quality: int, meta: Embedded = NO_METADATA) -> Rendition:
    buffer = io.BytesIO()
    image = Image.fromarray(pixels)
    image.save(buffer, "WEBP", quality=quality, method=WEBP_METHOD, icc_profile=SRGB_ICC, exif=meta.exif, xmp=meta.xmp)
    return Rendition(name, buffer.getvalue(), image.width, image.height, "webp", "image/webp", "webp")
