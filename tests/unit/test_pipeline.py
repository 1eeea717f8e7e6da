"""The pure pipeline on real image files made here: formats, orientation, colour, metadata,
renditions, edits and every failure reason."""

import io

import numpy as np
import pytest
from PIL import Image, ImageCms, ImageOps

from photo_jobs import spec as edit_spec
from photo_processor.pipeline import SRGB_ICC, PermanentError, render
from photo_processor.pipeline.decode import decode_jpeg, orient
from photo_processor.pipeline.geometry import fit
from support import decode, encoded, photo, pixel_bomb

ORIGINAL = edit_spec.parse(None)


def outputs(source: bytes, spec=ORIGINAL) -> dict:
    return {r.name: r for r in render(source, spec).renditions}


def test_every_rendition_with_its_size():
    result = outputs(photo(4000, 3000))
    assert {n: (r.width, r.height, r.format) for n, r in result.items()} == {
        "full": (4000, 3000, "jpeg"), "web": (2048, 1536, "jpeg"), "thumb": (400, 300, "jpeg"),
        "web_webp": (2048, 1536, "webp"), "thumb_webp": (400, 300, "webp"),
        "proof": (2048, 1536, "jpeg"), "proof_thumb": (400, 300, "jpeg")}
    assert decode(result["web_webp"].data).format == "WEBP" and decode(result["thumb_webp"].data).format == "WEBP"
    assert all(decode(r.data).size == (r.width, r.height) for r in result.values())
    assert all(decode(r.data).info["icc_profile"] == SRGB_ICC for r in result.values())


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_every_rendition_keeps_the_colours(fmt):
    # Red, green and blue halves of a wide photo: any channel swap on the way would show.
    image = Image.new("RGB", (3000, 1000), (200, 40, 30))
    image.paste((30, 170, 60), (1000, 0, 2000, 1000))
    image.paste((40, 50, 190), (2000, 0, 3000, 1000))
    for rendition in outputs(encoded(image, fmt, quality=95) if fmt == "JPEG" else encoded(image, fmt)).values():
        if rendition.name.startswith("proof"):
            continue  # marked by design: test_a_proof_carries_the_studios_name_across_the_whole_picture
        out = decode(rendition.data).convert("RGB")
        for share, expected in ((1 / 6, (200, 40, 30)), (1 / 2, (30, 170, 60)), (5 / 6, (40, 50, 190))):
            pixel = out.getpixel((round(out.width * share), out.height // 2))
            assert all(abs(a - b) <= 4 for a, b in zip(pixel, expected)), (rendition.name, pixel, expected)


@pytest.mark.parametrize("size", [(1000, 750), (700, 525), (3000, 1000)])
def test_smaller_sizes_are_as_faithful_as_a_lanczos_resample(size):
    source = np.array(decode(photo(*size, seed=7)))
    source[:, ::3] = 255 - source[:, ::3]  # detail finer than the small size can hold
    small = fit(source, 400)
    reference = np.asarray(Image.fromarray(source).resize(small.shape[1::-1], Image.Resampling.LANCZOS))
    error = small.astype(float) - reference
    # dB; sampling without a filter (nearest: 11, bilinear: 13 to 18) turns that detail into moire
    assert max(small.shape) == 400 and 10 * np.log10(255 ** 2 / np.mean(error * error)) > 20


def test_small_photos_are_not_enlarged():
    result = outputs(photo(300, 200))
    assert {(r.width, r.height) for r in result.values()} == {(300, 200)}


@pytest.mark.parametrize("orientation, size", [(1, (320, 240)), (3, (320, 240)), (6, (240, 320)), (8, (240, 320))])
def test_exif_orientation_is_applied(orientation, size):
    full = decode(outputs(photo(320, 240, orientation=orientation))["full"].data)
    assert full.size == size
    assert full.getexif().get(0x0112) in (None, 1)  # upright pixels, no orientation left to apply


def test_rotation_3_turns_the_pixels_upside_down():
    image = Image.new("RGB", (100, 50), "white")
    image.paste((255, 0, 0), (0, 0, 50, 50))  # red on the left
    exif = Image.Exif()
    exif[0x0112] = 3
    full = decode(outputs(encoded(image, "PNG", exif=exif.tobytes()))["full"].data)
    assert full.getpixel((90, 25))[0] > 200 and full.getpixel((10, 25))[1] > 200  # red now on the right


def test_embedded_profile_is_converted_to_srgb_and_output_is_tagged():
    # Pixels in the LAB-based profile's terms would look wrong unconverted; use Pillow's built-in
    # profiles to make a wide-ish source: sRGB pixels re-expressed through a different profile.
    srgb = ImageCms.createProfile("sRGB")
    source = Image.new("RGB", (64, 64), (200, 60, 40))
    # Tag the file with a profile whose white point differs (D50 "sRGB"-like via LAB round trip).
    lab = ImageCms.createProfile("LAB", 5000)
    to_lab = ImageCms.buildTransform(srgb, lab, "RGB", "LAB")
    lab_image = ImageCms.applyTransform(source, to_lab)
    tagged = encoded(lab_image, "TIFF", icc_profile=ImageCms.ImageCmsProfile(lab).tobytes())
    full = decode(outputs(tagged)["full"].data)
    red, green, blue = full.getpixel((32, 32))
    assert abs(red - 200) <= 6 and abs(green - 60) <= 6 and abs(blue - 40) <= 6
    tagged_profile = ImageCms.ImageCmsProfile(io.BytesIO(full.info["icc_profile"]))
    assert "sRGB" in ImageCms.getProfileDescription(tagged_profile)


def test_cmyk_jpeg_becomes_rgb():
    cmyk = Image.new("CMYK", (80, 60), (0, 255, 255, 0))  # pure red ink
    full = decode(outputs(encoded(cmyk, "JPEG"))["full"].data)
    r, g, b = full.getpixel((40, 30))
    assert full.mode == "RGB" and r > 200 and g < 60 and b < 60


def test_transparency_is_flattened_onto_white():
    rgba = Image.new("RGBA", (60, 40), (0, 0, 255, 0))
    rgba.paste((0, 0, 255, 255), (0, 0, 30, 40))
    full = decode(outputs(encoded(rgba, "PNG"))["full"].data)
    assert full.getpixel((45, 20)) >= (250, 250, 250) and full.getpixel((10, 20))[2] > 200


def test_16_bit_grey_png_is_scaled_not_clipped():
    grey = Image.new("I;16", (40, 40), 32768)
    full = decode(outputs(encoded(grey, "PNG"))["full"].data)
    assert all(abs(c - 128) <= 3 for c in full.getpixel((20, 20)))


@pytest.mark.parametrize("fmt, options", [
    ("JPEG", {"progressive": True}), ("PNG", {}), ("TIFF", {}), ("WEBP", {"quality": 90}),
    ("TIFF", {"compression": "tiff_lzw"}),
])
def test_every_input_format(fmt, options):
    assert outputs(encoded(decode(photo(200, 150)), fmt, **options))["full"].width == 200


def test_heic_from_a_phone():
    from pillow_heif import from_pillow

    heif = from_pillow(decode(photo(256, 192)))
    out = io.BytesIO()
    heif.save(out, quality=80)
    assert outputs(out.getvalue())["full"].width == 256


def test_location_and_serials_are_stripped_authorship_kept():
    exif = Image.Exif()
    exif[0x013B] = "Ana Fotografa"              # Artist
    exif[0x8298] = "(c) 2026 VividArt Studio"   # Copyright
    exif[0x0110] = "EOS R5"                      # Model
    exif[0x0112] = 1
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 22.0, 1.0)})  # GPS
    exif.get_ifd(0x8769).update({0xA431: "SERIAL123", 0xA435: "LENS456", 0xA430: "Owner"})
    source = encoded(decode(photo(100, 80)), "JPEG", exif=exif.tobytes())
    for rendition in outputs(source).values():
        kept = decode(rendition.data).getexif()
        assert kept.get(0x013B) == "Ana Fotografa" and kept.get(0x8298) == "(c) 2026 VividArt Studio"
        assert not kept.get_ifd(0x8825)
        assert not set(kept.get_ifd(0x8769)) & {0xA431, 0xA435, 0xA430}
        assert b"SERIAL123" not in rendition.data and b"LENS456" not in rendition.data


