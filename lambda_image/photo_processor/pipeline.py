"""The image pipeline: bytes and a resolved edit spec in, renditions out. No AWS in here.

decode -> orient -> sRGB (flatten alpha on white) -> rotate/flip/crop -> tone + colour (one
lookup-table pass and one colour-matrix pass) -> effects -> renditions (full, web, thumb, web
WebP), each sharpened at its own size, tagged sRGB, with only safe metadata.

Pillow and LittleCMS read the file, its metadata and its colour profile; the pixel work runs on
a NumPy array with OpenCV (SIMD kernels: the blur of the unsharp mask alone costs Pillow several
times more). libjpeg-turbo decodes plain sRGB JPEGs and encodes every JPEG straight from and to
the array (the sRGB profile and kept EXIF spliced in as segments); Pillow writes the WebP.
"""

from __future__ import annotations

import functools
import io
import math
import time
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageCms, ImageDraw, ImageFont, UnidentifiedImageError

from photo_jobs.limits import MAX_PIXELS, MAX_SOURCE_BYTES

try:  # HEIC/HEIF from phones
    from pillow_heif import register_heif_opener

    register_heif_opener()
    _HEIF = ["HEIF"]
except ImportError:  # pragma: no cover - the image always has it
    _HEIF = []

Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own guard agrees (it errors at twice this)
ACCEPTED_FORMATS = ["JPEG", "PNG", "TIFF", "WEBP", *_HEIF]  # JPEG covers MPO too
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
SRGB_ICC = SRGB.tobytes()
WEB_EDGE, THUMB_EDGE = 2048, 400
# name, size it is encoded from, format, quality: what every job produces, in this order.
OUTPUTS = (("full", "full", "JPEG", 90), ("web", "web", "JPEG", 85),
           ("thumb", "thumb", "JPEG", 80), ("web_webp", "web", "WEBP", 80))
WEBP_METHOD = 2  # libwebp's effort: 2.4x faster than 3 or 4, files about 3 % larger at the same quality

# EXIF kept in outputs: authorship and how the photo was taken. Everything else (GPS, serial
# numbers, owner names, maker notes) is dropped.
KEEP_IFD0 = {0x010F: "Make", 0x0110: "Model", 0x0131: "Software", 0x0132: "DateTime",
             0x013B: "Artist", 0x8298: "Copyright"}
KEEP_EXIF = {0x9003: "DateTimeOriginal", 0x829A: "ExposureTime", 0x829D: "FNumber",
             0x8827: "ISOSpeedRatings", 0x920A: "FocalLength", 0xA434: "LensModel"}


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


@dataclass
class Result:
    renditions: list[Rendition]
    timings_ms: dict[str, float] = field(default_factory=dict)
    megapixels: float = 0.0


class _Clock:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + (now - self._last) * 1000
        self._last = now


def render(source: bytes, spec: dict) -> Result:
    clock = _Clock()
    image = open_image(source)
    megapixels = image.width * image.height / 1e6
    if _plain_srgb_jpeg(image, source):
        exif = safe_exif(image)
        # The common camera file: libjpeg-turbo decodes straight into the array (the same pixels
        # Pillow gives, tested), skipping Pillow's decode and its copy into NumPy.
        pixels = decode_jpeg(source)
        clock.lap("decode")
    else:
        _load(image)
        exif = safe_exif(image)  # after loading: some formats keep EXIF after the pixels
        clock.lap("decode")
        pixels = np.array(to_srgb(image))  # height x width x RGB, uint8
        clock.lap("colour_management")
    pixels = orient(pixels, image.getexif().get(0x0112, 1))
    del image
    clock.lap("orient")
    pixels = geometry(pixels, spec)
    clock.lap("geometry")
    adjust(pixels, spec)
    clock.lap("adjust")
    pixels = effects(pixels, spec)
    clock.lap("effects")
    renditions = make_renditions(pixels, spec, exif, clock)
    return Result(renditions, clock.timings, megapixels)


# --- decode and normalise ----------------------------------------------------------------------

