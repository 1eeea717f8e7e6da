"""Camera RAW files through the pure pipeline: DNGs made here from known pictures (a sensor with
an RGGB filter, a white balance, an orientation), decoded by LibRaw as the camera saw them."""

import io
import struct

import numpy as np
import pytest
from PIL import Image

from photo_jobs import spec as edit_spec
from photo_processor import budget
from photo_processor.pipeline import PermanentError, inspect, preview, raw, render
from support import decode, dng, encoded, photo

ORIGINAL = edit_spec.parse(None)
# A colour chart's patches, white included (LibRaw takes the brightest value for the sensor's white
# when it is above 3/4 of the stated one, as real sensors clip a little below it)
PATCHES = [(200, 40, 30), (30, 170, 60), (40, 50, 190), (128, 128, 128), (235, 200, 150), (255, 255, 255)]


def patches(width: int = 600, height: int = 200) -> np.ndarray:
    """A picture of flat colour patches side by side: what a colour chart shows a camera."""
    picture = np.zeros((height, width, 3), np.uint8)
    step = width // len(PATCHES)
    for n, colour in enumerate(PATCHES):
        picture[:, n * step:(n + 1) * step] = colour
    return picture


def outputs(source: bytes, spec=ORIGINAL) -> dict:
    return {r.name: r for r in render(source, spec).renditions}


@pytest.mark.parametrize("neutral", [(0.5, 1.0, 0.7), (0.8, 1.0, 0.45), (1.0, 0.9, 1.0)],
                         ids=["tungsten", "daylight-ish", "magenta cast"])
def test_colours_come_out_as_the_camera_saw_them_under_its_white_balance(neutral):
    # The reference decode is the picture the DNG was made from: a decoder that ignored the
    # camera's white balance would tint every patch by `neutral`.
    full = np.asarray(decode(outputs(dng(patches(), neutral=neutral))["full"].data).convert("RGB"))
    step = full.shape[1] // len(PATCHES)
    for n, expected in enumerate(PATCHES):
        seen = full[80:120, n * step + 30:n * step + 70].reshape(-1, 3).mean(axis=0)
        assert np.abs(seen - expected).max() <= 3, (n, seen, expected)


def test_a_photo_like_raw_matches_its_reference_decode_in_every_rendition():
    picture = np.asarray(decode(photo(1200, 800, seed=21)))
    result = outputs(dng(picture, preview_first=True))
    assert len(result) == 7 and result["full"].width == 1200
    for name in ("full", "web", "thumb", "web_webp"):
        out = decode(result[name].data).convert("RGB")
        reference = np.asarray(Image.fromarray(picture).resize(out.size, Image.Resampling.LANCZOS), float)
        assert np.abs(np.asarray(out, float) - reference).mean() < 2.5, name


@pytest.mark.parametrize("orientation, size, red_at", [
    (1, (400, 200), (50, 100)), (3, (400, 200), (350, 100)), (6, (200, 400), (100, 50)), (8, (200, 400), (100, 350))])
def test_the_cameras_orientation_is_applied(orientation, size, red_at):
    picture = np.full((200, 400, 3), 90, np.uint8)
    picture[:, :100] = (220, 30, 30)  # red on the left as shot
    full = decode(outputs(dng(picture, orientation=orientation))["full"].data)
    assert full.size == size
    assert full.getexif().get(0x0112) in (None, 1)  # upright pixels: no orientation left to apply
    assert full.getpixel(red_at)[0] > 180 and full.getpixel(red_at)[1] < 80


def test_the_header_is_read_without_decoding_and_the_budget_counts_raw_apart():
    header = inspect(dng(patches(), orientation=6, preview_first=True))
    assert (header.format, header.mode, header.width, header.height, header.raw) == ("DNG", "RAW", 200, 600, True)
    jpeg = inspect(photo(600, 200))
    assert budget.estimate_bytes(header, 0) > budget.estimate_bytes(jpeg, 0)


