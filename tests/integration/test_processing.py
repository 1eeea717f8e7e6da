"""Photo processing through the deployed Lambda on the local stack: uploads with an edit spec,
every input kind, hostile files (each answered within two minutes, its source kept), odd keys."""

import io
import json
import time

import pytest
from PIL import Image, ImageCms

from support import encoded, photo, pixel_bomb

pytestmark = pytest.mark.integration
GARBAGE = bytes(range(256)) * 4
SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def test_an_upload_with_a_spec_gives_every_rendition(stack):
    spec = {"preset": "classic_black_and_white", "crop": "1:1", "watermark": {"text": "PROOF"}}
    key = stack.upload(photo(1200, 800, seed=31), "ceremony.jpg", spec=spec)
    status = stack.studio.wait(key, timeout=60)
    assert status["status"] == "processed", status
    sizes = {o["name"]: (o["width"], o["height"]) for o in status["outputs"]}
    assert sizes == {"full": (800, 800), "web": (800, 800), "thumb": (400, 400), "web_webp": (800, 800),
                     "thumb_webp": (400, 400), "proof": (800, 800), "proof_thumb": (400, 400)}
    full = Image.open(io.BytesIO(stack.download(key)))
    assert all(max(p) - min(p) <= 6 for p in full.resize((8, 8)).get_flattened_data())  # black and white
    assert Image.open(io.BytesIO(stack.download(key, "web_webp"))).format == "WEBP"


def heic(width: int, height: int) -> bytes:
    from pillow_heif import from_pillow

    out = io.BytesIO()
    from_pillow(Image.open(io.BytesIO(photo(width, height)))).save(out, quality=80)
    return out.getvalue()


def named(value):
    """A test's id: the file's name and what is expected, never its bytes (pytest-xdist's workers each
    make them, and an encoder need not make the same bytes twice)."""
    return value if isinstance(value, str) else "bytes" if isinstance(value, bytes) or callable(value) else None


@pytest.mark.parametrize("name, data", [
    ("phone.heic", heic(300, 200)),
    ("logo with alpha.png", encoded(Image.new("RGBA", (300, 200), (0, 128, 255, 120)), "PNG")),
    ("scan 16-bit.tif", encoded(Image.new("I;16", (300, 200), 40000), "TIFF")),
    ("export.webp", encoded(Image.open(io.BytesIO(photo(300, 200))), "WEBP")),
    ("print.jpg", encoded(Image.new("CMYK", (300, 200), (0, 200, 200, 0)), "JPEG")),
], ids=named)
def test_every_input_kind_is_processed(stack, name, data):
    key = stack.upload(data, name)
    status = stack.studio.wait(key, timeout=60)
    assert status["status"] == "processed", status
    assert {(o["width"], o["height"]) for o in status["outputs"]} == {(300, 200)}


def hostile_files():
    """The kinds of file issue 8 found never answered, and the plainly bad ones. Each is made when its
    test runs (the largest take seconds to encode), not when the suite is collected."""
    base = lambda: Image.open(io.BytesIO(photo(400, 300, seed=33)))  # noqa: E731
    tag_table_damaged = SRGB[:156] + b"\0" + SRGB[157:]
    return [
        ("notes.jpg", lambda: b"just some text, not a photo", "image/jpeg", ("failed", "unsupported")),
        ("cut short.jpg", lambda: photo(600, 400)[:900], "image/jpeg", ("failed", "corrupt")),
        ("bomb.png", pixel_bomb, "image/png", ("failed", "too_large")),
        ("damaged profile.jpg", lambda: encoded(base(), "JPEG", icc_profile=tag_table_damaged), "image/jpeg", ("processed", None)),
        ("garbage profile.png", lambda: encoded(base(), "PNG", icc_profile=GARBAGE), "image/png", ("processed", None)),
        ("bad exif.webp", lambda: encoded(base(), "WEBP", exif=b"Exif\x00\x00" + GARBAGE), "image/webp", ("processed", None)),
        ("too long.png", lambda: encoded(Image.new("L", (65_501, 2)), "PNG"), "image/png", ("failed", "too_large")),
        # 120 MP of flat RGBA in a few hundred kB: it used to need 2.3 GB; now it fits the 2 GB function
        ("flat 120MP.png", lambda: encoded(Image.new("RGBA", (12_000, 10_000), (20, 40, 60, 128)), "PNG"), "image/png",
         ("processed", None)),
    ]