def open_image(source: bytes) -> Image.Image:
    """Read the header only, and refuse what is too big before any pixel is decoded."""
    if len(source) > MAX_SOURCE_BYTES:
        raise PermanentError("too_large", f"{len(source):,} bytes is more than {MAX_SOURCE_BYTES:,}")
    try:
        image = Image.open(io.BytesIO(source), formats=ACCEPTED_FORMATS)
    except UnidentifiedImageError:
        raise PermanentError("unsupported", "the file is not an image format we can read "
                             f"(accepted: {', '.join(ACCEPTED_FORMATS)})") from None
    except Image.DecompressionBombError as error:  # Pillow's guard fired first, at open
        raise PermanentError("too_large", f"more than {MAX_PIXELS:,} pixels: {error}") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise PermanentError("corrupt", f"the image data is damaged or truncated: {error}") from None
    if image.width * image.height > MAX_PIXELS:
        raise PermanentError("too_large", f"{image.width}x{image.height} pixels is more than {MAX_PIXELS:,}")
    return image


def _load(image: Image.Image) -> None:
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as error:  # Pillow's words for damaged data
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


def orient(pixels: np.ndarray, orientation: int | None) -> np.ndarray:
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


def to_srgb(image: Image.Image) -> Image.Image:
    """8-bit RGB in sRGB: 16-bit scaled down, transparency flattened onto white, profile applied."""
    icc = image.info.get("icc_profile")
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):  # 16-bit grey: scale, do not clip
        image = image.convert("I").point(lambda v: v * (1 / 257)).convert("L")
    elif image.mode == "F":
        image = image.point(lambda v: v * 255).convert("L")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        image = image.convert("RGBA")
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image).convert("RGB")
    if icc and not _is_srgb(icc):
        try:
            image = ImageCms.applyTransform(image, _transform_for(icc, image.mode))
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: the pixels are shown as they are, like a browser does
    if image.mode != "RGB":
        image = image.convert("RGB")
    return image


@functools.lru_cache(maxsize=64)
def _is_srgb(icc: bytes) -> bool:
    """A profile with sRGB's primaries, white point and name: converting would change nothing."""
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile
    except (ImageCms.PyCMSError, OSError):
        return False
    reference = SRGB.profile
    close = lambda a, b: all(abs(x - y) < 0.002 for p, q in zip(a, b) for x, y in zip(p, q))  # noqa: E731
    return (profile.xcolor_space.strip() == "RGB" and "srgb" in (profile.profile_description or "").lower()
            and all(close(getattr(profile, c), getattr(reference, c))
                    for c in ("red_colorant", "green_colorant", "blue_colorant", "media_white_point")))


@functools.lru_cache(maxsize=16)
def _transform_for(icc: bytes, mode: str):
    source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    return ImageCms.buildTransform(source, SRGB, mode, "RGB",
                                   renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                   flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)


def safe_exif(image: Image.Image) -> bytes:
    source = image.getexif()
    clean = Image.Exif()
    for tag in KEEP_IFD0:
        if tag in source:
            clean[tag] = source[tag]
    source_exif = source.get_ifd(0x8769)
    kept = {tag: source_exif[tag] for tag in KEEP_EXIF if tag in source_exif}
    if kept:
        clean.get_ifd(0x8769).update(kept)
    return clean.tobytes() if len(clean) or kept else b""


# --- geometry ----------------------------------------------------------------------------------

_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def geometry(pixels: np.ndarray, spec: dict) -> np.ndarray:
    if spec["rotate"]:  # clockwise, as a photographer says it
        pixels = cv2.rotate(pixels, _ROTATE[spec["rotate"]])
    if spec["flip"] == "horizontal":
        pixels = cv2.flip(pixels, 1)
    elif spec["flip"] == "vertical":
        pixels = cv2.flip(pixels, 0)
    if spec["crop"] != "original":
        w_ratio, h_ratio = (int(x) for x in spec["crop"].split(":"))
        height, width = pixels.shape[:2]
        target_w = min(width, round(height * w_ratio / h_ratio))
        target_h = min(height, round(target_w * h_ratio / w_ratio))
        left, top = (width - target_w) // 2, (height - target_h) // 2
        pixels = np.ascontiguousarray(pixels[top:top + target_h, left:left + target_w])
    return pixels


