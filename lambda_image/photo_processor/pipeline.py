"""The image pipeline: bytes and an edit spec in, renditions out. No AWS in here.

The walking skeleton: decode, apply the EXIF orientation, encode a full-size JPEG. The
photo-processing issue continues here (colour management, edits, more renditions).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 100_000_000  # refuse decompression bombs before decoding
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own guard agrees (it errors at twice this)
JPEG_QUALITY = 90


class PermanentError(Exception):
    """This file can never be processed; retrying will not help."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Rendition:
    name: str
    data: bytes
    width: int
    height: int
    format: str  # "jpeg", "webp"
    content_type: str
    extension: str


def render(source: bytes, spec: dict) -> list[Rendition]:
    image = _open(source)
    image = ImageOps.exif_transpose(image)
    if image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=False)
    return [Rendition("full", out.getvalue(), image.width, image.height, "jpeg", "image/jpeg", "jpg")]


def _open(source: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(source))
        if image.width * image.height > MAX_PIXELS:
            raise PermanentError("too_large", f"{image.width}x{image.height} pixels is more than {MAX_PIXELS:,}")
        image.load()
        return image
    except UnidentifiedImageError:
        raise PermanentError("unsupported", "the file is not an image format we can read") from None
    except Image.DecompressionBombError as error:
        raise PermanentError("too_large", str(error)) from None
    except (OSError, SyntaxError) as error:  # Pillow's word for truncated or corrupt data
        raise PermanentError("corrupt", f"the image data is damaged: {error}") from None