def test_black_and_white_removes_colour():
    full = decode(outputs(photo(120, 90, seed=5), edit_spec.parse({"filters": {"black_and_white": True}}))["full"].data)
    assert all(max(p) - min(p) <= 4 for p in full.resize((12, 9)).get_flattened_data())


def test_warmth_moves_red_up_and_blue_down():
    grey = encoded(Image.new("RGB", (50, 50), (128, 128, 128)), "PNG")
    warm = decode(outputs(grey, edit_spec.parse({"adjust": {"temperature": 60}}))["full"].data).getpixel((25, 25))
    assert warm[0] > 135 and warm[2] < 121


def test_exposure_brightens_and_contrast_spreads():
    grey = encoded(Image.new("RGB", (50, 50), (100, 100, 100)), "PNG")
    brighter = decode(outputs(grey, edit_spec.parse({"adjust": {"exposure": 1}}))["full"].data).getpixel((5, 5))
    assert brighter[0] > 125
    ramp = encoded(Image.linear_gradient("L").convert("RGB"), "PNG")
    flat = decode(outputs(ramp)["full"].data)
    punchy = decode(outputs(ramp, edit_spec.parse({"adjust": {"contrast": 60}}))["full"].data)
    assert punchy.getpixel((0, 40))[0] < flat.getpixel((0, 40))[0]      # darks darker
    assert punchy.getpixel((0, 215))[0] > flat.getpixel((0, 215))[0]    # lights lighter


