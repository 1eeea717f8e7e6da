"""The image pipeline: bytes, a resolved edit spec and the rights in, renditions out. No AWS in here.

    decode.py    decode -> sRGB (alpha flattened on white) -> upright; raw.py for camera RAW files
    geometry.py  rotate / flip / crop, and resizing
    tone.py      tone curve and colour matrix (colour filters are terms of the matrix)
    effects.py   pixel filters (soft focus, vignette)
    outputs.py   sizes (full, web, thumb), sharpening, watermark, JPEG and WebP
    metadata.py  what every output carries: kept EXIF, the creator, notice and contact (EXIF, XMP)

Every failure is a PermanentError with a reason: rendering depends on nothing but its inputs,
so trying again cannot help. Only running out of memory is left to the caller.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from photo_jobs.rights import Rights
from photo_processor.pipeline import decode, effects, geometry, metadata, outputs, raw, tone
from photo_processor.pipeline.decode import SRGB_ICC, Header
from photo_processor.pipeline.errors import PermanentError
from photo_processor.pipeline.outputs import OUTPUTS, Rendition

__all__ = ["FILTERS", "OUTPUTS", "SRGB_ICC", "STAGES", "Header", "PermanentError", "Rendition", "Result",
           "inspect", "preview", "render"]

FILTERS = {**tone.COLOUR_FILTERS, **effects.PIXEL_FILTERS}  # every filter of the edit spec, by its name
STAGES = ("decode", "geometry", "adjust", "effects", "resize", "sharpen", "encode")  # timed, in order


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


def inspect(source: bytes) -> Header:
    """The file's header, checked against the limits, without decoding a pixel."""
    image = decode.open_image(source)
    try:
        return decode.header(image)
    finally:
        image.close()


def render(source: bytes, spec: dict, proof_text: str = "PROOF", rights: Rights | None = None) -> Result:
    """Every output of OUTPUTS. `rights` (the creator, the notice, the contact, and whether GPS is
    kept) go into each file; without them only the source's own authorship is kept."""
    clock = _Clock()
    image = decode.open_image(source)
    megapixels = image.width * image.height / 1e6
    try:
        pixels, exif = decode.decode(source, image)
        meta = metadata.embedded(exif, rights)
        del exif
    except (PermanentError, MemoryError):
        raise
    except Exception as error:  # noqa: BLE001 - a reader's surprise is still a damaged file
        raise PermanentError("corrupt", f"the image data could not be read ({type(error).__name__}: {error})") from error
    clock.lap("decode")
    try:
        pixels = geometry.transform(pixels, spec)
        clock.lap("geometry")
        tone.adjust(pixels, spec)
        clock.lap("adjust")
        effects.apply(pixels, spec)
        clock.lap("effects")
        sizes = {"full": pixels}
        del pixels  # owned by `sizes` now, so encoding can let the full size go
        outputs.make_sizes(sizes)
        clock.lap("resize")
        for array in sizes.values():  # output sharpening: each size at its own scale stays crisp
            outputs.sharpen(array, spec["adjust"]["sharpness"])
        clock.lap("sharpen")
        renditions = outputs.encode_all(sizes, spec["watermark"], meta, proof_text)
        clock.lap("encode")
    except (PermanentError, MemoryError):
        raise
    except Exception as error:  # noqa: BLE001 - deterministic: retrying the same bytes cannot help
        raise PermanentError("unprocessable", f"{type(error).__name__}: {error}") from error
    return Result(renditions, clock.timings, megapixels)


def preview(source: bytes, spec: dict, edge: int = outputs.WEB_EDGE) -> Rendition:
    """The web rendition this spec would give, quickly: the same stages on a picture decoded
    at the size it needs (a JPEG's DCT scaling, a RAW file's 2x2 blocks without interpolation)
    and resized first. Point edits (tone, colour) do not care about the order, and the effects
    scale with the picture."""
    image = decode.open_image(source)
    short_side = spec["crop"] != "original"  # a crop keeps at most the short side
    scale = edge / (min(image.size) if short_side else max(image.size))
    if image.format == "JPEG" and scale < 1:
        image.draft("RGB", (max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    try:
        if isinstance(image, raw.RawFile):
            exif, pixels = None, image.decode(half_size=scale <= 0.5)
        else:
            decode._load(image)
            exif = decode.source_exif(image)
            pixels = decode.orient(decode.to_srgb(image, image.info.get("icc_profile")), decode.orientation_of(image))
        meta = metadata.embedded(exif, None)
        pixels = geometry.fit(geometry.transform(pixels, spec), edge)
        tone.adjust(pixels, spec)
        effects.apply(pixels, spec)
        outputs.sharpen(pixels, spec["adjust"]["sharpness"])
        if spec["watermark"]:
            outputs.watermark(pixels, spec["watermark"])
        return outputs.encode_jpeg("preview", pixels, 85, meta)
    except (PermanentError, MemoryError):
        raise
    except Exception as error:  # noqa: BLE001 - as render: the same bytes would fail the same way
        raise PermanentError("corrupt", f"the image data could not be read ({type(error).__name__}: {error})") from error
