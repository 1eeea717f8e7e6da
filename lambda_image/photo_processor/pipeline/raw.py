"""Camera RAW files (CR2, CR3, NEF, ARW, RAF, DNG): LibRaw, through rawpy, turns the sensor's data
into an upright 8-bit sRGB picture with the white balance the camera chose.

- Colour: the camera's white balance (as shot), its colour matrix to sRGB, the sRGB tone curve,
  and the exposure as shot: no brightening by the picture's histogram (LibRaw only takes the
  brightest value for the sensor's white when it is above 3/4 of the stated one, since sensors
  clip a little below it and highlights would turn magenta).
- Which files: CR2, CR3 and RAF carry marks of their own; NEF, ARW and DNG are TIFF containers,
  told from a TIFF by their directories (DNG's version tag, the sensor's colour-filter data in
  the first directory or a sub-directory, or a preview first as cameras write it). A plain TIFF
  never reaches LibRaw, which would read a 16-bit grey scan as sensor data.
- Memory: LibRaw holds the sensor data (2 bytes a pixel) and its working picture (8) while it
  decodes; both are let go before the pipeline goes on with the 3-byte result.

rawpy is imported on first use: JPEG-only processes never load LibRaw, and its OpenMP threads
read their number (runtime.prepare sets one per render) when it loads.
"""

from __future__ import annotations

import io
import struct

import numpy as np
from PIL import Image, TiffImagePlugin

from photo_jobs import formats
from photo_jobs.limits import MAX_RAW_PIXELS
from photo_processor.pipeline.errors import PermanentError

_DNG_VERSION, _NEW_SUBFILE_TYPE, _PHOTOMETRIC, _MAKE, _SUB_IFDS = 0xC612, 0x00FE, 0x0106, 0x010F, 0x014A
_SENSOR_PHOTOMETRIC = (32803, 34892)  # CFA, LinearRaw
_MAKERS = {"NIKON": "NEF", "SONY": "ARW", "CANON": "CR2", "FUJIFILM": "RAF"}
# How LibRaw renders (to sRGB, its default): as shot. gamma (2.4, 12.92) is the sRGB curve (LibRaw's
# default is BT.709's).
RENDERING = {"use_camera_wb": True, "no_auto_bright": True, "gamma": (2.4, 12.92), "output_bps": 8}


def kind(source: bytes) -> str | None:
    """The RAW format of these bytes (a formats.FORMATS name, or "RAW" for another camera's TIFF
    container), or None when they are not camera sensor data."""
    found = formats.sniff(source[:formats.HEAD_BYTES])
    if found is None:
        return None
    if found.raw:
        return found.name
    if found.name != "TIFF":
        return None
    try:
        first = Image.Exif()
        first.load(source)  # the first directory's tags only: no pixels
        if _DNG_VERSION in first:
            return "DNG"
        maker = str(first.get(_MAKE, "")).upper()
        subfile = first.get(_NEW_SUBFILE_TYPE, 0)
        # The sensor's data in the first directory or in a sub-directory (NEF, ARW), or a small
        # preview first with a camera's name on it: an exported TIFF has none of these.
        sensor = any(d.get(_PHOTOMETRIC) in _SENSOR_PHOTOMETRIC for d in (first, *_sub_directories(source, first)))
        if not sensor and not (isinstance(subfile, int) and subfile & 1 and maker):
            return None
    except Exception:  # noqa: BLE001 - a damaged directory is Pillow's to report, as for any TIFF
        return None
    return next((name for brand, name in _MAKERS.items() if brand in maker), "RAW")


def _sub_directories(source: bytes, first: Image.Exif, most: int = 4) -> list:
    """The directories the first one's SubIFDs tag points to (where NEF and ARW keep the sensor's data)."""
    offsets = first.get(_SUB_IFDS)
    offsets = (offsets,) if isinstance(offsets, int) else tuple(offsets or ())[:most]
    found, stream = [], io.BytesIO(source)
    for offset in offsets:
        directory = TiffImagePlugin.ImageFileDirectory_v2(source[:8])
        stream.seek(offset)
        directory.load(stream)
        found.append(directory)
    return found


class _Whole:
    """The source for rawpy's open_buffer, which reads its argument once: the bytes themselves, not a copy."""

    def __init__(self, source: bytes) -> None:
        self._source = source

    def read(self, *_) -> bytes:
        return self._source


