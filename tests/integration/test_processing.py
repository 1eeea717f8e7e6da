"""Photo processing through the deployed Lambda on the local stack: uploads by presigned POST
with an edit spec, every input kind, hostile files and odd key names."""

import io
import json

import pytest
import requests
from PIL import Image

from support import encoded, photo, pixel_bomb

pytestmark = pytest.mark.integration


def test_presigned_post_with_a_spec_gives_every_rendition(stack):
    spec = {"preset": "classic_black_and_white", "crop": "1:1", "watermark": {"text": "PROOF"}}
    key = stack.web.upload(photo(1200, 800, seed=31), "ceremony.jpg", spec=spec)
    status = stack.web.wait(key, timeout=60)
    assert status["status"] == "processed", status
    sizes = {o["name"]: (o["width"], o["height"]) for o in status["outputs"]}
    assert sizes == {"full": (800, 800), "web": (800, 800), "thumb": (400, 400), "web_webp": (800, 800)}
    full = Image.open(io.BytesIO(stack.web.download(key)))
    assert all(max(p) - min(p) <= 6 for p in full.resize((8, 8)).get_flattened_data())  # black and white
    assert Image.open(io.BytesIO(stack.web.download(key, "web_webp"))).format == "WEBP"
    [event] = [e for e in stack.events(key) if e["type"] == "processed"]
    assert event["schema"] == 1 and event["spec"]["preset"] == "classic_black_and_white"
    assert {o["name"] for o in event["outputs"]} == set(sizes)
    assert all(o["url"].startswith("http://127.0.0.1:") and o["bytes"] > 0 for o in event["outputs"])
    assert {"download", "decode", "encode", "total"} <= set(event["timings_ms"])
    assert requests.get(event["outputs"][0]["url"], timeout=10).status_code == 200  # presigned, works


@pytest.mark.parametrize("name, data", [
    ("phone.heic", None),
    ("logo with alpha.png", encoded(Image.new("RGBA", (300, 200), (0, 128, 255, 120)), "PNG")),
    ("scan 16-bit.tif", encoded(Image.new("I;16", (300, 200), 40000), "TIFF")),
    ("export.webp", encoded(Image.open(io.BytesIO(photo(300, 200))), "WEBP")),
    ("print.jpg", encoded(Image.new("CMYK", (300, 200), (0, 200, 200, 0)), "JPEG")),
])
def test_every_input_kind_is_processed(stack, name, data):
    if data is None:
        from pillow_heif import from_pillow

        out = io.BytesIO()
        from_pillow(Image.open(io.BytesIO(photo(300, 200)))).save(out, quality=80)
        data = out.getvalue()
    key = stack.web.upload(data, name)
    status = stack.web.wait(key, timeout=60)
    assert status["status"] == "processed", status
    assert {(o["width"], o["height"]) for o in status["outputs"]} == {(300, 200)}


@pytest.mark.parametrize("name, data, reason_words", [
    ("notes.jpg", b"just some text, not a photo", "not an image format"),
    ("cut short.jpg", photo(600, 400)[:900], "damaged or truncated"),
    ("bomb.png", pixel_bomb(), "pixels"),
])
def test_hostile_files_fail_once_with_a_reason(stack, name, data, reason_words):
    key = stack.web.upload(data, name, content_type="image/png" if name.endswith(".png") else "image/jpeg")
    status = stack.web.wait(key, timeout=60)
    assert status["status"] == "failed" and reason_words in status["error"]
    assert [e["type"] for e in stack.events(key)] == ["failed"]  # reported once, not retried
    source = stack.aws("s3").head_object(Bucket=stack.outputs["source_bucket"], Key=key)
    assert source["ContentLength"] == len(data)  # the source object is kept as it was


def test_a_spec_the_web_app_did_not_check_fails_clearly(stack):
    s3, out = stack.aws("s3"), stack.outputs
    key = out["upload_prefix"] + "cli/bad spec.jpg"
    s3.put_object(Bucket=out["source_bucket"], Key=key, Body=photo(seed=32),
                  Metadata={"edit-spec": json.dumps({"adjust": {"exposure": 9}})})
    status = stack.web.wait(key, timeout=60)
    assert status["status"] == "failed" and "adjust.exposure is 9" in status["error"]


@pytest.mark.parametrize("name", ["a b+c.jpg", "100% #1.jpg", "café ñ ü.jpg", "plus+plus++.jpg", "semi;colon's.jpg"])
def test_odd_key_names(stack, name):
    s3, out = stack.aws("s3"), stack.outputs
    key = f"{out['upload_prefix']}odd/{name}"
    s3.put_object(Bucket=out["source_bucket"], Key=key, Body=photo(seed=len(name)))
    status = stack.web.wait(key, timeout=60)
    assert status["status"] == "processed" and status["key"] == key


def test_colour_profile_and_metadata_through_the_lambda(stack):
    from PIL import ImageCms

    srgb, lab = ImageCms.createProfile("sRGB"), ImageCms.createProfile("LAB", 5000)
    lab_pixels = ImageCms.applyTransform(Image.new("RGB", (120, 90), (200, 60, 40)),
                                         ImageCms.buildTransform(srgb, lab, "RGB", "LAB"))
    exif = Image.Exif()
    exif[0x013B] = "Ana Fotografa"
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 22.0, 1.0)})
    exif.get_ifd(0x8769).update({0xA431: "SERIAL123"})
    data = encoded(lab_pixels, "TIFF", icc_profile=ImageCms.ImageCmsProfile(lab).tobytes(), exif=exif.tobytes())
    key = stack.web.upload(data, "lab profile.tif")
    assert stack.web.wait(key, timeout=60)["status"] == "processed"
    full = Image.open(io.BytesIO(stack.web.download(key)))
    assert all(abs(a - b) <= 6 for a, b in zip(full.getpixel((60, 45)), (200, 60, 40)))
    assert "sRGB" in ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(full.info["icc_profile"])))
    kept = full.getexif()
    assert kept.get(0x013B) == "Ana Fotografa" and not kept.get_ifd(0x8825) and 0xA431 not in kept.get_ifd(0x8769)