@pytest.mark.parametrize("make, expected", [("NIKON CORPORATION", "NEF"), ("SONY", "ARW"), ("Some Camera", "RAW")])
def test_a_camera_tiff_is_told_from_a_plain_tiff_by_its_layout(make, expected):
    # No DNG mark: a preview first, the sensor data in a sub-directory, as a NEF or an ARW is laid out
    camera = dng(patches(), preview_first=True, dng_version=False, make=make)
    assert raw.kind(camera) == expected
    assert outputs(camera)["full"].width == 600


@pytest.mark.parametrize("image", [Image.new("I;16", (300, 200), 40000), Image.new("RGB", (300, 200), (9, 99, 199)),
                                   Image.new("L", (300, 200), 7)], ids=["16-bit grey", "rgb", "grey"])
def test_a_plain_tiff_never_reaches_libraw(image):
    # LibRaw reads a 16-bit grey TIFF as if it were sensor data: it must not get the chance
    tiff = encoded(image, "TIFF")
    assert raw.kind(tiff) is None
    assert inspect(tiff).mode != "RAW"


@pytest.mark.parametrize("mark, expected", [
    (b"II*\x00\x08\x00\x00\x00CR\x02\x00", "CR2"), (b"\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01", "CR3"),
    (b"FUJIFILMCCD-RAW 0201FF383501", "RAF")])
def test_raw_kinds_with_marks_of_their_own_are_known_by_them_and_damaged_ones_fail_for_good(mark, expected):
    assert raw.kind(mark + bytes(64)) == expected
    with pytest.raises(PermanentError) as failure:
        render(mark + bytes(range(256)) * 8, ORIGINAL)
    assert failure.value.reason in ("corrupt", "unsupported") and str(failure.value)


@pytest.mark.parametrize("cut", [0.5, 0.9, 0.02])
def test_a_truncated_raw_is_corrupt(cut):
    data = dng(np.asarray(decode(photo(400, 300, seed=2))), preview_first=True)
    with pytest.raises(PermanentError) as failure:
        render(data[:int(len(data) * cut)], ORIGINAL)
    assert failure.value.reason in ("corrupt", "unsupported"), failure.value


def test_a_raw_claiming_more_pixels_than_the_limits_is_refused_before_decoding():
    import tifffile

    data = bytearray(dng(patches(400, 300)))
    with tifffile.TiffFile(io.BytesIO(bytes(data))) as tiff:  # the sensor's width and height, forged
        for code in (256, 257):
            tag = tiff.pages[0].tags[code]
            data[tag.valueoffset:tag.valueoffset + 4] = (40000).to_bytes(4, "little")
    with pytest.raises(PermanentError) as failure:
        render(bytes(data), ORIGINAL)
    assert failure.value.reason in ("too_large", "corrupt")


def test_a_raw_preview_is_its_web_rendition_decoded_at_half_size():
    picture = np.asarray(decode(photo(4400, 3000, seed=12)))
    source = dng(picture, orientation=6)
    spec = edit_spec.parse({"preset": "natural"})
    web = decode(outputs(source, spec)["web"].data)
    made = decode(preview(source, spec).data)
    assert made.size == web.size == (1396, 2048)
    assert np.abs(np.asarray(made, float) - np.asarray(web, float)).mean() < 2


def test_libraw_renders_with_one_thread_in_the_processor():
    import os
    import subprocess
    import sys

    # runtime.prepare() sets OpenMP's thread count before LibRaw loads: renders share the cores by the budget
    code = ("import os; from photo_processor import runtime; runtime.prepare(); "
            "from photo_processor.pipeline import raw; raw._rawpy(); print(os.environ['OMP_NUM_THREADS'])")
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.strip() == "1"


# --- the camera's own metadata, where each kind keeps it ---------------------------------------

def tiff_block(tags: dict) -> bytes:
    block = Image.Exif()
    block.update(tags)
    return block.tobytes()[6:]  # without "Exif\0\0": a TIFF structure, as RAW files hold it


