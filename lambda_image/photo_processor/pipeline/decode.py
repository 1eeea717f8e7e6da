"""Decoding and colour: file bytes in; an upright 8-bit sRGB array and the source's EXIF out.

Pillow and LittleCMS read the file, its metadata and its colour profile; libjpeg-turbo (through
OpenCV) decodes plain sRGB JPEGs, the common camera file, straight into the array; LibRaw
decodes camera RAW files (raw.py). Anything wrong with the file is a PermanentError with a
reason; a damaged colour profile or EXIF block only means "no profile" or "no metadata", as in a
browser.
"""

from __future__ import annotations

import functools
import io
import struct
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageCms, UnidentifiedImageError

from photo_jobs.formats import SUMMARY
from photo_jobs.limits import MAX_EDGE, MAX_PIXELS, MAX_SOURCE_BYTES
from photo_processor.pipeline import raw
from photo_processor.pipeline.errors import PermanentError

try:  # HEIC/HEIF from phones
    from pillow_heif import register_heif_opener

    register_heif_opener()
    _HEIF = ["HEIF"]
except ImportError:  # pragma: no cover - the image always has it
    _HEIF = []

Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own guard agrees (it errors at twice this)
ACCEPTED_FORMATS = ["JPEG", "PNG", "TIFF", "WEBP", *_HEIF]  # Pillow's readers; JPEG covers MPO too
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
SRGB_ICC = SRGB.tobytes()
BAND_BYTES = 4 << 20  # colour conversion runs on bands of rows this big: no full-size copies

# What Pillow's readers raise on damaged data (found by fuzzing, not only OSError).
_DAMAGED = (OSError, SyntaxError, ValueError, EOFError, TypeError, KeyError, IndexError, struct.error,
            UnicodeDecodeError, ZeroDivisionError, OverflowError, AttributeError)


@dataclass(frozen=True)
class Header:
    """What the file says about itself before any pixel is decoded. `mode` is Pillow's, or "RAW"
    for camera sensor data (`format` then names the RAW kind)."""

    format: str
    mode: str
    width: int
    height: int

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def raw(self) -> bool:
        return self.mode == raw.RawFile.mode