@pytest.mark.parametrize("name, make, content_type, expected", hostile_files(), ids=named)
def test_hostile_files_are_each_answered_within_two_minutes_and_kept(stack, name, make, content_type, expected):
    data = make()
    key = stack.upload(data, name, content_type=content_type)
    status = stack.studio.wait(key, timeout=120)
    assert (status["status"], (status["error"] or {}).get("reason")) == expected, status
    if status["status"] == "failed":
        assert status["error"]["message"]  # a reason a person can read
    source = stack.aws("s3").head_object(Bucket=stack.outputs["source_bucket"], Key=key)
    assert source["ContentLength"] == len(data)  # the source object is kept as it was


def test_a_failure_is_reported_once_not_retried(stack):
    with stack.listening(stack.shoot()["id"]) as events:
        key = stack.upload(b"not a photo", "once.jpg", content_type="image/jpeg")
        assert stack.studio.wait(key, timeout=60)["status"] == "failed"
        events.wait_for(lambda kind, data: data.get("key") == key and data["status"] == "failed")
        time.sleep(2)  # a retry would announce itself within this
    assert [e["status"] for e in events.jobs(key)] == ["failed"]


def test_a_spec_the_web_app_did_not_check_fails_clearly(stack):
    s3, out = stack.aws("s3"), stack.outputs
    key = f"{out['upload_prefix']}{stack.shoot()['id']}/cli/bad spec.jpg"
    s3.put_object(Bucket=out["source_bucket"], Key=key, Body=photo(seed=32),
                  Metadata={"edit-spec": json.dumps({"adjust": {"exposure": 9}})})
    status = stack.studio.wait(key, timeout=60)
    assert status["status"] == "failed" and status["error"]["reason"] == "invalid_spec"
    assert "adjust.exposure is 9" in status["error"]["message"]


@pytest.mark.parametrize("name", ["a b+c.jpg", "100% #1.jpg", "café ñ ü.jpg", "plus+plus++.jpg", "semi;colon's.jpg"])
def test_odd_key_names(stack, name):
    s3, out = stack.aws("s3"), stack.outputs
    key = f"{out['upload_prefix']}{stack.shoot()['id']}/odd/{name}"
    s3.put_object(Bucket=out["source_bucket"], Key=key, Body=photo(seed=len(name)))
    status = stack.studio.wait(key, timeout=60)
    assert status["status"] == "processed" and status["key"] == key


def test_colour_profile_and_metadata_through_the_lambda(stack):
    srgb, lab = ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB", 5000)
    lab_pixels = ImageCms.applyTransform(Image.new("RGB", (120, 90), (200, 60, 40)),
                                         ImageCms.buildTransform(srgb, lab, "RGB", "LAB"))
    exif = Image.Exif()
    exif[0x013B] = "Ana Fotografa"
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 22.0, 1.0)})
    exif.get_ifd(0x8769).update({0xA431: "SERIAL123"})
    data = encoded(lab_pixels, "TIFF", icc_profile=ImageCms.ImageCmsProfile(lab).tobytes(), exif=exif.tobytes())
    key = stack.upload(data, "lab profile.tif")
    assert stack.studio.wait(key, timeout=60)["status"] == "processed"
    full = Image.open(io.BytesIO(stack.download(key)))
    assert all(abs(a - b) <= 6 for a, b in zip(full.getpixel((60, 45)), (200, 60, 40)))
    assert "sRGB" in ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(full.info["icc_profile"])))
    kept = full.getexif()  # the studio's name as the creator (no rights came with it), not the camera's owner
    assert kept.get(0x013B) == stack.outputs["studio_name"] and not kept.get_ifd(0x8825) and 0xA431 not in kept.get_ifd(0x8769)