# --- tone and colour ---------------------------------------------------------------------------

def adjust(pixels: np.ndarray, spec: dict) -> None:
    """All tone edits as one lookup table, all colour edits as one matrix, in place.

    Both run band by band: a band of about 1 MB stays in the cache from the table to the matrix,
    so the photo crosses memory once, not twice.
    """
    curve, matrix = tone_curve(spec), colour_matrix(spec)
    if curve is None and matrix is None:
        return
    if curve is not None:
        tables = np.array(curve, dtype=np.uint8).reshape(3, 256)
        # no white balance: one table for all channels is OpenCV's faster path
        curve = tables[0] if (tables == tables[0]).all() else tables.T.reshape(1, 256, 3)
    if matrix is not None:
        matrix = np.array(matrix, dtype=np.float32).reshape(3, 4)
    rows = max(8, (1 << 20) // pixels[0].nbytes)
    for top in range(0, pixels.shape[0], rows):
        band = pixels[top:top + rows]
        if curve is not None:
            cv2.LUT(band, curve, dst=band)
        if matrix is not None:
            cv2.transform(band, matrix, dst=band)


def tone_curve(spec: dict) -> list[int] | None:
    a = spec["adjust"]
    gains = _white_balance(a["temperature"], a["tint"])
    if not any(a[k] for k in ("exposure", "brightness", "contrast", "highlights", "shadows")) and gains == (1, 1, 1):
        return None
    exposure = 2.0 ** a["exposure"]
    brightness = a["brightness"] / 100 * 0.25
    contrast = a["contrast"] / 100
    highlights, shadows = a["highlights"] / 100, a["shadows"] / 100
    table = []
    for gain in gains:
        for v in range(256):
            x = (v / 255) ** 2.2 * exposure * gain          # linear light: exposure and white balance
            x = min(x, 1.0) ** (1 / 2.2)                     # back to display values
            x += brightness
            x += shadows * 0.5 * (1 - x) ** 3 * x * 4        # lift or deepen the dark tones
            x += highlights * 0.5 * x ** 3 * (1 - x) * 4      # recover or push the bright tones
            if contrast:                                     # S-curve around middle grey
                k = 1 + contrast * (1.5 if contrast > 0 else 0.8)
                x = 0.5 + (x - 0.5) * k if contrast < 0 else _sigmoid_contrast(x, k)
            table.append(max(0, min(255, round(x * 255))))
    return table


def _sigmoid_contrast(x: float, k: float) -> float:
    x = min(max(x, 0.0), 1.0)
    s = 1 / (1 + math.exp(-(x - 0.5) * 4 * k))
    lo, hi = 1 / (1 + math.exp(2 * k)), 1 / (1 + math.exp(-2 * k))
    return (s - lo) / (hi - lo)


def _white_balance(temperature: float, tint: float) -> tuple[float, float, float]:
    t, m = temperature / 100, tint / 100
    return (1 + 0.25 * t + 0.05 * m, 1 - 0.12 * m, 1 - 0.25 * t + 0.05 * m)


_LUMA = (0.2126, 0.7152, 0.0722)


def colour_matrix(spec: dict) -> tuple[float, ...] | None:
    a, f = spec["adjust"], spec["filters"]
    saturation = 1 + a["saturation"] / 100 + 0.6 * a["vibrance"] / 100
    m = _saturation_matrix(0.0 if f["black_and_white"] else max(0.0, saturation))
    offset = [0.0, 0.0, 0.0]
    if f["sepia"]:
        m = _mix(m, _matmul(_SEPIA, m), f["sepia"] / 100)
    if f["vintage"]:
        amount = f["vintage"] / 100
        m = _mix(m, _matmul(_VINTAGE, m), amount)
        fade = 0.12 * amount  # lifted blacks, the faded print look
        m = [[v * (1 - fade) for v in row] for row in m]
        offset = [fade * 255 * c for c in (1.0, 0.92, 0.8)]
    if m == _IDENTITY and offset == [0.0, 0.0, 0.0]:
        return None
    return tuple(v for row, off in zip(m, offset) for v in (*row, off))


_IDENTITY = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
_SEPIA = [[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]]
_VINTAGE = [[0.9, 0.1, 0.05], [0.07, 0.85, 0.08], [0.05, 0.1, 0.7]]


def _saturation_matrix(s: float) -> list[list[float]]:
    return [[(1 - s) * _LUMA[c] + (s if r == c else 0.0) for c in range(3)] for r in range(3)]


def _matmul(a, b):
    return [[sum(a[r][k] * b[k][c] for k in range(3)) for c in range(3)] for r in range(3)]


def _mix(a, b, t):
    return [[a[r][c] * (1 - t) + b[r][c] * t for c in range(3)] for r in range(3)]


# --- effects -----------------------------------------------------------------------------------

def effects(pixels: np.ndarray, spec: dict) -> np.ndarray:
    f = spec["filters"]
    height, width = pixels.shape[:2]
    if f["soft_blur"]:
        # A soft-focus glow: blur a quarter-size copy (16x less work), scale it back, blend.
        small = cv2.resize(pixels, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA)
        glow = cv2.resize(cv2.GaussianBlur(small, (0, 0), max(1.0, min(small.shape[:2]) / 150)), (width, height),
                          interpolation=cv2.INTER_LINEAR)
        amount = 0.6 * f["soft_blur"] / 100
        cv2.addWeighted(pixels, 1 - amount, glow, amount, 0, dst=pixels)
    if f["vignette"]:
        _vignette(pixels, f["vignette"] / 100)
    return pixels


def _vignette(pixels: np.ndarray, strength: float) -> None:
    # The falloff is made at 256x256 and stretched: a radial falloff has no detail to lose.
    y, x = np.mgrid[-1:1:256j, -1:1:256j]
    radius = np.sqrt(x * x + y * y) / np.sqrt(2)
    keep = 1 - strength * 0.8 * np.clip((radius - 0.35) / 0.65, 0, 1) ** 2
    height, width = pixels.shape[:2]
    mask = cv2.resize(keep.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    for channel in range(3):  # one channel at a time keeps the temporary arrays small
        pixels[:, :, channel] = cv2.multiply(pixels[:, :, channel], mask, dtype=cv2.CV_8U)


# --- renditions --------------------------------------------------------------------------------

def make_renditions(pixels: np.ndarray, spec: dict, exif: bytes, clock: _Clock) -> list[Rendition]:
    sharpness = spec["adjust"]["sharpness"]
    web = fit(pixels, WEB_EDGE)
    thumb = fit(web, THUMB_EDGE)
    clock.lap("resize")
    arrays = {"full": pixels, "web": web, "thumb": thumb}
    for array in arrays.values():  # output sharpening: each size at its own scale stays crisp
        _sharpen(array, sharpness)
    clock.lap("sharpen")
    return encode_all(arrays, spec["watermark"], exif, clock)


def encode_all(arrays: dict[str, np.ndarray], mark: dict | None, exif: bytes, clock: _Clock | None = None) -> list[Rendition]:
    """Every output in OUTPUTS from its size's array (changed in place). One size at a time, and
    each array let go once encoded: the full-size one is gone before the next size."""
    out: dict[str, Rendition] = {}
    for size in ("full", "web", "thumb"):
        pixels = arrays.pop(size)
        if mark:
            _watermark(pixels, mark)
        jobs = [(name, fmt, quality) for name, source_size, fmt, quality in OUTPUTS if source_size == size]
        for name, fmt, quality in sorted(jobs, key=lambda job: job[1] == "JPEG"):  # JPEG last: it swaps channels
            out[name] = _encode_webp(name, pixels, quality, exif) if fmt == "WEBP" else _encode_jpeg(name, pixels, quality, exif)
        del pixels
    if clock:
        clock.lap("encode")
    return [out[name] for name, *_ in OUTPUTS]


def fit(pixels: np.ndarray, edge: int) -> np.ndarray:
    """A new array with the long edge at most `edge`, filtered so fine detail does not alias."""
    height, width = pixels.shape[:2]
    if max(height, width) <= edge:
        return pixels.copy()
    scale = edge / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    factor = int(1 / scale)
    if factor >= 2:  # whole boxes of pixels first (OpenCV's fast path), then the fractional rest
        pixels = cv2.resize(pixels, (width // factor, height // factor), interpolation=cv2.INTER_AREA)
        return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
    # Less than 2x: OpenCV's area filter has no fast path for that. Bilinear up to twice the
    # size, then 2x2 boxes, is as close to Lanczos (tested) in half the time.
    pixels = cv2.resize(pixels, (size[0] * 2, size[1] * 2), interpolation=cv2.INTER_LINEAR)
    return cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)


def _sharpen(pixels: np.ndarray, sharpness: float) -> None:
    """Unsharp mask in place: out = image + a * (image - blurred), one weighted sum after one blur.

    A 5-tap kernel for sigma 1: the 7 taps OpenCV would pick add under 1 % of the weight.
    """
    if sharpness:
        amount = sharpness / 100 * 1.6
        blurred = cv2.GaussianBlur(pixels, (5, 5), 1.0)
        cv2.addWeighted(pixels, 1 + amount, blurred, -amount, 0, dst=pixels)


@functools.lru_cache(maxsize=8)
def _font(size: int):
    return ImageFont.load_default(size=size)


def _watermark(pixels: np.ndarray, mark: dict) -> None:
    """Text in the bottom-right corner, in place; only that corner is composited."""
    height, width = pixels.shape[:2]
    size = max(10, round(min(width, height) / 22))
    font = _font(size)
    left, top, right, bottom = ImageDraw.Draw(Image.new("L", (1, 1))).textbbox((0, 0), mark["text"], font=font)
    x, y = width - (right - left) - size, height - (bottom - top) - size
    x0, y0, x1, y1 = max(0, x + left), max(0, y + top), min(width, x + right), min(height, y + bottom)
    patch = Image.fromarray(pixels[y0:y1, x0:x1]).convert("RGBA")
    layer = Image.new("RGBA", patch.size, (0, 0, 0, 0))
    ImageDraw.Draw(layer).text((x - x0, y - y0), mark["text"], font=font,
                               fill=(255, 255, 255, round(255 * mark["opacity"] / 100)))
    pixels[y0:y1, x0:x1] = np.asarray(Image.alpha_composite(patch, layer).convert("RGB"))


def _encode_jpeg(name: str, pixels: np.ndarray, quality: int, exif: bytes) -> Rendition:
    """libjpeg-turbo straight from the array (Pillow would first copy it into an image of its own).

    OpenCV reads BGR, so the array is swapped in place: JPEG is the last use of each size.
    """
    ok, data = cv2.imencode(".jpg", cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR, dst=pixels),
                            [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError(f"the JPEG encoder failed for {name}")
    height, width = pixels.shape[:2]
    return Rendition(name, _with_metadata(data.tobytes(), exif), width, height, "jpeg", "image/jpeg", "jpg")


def _with_metadata(jpeg: bytes, exif: bytes) -> bytes:
    """The JPEG with an sRGB profile (APP2) and the kept EXIF (APP1) after its JFIF header."""
    segments = _segment(0xE2, b"ICC_PROFILE\0\x01\x01" + SRGB_ICC)
    if exif and len(exif) <= 65533:  # the kept tags fit one segment unless forged
        segments = _segment(0xE1, exif) + segments
    at = 2 + (2 + int.from_bytes(jpeg[4:6], "big") if jpeg[2:4] == b"\xff\xe0" else 0)
    return jpeg[:at] + segments + jpeg[at:]


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def _encode_webp(name: str, pixels: np.ndarray, quality: int, exif: bytes) -> Rendition:
    buffer = io.BytesIO()
    image = Image.fromarray(pixels)
    image.save(buffer, "WEBP", quality=quality, method=WEBP_METHOD, icc_profile=SRGB_ICC, exif=exif)
    return Rendition(name, buffer.getvalue(), image.width, image.height, "webp", "image/webp", "webp")