def box(kind: bytes, payload: bytes) -> bytes:
    return (8 + len(payload)).to_bytes(4, "big") + kind + payload


def cr3_metadata() -> bytes:
    """The start of a CR3 (ISO base media): Canon's metadata box holds IFD0, EXIF and GPS as TIFFs."""
    canon = (box(b"CMT1", tiff_block({0x010F: "Canon", 0x0110: "Canon EOS R5"}))
             + box(b"CMT2", tiff_block({0x829A: 0.004, 0xA431: "SERIAL123"}))
             + box(b"CMT4", tiff_block({1: "N", 2: (52.0, 22.0, 1.0)})))
    uuid = box(b"uuid", bytes.fromhex("85c0b687820f11e08111f4ce462b6a48") + canon)
    return box(b"ftyp", b"crx \x00\x00\x00\x01crx isom") + box(b"moov", uuid)


def raf_metadata() -> bytes:
    """The start of a RAF: its header says where the camera's JPEG is, which carries the EXIF."""
    exif = Image.Exif()
    exif[0x0110] = "X-T5"
    exif.get_ifd(0x8825).update({1: "S", 2: (33.0, 51.0, 0.0)})
    jpeg = encoded(Image.new("RGB", (64, 48)), "JPEG", exif=exif.tobytes())
    header = bytearray(b"FUJIFILMCCD-RAW 0201FF383501".ljust(100, b"\0"))
    header[84:92] = struct.pack(">II", 100, len(jpeg))
    return bytes(header) + jpeg


@pytest.mark.parametrize("name, source, model, latitude", [
    ("CR3", cr3_metadata(), "Canon EOS R5", "N"), ("RAF", raf_metadata(), "X-T5", "S")])
def test_the_cameras_metadata_is_found_where_each_kind_keeps_it(name, source, model, latitude):
    from photo_jobs.rights import Rights
    from photo_processor.pipeline import metadata

    assert raw.kind(source) == name
    found = raw.camera_exif(source, name)
    kept = Image.Exif()
    kept.load(metadata.embedded(found, Rights(creator="Ana", notice="© Ana", keep_gps=True)).exif)
    assert kept[0x0110] == model and kept.get_ifd(0x8825)[1] == latitude and kept[0x013B] == "Ana"
    assert 0xA431 not in kept.get_ifd(0x8769)  # serial numbers never
    without = Image.Exif()
    without.load(metadata.embedded(found, Rights(creator="Ana", notice="© Ana")).exif)
    assert not without.get_ifd(0x8825)


def test_a_dngs_camera_is_kept_in_its_renditions():
    full = decode(outputs(dng(patches(), make="NIKON CORPORATION"))["full"].data)
    assert full.getexif()[0x010F] == "NIKON CORPORATION" and full.getexif()[0x0110] == "Test camera"


def test_a_camera_tiff_without_a_preview_first_is_known_by_its_sensor_data_in_a_sub_directory():
    import tifffile

    # an exported TIFF of a Sony photo keeps the maker's name: that alone does not make it RAW
    exported = encoded(Image.new("RGB", (300, 200), (9, 99, 199)), "TIFF", tiffinfo={0x010F: "SONY"})
    assert raw.kind(exported) is None
    # the sensor's data in a sub-directory, the first one a full-size picture (no preview bit)
    out = io.BytesIO()
    sensor = np.full((200, 300), 4000, np.uint16)
    with tifffile.TiffWriter(out) as tiff:
        tiff.write(np.zeros((200, 300, 3), np.uint8), photometric="rgb", subifds=1, extratags=[(271, "s", 0, "SONY", True)])
        tiff.write(sensor, photometric=32803, extratags=[(33421, "H", 2, (2, 2), True), (33422, "B", 4, (0, 1, 1, 2), True)])
    assert raw.kind(out.getvalue()) == "ARW"