def open_image(source: bytes) -> Image.Image | raw.RawFile:
    """Read the header only, and refuse what is too big before any pixel is decoded."""
    if len(source) > MAX_SOURCE_BYTES:
        raise PermanentError("too_large", f"{len(source):,} bytes is more than {MAX_SOURCE_BYTES:,}")
    if raw_kind := raw.kind(source):
        return _checked(raw.RawFile(source, raw_kind))
    try:
        image = Image.open(io.BytesIO(source), formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError:
        raise PermanentError("unsupported", f"the file is not an image format we can read (accepted: {SUMMARY})") from None
    except Image.DecompressionBombError as error:  # Pillow's guard fired first, at open
        raise PermanentError("too_large", f"more than {MAX_PIXELS:,} pixels: {error}") from None
    except _DAMAGED as error:
        raise PermanentError("corrupt", f"the image data is damaged or truncated: {error}") from None
    return _checked(image)


def _checked(image: Image.Image | raw.RawFile) -> Image.Image | raw.RawFile:
    try:
        if image.width * image.height > MAX_PIXELS:
            raise PermanentError("too_large", f"{image.width}x{image.height} pixels is more than {MAX_PIXELS:,}")
        if max(image.size) > MAX_EDGE:
            raise PermanentError("too_large", f"{image.width}x{image.height}: a side longer than {MAX_EDGE:,} "
                                 "pixels cannot be saved as a JPEG")
        if min(image.size) < 1:
            raise PermanentError("corrupt", f"the image is {image.width}x{image.height} pixels")
    except PermanentError:
        image.close()
        raise
    return image


def header(image: Image.Image | raw.RawFile) -> Header:
    return Header(image.format or "", image.mode, image.width, image.height)


def decode(source: bytes, image: Image.Image | raw.RawFile) -> tuple[np.ndarray, Image.Exif | None]:
    """(upright sRGB pixels, height x width x RGB uint8; the source's EXIF) of an opened file."""
    if isinstance(image, raw.RawFile):
        return image.decode(), image.exif()  # LibRaw applies the orientation itself
    if _plain_srgb_jpeg(image, source):
        exif = source_exif(image)
        pixels = decode_jpeg(source)  # the same pixels Pillow gives (tested), without its copy
    elif image.format == "WEBP" and not getattr(image, "is_animated", False):
        # Pillow's WebP reader holds the picture twice besides its own image; libwebp through
        # OpenCV gives one array, converted band by band like any other.
        exif = source_exif(image)
        pixels = to_srgb(_ArrayBands(_decode_unchanged(source)), image.info.get("icc_profile"))
    else:
        _load(image)
        exif = source_exif(image)  # after loading: some formats keep EXIF after the pixels
        pixels = to_srgb(image, image.info.get("icc_profile"))
    orientation = orientation_of(image)
    image.close()
    return orient(pixels, orientation), exif


def _load(image: Image.Image) -> None:
    try:
        image.load()
    except _DAMAGED as error:  # Pillow's words for damaged data
        raise PermanentError("corrupt", f"the image data is damaged or truncated: {error}") from None


def _plain_srgb_jpeg(image: Image.Image, source: bytes) -> bool:
    icc = image.info.get("icc_profile")
    return (image.format == "JPEG" and image.mode == "RGB" and (not icc or _is_srgb(icc))
            and source.rstrip(b"\0")[-2:] == b"\xff\xd9")  # complete: a truncated file takes Pillow's path


def decode_jpeg(source: bytes) -> np.ndarray:
    pixels = cv2.imdecode(np.frombuffer(source, np.uint8), cv2.IMREAD_COLOR_RGB | cv2.IMREAD_IGNORE_ORIENTATION)
    if pixels is None:
        raise PermanentError("corrupt", "the image data is damaged or truncated")
    return pixels


def orientation_of(image: Image.Image) -> int:
    try:
        value = image.getexif().get(0x0112, 1)
    except _DAMAGED:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def orient(pixels: np.ndarray, orientation: int) -> np.ndarray:
    """EXIF orientation 1-8 applied to an array, as ImageOps.exif_transpose does to an image (tested)."""
    if orientation == 2:
        return cv2.flip(pixels, 1)
    if orientation == 3:
        return cv2.rotate(pixels, cv2.ROTATE_180)
    if orientation == 4:
        return cv2.flip(pixels, 0)
    if orientation == 5:
        return cv2.transpose(pixels)
    if orientation == 6:
        return cv2.rotate(pixels, cv2.ROTATE_90_CLOCKWISE)
    if orientation == 7:
        return cv2.rotate(cv2.transpose(pixels), cv2.ROTATE_180)
    if orientation == 8:
        return cv2.rotate(pixels, cv2.ROTATE_90_COUNTERCLOCKWISE)
    return pixels


def _decode_unchanged(source: bytes) -> np.ndarray:
    pixels = cv2.imdecode(np.frombuffer(source, np.uint8), cv2.IMREAD_UNCHANGED | cv2.IMREAD_IGNORE_ORIENTATION)
    if pixels is None or pixels.ndim != 3 or pixels.dtype != np.uint8:
        raise PermanentError("corrupt", "the image data is damaged or truncated")
    return pixels


class _ArrayBands:
    """A BGR or BGRA array that hands out bands of rows as Pillow images, like Image.crop does."""

    def __init__(self, pixels: np.ndarray) -> None:
        self.pixels = pixels
        self.size = (pixels.shape[1], pixels.shape[0])

    def crop(self, box: tuple[int, int, int, int]) -> Image.Image:
        band = self.pixels[box[1]:box[3]]
        if band.shape[2] == 4:
            return Image.fromarray(cv2.cvtColor(band, cv2.COLOR_BGRA2RGBA), "RGBA")
        return Image.fromarray(cv2.cvtColor(band, cv2.COLOR_BGR2RGB), "RGB")


def to_srgb(image: Image.Image | _ArrayBands, icc: bytes | None) -> np.ndarray:
    """8-bit RGB in sRGB: 16-bit scaled down, transparency flattened onto white, profile applied.

    Made a band of rows at a time into one output array, so the only full-size copies alive are
    the decoded image and the result.
    """
    width, height = image.size
    out = np.empty((height, width, 3), np.uint8)
    rows = max(1, BAND_BYTES // (width * 4))
    for top in range(0, height, rows):
        band = _to_rgb(image.crop((0, top, width, min(height, top + rows))), icc)
        out[top:top + band.height] = np.asarray(band)
    return out


def _to_rgb(band: Image.Image, icc: bytes | None) -> Image.Image:
    if band.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):  # 16-bit grey: scale, do not clip
        band = band.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    elif band.mode == "F":
        band = band.point(lambda v: v * 255).convert("L")
    elif band.mode == "1":
        band = band.convert("L")
    if band.mode == "P":
        band = band.convert("RGBA" if "transparency" in band.info else "RGB")
    if band.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        band = band.convert("RGBA")
        band = Image.alpha_composite(Image.new("RGBA", band.size, (255, 255, 255, 255)), band).convert("RGB")
    if icc and not _is_srgb(icc):
        transform = _transform_for(icc, band.mode)
        if transform is not None:
            try:
                band = ImageCms.applyTransform(band, transform)
            except (ImageCms.PyCMSError, OSError, ValueError):
                pass  # a profile that does not fit the pixels: shown as they are, like a browser does
    return band if band.mode == "RGB" else band.convert("RGB")


@functools.lru_cache(maxsize=64)
def _is_srgb(icc: bytes) -> bool:
    """A profile with sRGB's primaries, white point and name: converting would change nothing."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile
        reference = SRGB.profile
        close = lambda a, b: all(abs(x - y) < 0.002 for p, q in zip(a, b) for x, y in zip(p, q))  # noqa: E731
        return (profile.xcolor_space.strip() == "RGB" and "srgb" in (profile.profile_description or "").lower()
                and all(close(getattr(profile, c), getattr(reference, c))
                        for c in ("red_colorant", "green_colorant", "blue_colorant", "media_white_point")))
    except Exception:  # a damaged profile: not sRGB, and _transform_for will find it unusable
        return False


@functools.lru_cache(maxsize=16)
def _transform_for(icc: bytes, mode: str):
    """A LittleCMS transform from the embedded profile to sRGB, or None when the profile is unusable."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.buildTransform(source, SRGB, mode, "RGB",
                                       renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                       flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
    except Exception:  # damaged, or for other pixels (a CMYK profile on RGB): no profile
        return None


def source_exif(image: Image.Image) -> Image.Exif | None:
    """The file's EXIF (metadata.embedded keeps what is worth keeping), or None when it is damaged."""
    try:
        return image.getexif()
    except Exception:  # noqa: BLE001 - any damage in the block means: no metadata
        return None