def test_crop_rotate_and_flip():
    spec = edit_spec.parse({"crop": "1:1", "rotate": 90, "flip": "horizontal"})
    result = outputs(photo(400, 300), spec)
    assert (result["full"].width, result["full"].height) == (300, 300)


def test_watermark_marks_every_rendition_in_its_corner():
    plain = decode(outputs(photo(800, 600, seed=3))["full"].data)
    marked = decode(outputs(photo(800, 600, seed=3),
                            edit_spec.parse({"watermark": {"text": "PROOF", "opacity": 100}}))["full"].data)
    corner = (650, 520, 790, 590)
    difference = sum(abs(a - b) for p, q in zip(plain.crop(corner).get_flattened_data(), marked.crop(corner).get_flattened_data())
                     for a, b in zip(p, q))
    assert difference > 1000
    assert list(plain.crop((0, 0, 100, 100)).get_flattened_data()) == list(marked.crop((0, 0, 100, 100)).get_flattened_data())


@pytest.mark.parametrize("preset", list(edit_spec.PRESETS))
def test_every_preset_renders(preset):
    assert len(render(photo(300, 200), edit_spec.parse({"preset": preset})).renditions) == 7


def test_a_proof_carries_the_studios_name_across_the_whole_picture():
    result = render(photo(2400, 1600, seed=6), ORIGINAL, proof_text="Studio Name · PROOF").renditions
    clean, proof = (np.asarray(decode(r.data), float) for r in result if r.name in ("web", "proof"))
    for clean_image, proof_image in ((clean, proof),):
        marked = np.abs(proof_image - clean_image).max(axis=2) > 25
        height, width = marked.shape
        # marked in every ninth of the picture: there is no corner to crop the mark away
        for row in range(3):
            for column in range(3):
                cell = marked[row * height // 3:(row + 1) * height // 3, column * width // 3:(column + 1) * width // 3]
                assert cell.mean() > 0.003, (row, column)
        assert marked.mean() < 0.25  # and the photo still shows through


@pytest.mark.parametrize("data, reason", [
    (b"this is not an image", "unsupported"),
    (b"GIF89a" + b"\x00" * 50, "unsupported"),
    (photo(320, 240)[:600], "corrupt"),
])
def test_bad_files_fail_permanently_with_a_reason(data, reason):
    with pytest.raises(PermanentError) as failure:
        render(data, ORIGINAL)
    assert failure.value.reason == reason


def test_truncated_png_is_corrupt():
    data = encoded(decode(photo(300, 300)), "PNG")
    with pytest.raises(PermanentError) as failure:
        render(data[: len(data) // 2], ORIGINAL)
    assert failure.value.reason == "corrupt"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pixel_bomb_is_refused_before_decoding():
    import tracemalloc

    bomb = pixel_bomb()
    assert len(bomb) < 1_000_000
    tracemalloc.start()
    with pytest.raises(PermanentError) as failure:
        render(bomb, ORIGINAL)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert failure.value.reason == "too_large" and "pixels" in str(failure.value)
    assert peak < 50_000_000


def test_too_many_bytes_is_refused_without_decoding():
    from photo_jobs.limits import MAX_SOURCE_BYTES

    with pytest.raises(PermanentError) as failure:
        render(b"\xff\xd8" + bytes(MAX_SOURCE_BYTES), ORIGINAL)
    assert failure.value.reason == "too_large" and "bytes" in str(failure.value)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_the_fast_jpeg_path_orients_exactly_like_pillow(orientation):
    source = photo(64, 48, orientation=orientation, seed=orientation)
    expected = np.array(ImageOps.exif_transpose(Image.open(io.BytesIO(source))).convert("RGB"))
    assert np.array_equal(orient(decode_jpeg(source), orientation), expected)


# --- damaged metadata: the pixels are fine, so the photo is too ------------------------------

GARBAGE = bytes(range(256)) * 4
SRGB_BYTES = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
TAG_TABLE_DAMAGED = SRGB_BYTES[:156] + b"\0" + SRGB_BYTES[157:]  # loads, but a colour tag reads as nothing


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "TIFF", "WEBP"])
@pytest.mark.parametrize("profile", [GARBAGE, TAG_TABLE_DAMAGED], ids=["garbage", "tag-table-damaged"])
def test_a_damaged_colour_profile_means_no_profile(fmt, profile):
    source = encoded(decode(photo(120, 90, seed=8)), fmt, icc_profile=profile)
    full = decode(outputs(source)["full"].data)
    assert full.size == (120, 90) and full.info["icc_profile"] == SRGB_ICC


def test_a_profile_for_other_pixels_means_no_profile():
    cmyk_like = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()  # not for RGB pixels
    rgb = Image.new("RGB", (40, 30), (200, 60, 40))
    full = decode(outputs(encoded(rgb, "PNG", icc_profile=cmyk_like))["full"].data)
    assert all(abs(a - b) <= 3 for a, b in zip(full.getpixel((20, 15)), (200, 60, 40)))


@pytest.mark.parametrize("fmt, exif", ids=["webp-bad-exif-header", "jpeg-ifd-offset-past-end", "png-truncated-ifd"], argvalues=[
    ("WEBP", b"Exif\x00\x00" + GARBAGE),        # a bad EXIF header in a WebP
    ("JPEG", b"Exif\x00\x00II*\x00\xff\xff\xff\x7f" + GARBAGE),  # an IFD offset past the end
    ("PNG", b"MM\x00*\x00\x00\x00\x08\x00\x02" + GARBAGE),
])
def test_a_damaged_exif_block_means_no_metadata(fmt, exif):
    source = encoded(decode(photo(120, 90, seed=9)), fmt, exif=exif)
    result = outputs(source)
    assert decode(result["full"].data).size == (120, 90)


@pytest.mark.parametrize("orientation", [0, 9, 65535])
def test_an_impossible_orientation_is_ignored(orientation):
    exif = Image.Exif()
    exif[0x0112] = orientation
    source = encoded(decode(photo(120, 90)), "PNG", exif=exif.tobytes())
    assert decode(outputs(source)["full"].data).size == (120, 90)


def test_an_edge_longer_than_a_jpeg_can_hold_is_refused():
    with pytest.raises(PermanentError) as failure:
        render(encoded(Image.new("L", (65_501, 2)), "PNG"), ORIGINAL)
    assert failure.value.reason == "too_large" and "JPEG" in str(failure.value)


def test_the_longest_edge_a_jpeg_holds_is_processed():
    result = outputs(encoded(Image.new("RGB", (65_500, 3), (10, 200, 30)), "PNG"))
    assert (result["full"].width, result["full"].height) == (65_500, 3)
    assert (result["thumb"].width, result["thumb"].height) == (400, 1)


def test_every_filter_of_the_spec_has_its_stage_and_changes_the_photo():
    from photo_processor.pipeline import FILTERS

    assert set(FILTERS) == set(edit_spec.FILTERS)
    base = photo(200, 150, seed=4)
    plain = decode(outputs(base)["full"].data)
    for name, control in {**edit_spec.ADJUSTMENTS, **edit_spec.FILTERS}.items():
        section = "adjust" if name in edit_spec.ADJUSTMENTS else "filters"
        value = True if control.toggle else control.high
        edited = decode(outputs(base, edit_spec.parse({section: {name: value}}))["full"].data)
        difference = np.abs(np.asarray(edited, float) - np.asarray(plain, float)).mean()
        assert difference > 1, f"{section}.{name} = {value} changed nothing"


@pytest.mark.parametrize("look", [{"preset": "natural"}, {"preset": "vintage", "crop": "4:5"},
                                  {"preset": "warm_portrait", "rotate": 90, "watermark": {"text": "PROOF"}}])
def test_a_preview_is_the_web_rendition_of_the_same_spec(look):
    from photo_processor.pipeline import preview

    source = photo(3000, 2000, seed=12, orientation=6)
    spec = edit_spec.parse(look)
    web = decode(outputs(source, spec)["web"].data)
    made = decode(preview(source, spec).data)
    assert made.size == web.size
    difference = np.abs(np.asarray(made, float) - np.asarray(web, float)).mean()
    assert difference < 2, difference  # in levels of 255: resized first, edited after, the same look