def _rawpy():
    import rawpy  # noqa: PLC0415 - on first use (see the module's docstring)

    return rawpy


class RawFile:
    """A RAW file opened by LibRaw: its header read, no pixel decoded. `size` is the upright picture's."""

    mode = "RAW"

    def __init__(self, source: bytes, name: str) -> None:
        rawpy = _rawpy()
        self.format, self.source = name, source
        self._raw = rawpy.RawPy()
        try:
            self._raw.open_buffer(_Whole(source))
            sizes = self._raw.sizes
        except rawpy.LibRawFileUnsupportedError:
            self.close()
            raise PermanentError("unsupported", f"a {name} file that LibRaw cannot read (camera not supported)") from None
        except rawpy.LibRawError as error:
            self.close()
            raise _failure(error, name) from None
        upright = (sizes.height, sizes.width) if sizes.flip in (5, 6) else (sizes.width, sizes.height)
        self.size = self.width, self.height = upright
        if max(sizes.raw_width * sizes.raw_height, sizes.width * sizes.height) > MAX_RAW_PIXELS:
            self.close()  # LibRaw holds the sensor's pixels, margins included, and the picture's
            raise PermanentError("too_large", f"a {sizes.raw_width}x{sizes.raw_height} sensor is more than "
                                 f"{MAX_RAW_PIXELS:,} pixels")

    def close(self) -> None:
        self._raw.close()

    def exif(self) -> Image.Exif | None:
        return camera_exif(self.source, self.format)

    def decode(self, half_size: bool = False) -> np.ndarray:
        """The upright sRGB picture (height x width x RGB, uint8); LibRaw applies the orientation.
        `half_size`: each 2x2 block of the sensor as one pixel, without interpolation (4x faster)."""
        rawpy = _rawpy()
        try:
            pixels = self._raw.postprocess(**RENDERING, output_color=rawpy.ColorSpace.sRGB, half_size=half_size)
        except rawpy.LibRawError as error:
            raise _failure(error, self.format) from None
        finally:
            self.close()  # LibRaw's sensor data and working picture go; the result stays
        if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype != np.uint8:
            raise PermanentError("unsupported", f"a {self.format} file whose sensor LibRaw renders as {pixels.shape}")
        return pixels


def _failure(error: Exception, name: str) -> PermanentError:
    rawpy = _rawpy()
    if isinstance(error, (rawpy.LibRawTooBigError, rawpy.LibRawUnsufficientMemoryError)):
        # LibRaw's own allocation guard: a header that asks for more than a real sensor has
        return PermanentError("too_large", f"the {name} file asks for more memory than a photo within the limits")
    if isinstance(error, (rawpy.LibRawFileUnsupportedError, rawpy.LibRawNotImplementedError)):
        return PermanentError("unsupported", f"a {name} file that LibRaw cannot read: {error}")
    return PermanentError("corrupt", f"the {name} file's data is damaged or truncated ({type(error).__name__}: {error})")


_CR3_BOXES = {b"CMT1": None, b"CMT2": 0x8769, b"CMT4": 0x8825}  # IFD0, EXIF and GPS, each a TIFF of its own


def camera_exif(source: bytes, name: str) -> Image.Exif | None:
    """The camera's EXIF (how the photo was taken, where) for the metadata kept in the outputs, or
    None when it cannot be found or is damaged (as for any photo: no metadata, not a failure)."""
    try:
        if name == "RAF":  # the camera's own JPEG, whose place the header gives, carries it
            at, length = struct.unpack(">II", source[84:92])
            with Image.open(io.BytesIO(source[at:at + length]), formats=["JPEG"]) as preview:
                return preview.getexif()
        if name == "CR3":  # boxes CMT1, CMT2 and CMT4 in Canon's metadata box, near the start
            found = Image.Exif()
            for box, ifd in _CR3_BOXES.items():  # CMT1 first: loading it starts the whole anew
                at = source.find(box, 0, 1 << 20)
                if at < 4:
                    continue
                payload = source[at + 4:at - 4 + int.from_bytes(source[at - 4:at], "big")]
                part = found if ifd is None else Image.Exif()
                part.load(payload)
                if ifd is not None:
                    found.get_ifd(ifd).update(dict(part))
            return found
        found = Image.Exif()  # a TIFF container: its first directory, and the EXIF and GPS ones it points to
        found.load(source)
        return found
    except Exception:  # noqa: BLE001 - damaged metadata means no metadata
        return None
