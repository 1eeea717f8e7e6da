"""Camera RAW files and the rights through the deployed processor on the local stack: RAW files
uploaded as the studio does, in every kind the upload widget takes, end processed in the camera's
colours or failed with a reason; every delivered file (renditions, proofs, a gallery's ZIP entry)
carries the creator, notice and contact the upload's metadata gave, or the studio's defaults."""

import io
import json
import subprocess
import zipfile
from datetime import UTC, datetime

import numpy as np
import pytest
import requests
from PIL import Image

from photo_jobs import rights as photo_rights, spec as edit_spec
from photo_jobs.renditions import NAMES as RENDITIONS
from photo_jobs.rights import Rights
from gallery_client import client, download_all
from support import decode, dng, encoded, photo, wait_for

pytestmark = pytest.mark.integration
ANA = Rights(creator="Ana Fotógrafa", notice="© {year} Ana Fotógrafa Studio", email="ana@example.com",
             url="https://ana.example.com", phone="+44 20 7946 0000", address="1 High Street, London")


def chart() -> np.ndarray:
    picture = np.zeros((400, 600, 3), np.uint8)
    for n, colour in enumerate([(200, 40, 30), (30, 170, 60), (40, 50, 190), (128, 128, 128), (235, 200, 150),
                                (255, 255, 255)]):
        picture[:, n * 100:(n + 1) * 100] = colour
    return picture


def exiftool(data: bytes, tmp_path, name: str) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    return json.loads(subprocess.run(["exiftool", "-json", "-G1", "-a", str(path)], capture_output=True, text=True,
                                     check=True).stdout)[0]


@pytest.mark.parametrize("name, data, expected", [pytest.param(*case, id=case[0]) for case in [
    ("IMG_0001.dng", dng(chart(), neutral=(0.5, 1.0, 0.7), orientation=6, preview_first=True), "processed"),
    ("DSC_0002.NEF", dng(chart(), neutral=(0.8, 1.0, 0.45), preview_first=True, dng_version=False,
                         make="NIKON CORPORATION"), "processed"),
    ("DSC00003.ARW", dng(chart(), preview_first=True, dng_version=False, make="SONY"), "processed"),
    ("IMG_0004.CR2", b"II*\x00\x10\x00\x00\x00CR\x02\x00" + bytes(range(256)) * 64, "failed"),
    ("IMG_0005.CR3", b"\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01" + bytes(range(256)) * 64, "failed"),
    ("DSCF0006.RAF", b"FUJIFILMCCD-RAW 0201FF383501" + bytes(range(256)) * 64, "failed"),
    ("cut short.dng", dng(chart(), preview_first=True)[:30_000], "failed"),
]])
def test_raw_files_of_every_kind_are_processed_in_the_cameras_colours_or_fail_with_a_reason(stack, name, data,
                                                                                          expected):
    key = stack.upload(data, name)  # the web app types it by its name: a camera's RAW type
    s3, out = stack.aws("s3"), stack.outputs
    assert s3.head_object(Bucket=out["source_bucket"], Key=key)["ContentType"].startswith("image/x-")
    status = stack.studio.wait(key, timeout=120)
    assert status["status"] == expected, status
    if status["status"] == "failed":
        assert status["error"]["reason"] in ("corrupt", "unsupported") and status["error"]["message"]
        return
    assert {o["name"] for o in status["outputs"]} == set(RENDITIONS)
    full = np.asarray(Image.open(io.BytesIO(stack.download(key))).convert("RGB"))
    if name.endswith(".dng"):  # orientation 6: the chart's first patch now runs along the top
        assert full.shape[:2] == (600, 400)
        full = np.rot90(full)  # back as shot, to compare the patches
    for n, colour in enumerate(chart()[200, ::100]):
        seen = full[180:220, n * 100 + 30:n * 100 + 70].reshape(-1, 3).mean(axis=0)
        assert np.abs(seen - colour).max() <= 4, (name, n, seen, colour)


def put_with_metadata(stack, name: str, data: bytes, rights_text: str | None, spec: dict | None = None) -> str:
    """An upload as the web app makes it: the edit spec and the rights in the object's metadata."""
    s3, out = stack.aws("s3"), stack.outputs
    key = f"{out['upload_prefix']}{stack.shoot('Rights')['id']}/rights/{name}"
    metadata = {edit_spec.METADATA_KEY: edit_spec.to_metadata(spec)}
    if rights_text is not None:
        metadata[photo_rights.METADATA_KEY] = rights_text
    s3.put_object(Bucket=out["source_bucket"], Key=key, Body=data, ContentType="image/jpeg", Metadata=metadata)
    return key


def gps_photo() -> bytes:
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (52.0, 22.0, 1.0), 3: "E", 4: (4.0, 53.0, 30.0)})
    return encoded(decode(photo(900, 600, seed=91)), "JPEG", quality=92, exif=exif.tobytes())


def test_every_delivered_file_carries_the_rights_the_upload_gave(stack, tmp_path):
    key = put_with_metadata(stack, "rights.jpg", gps_photo(), ANA.to_metadata(), {"preset": "natural"})
    status = stack.studio.wait(key, timeout=60)
    assert status["status"] == "processed", status
    year = datetime.now(UTC).year  # uploaded now: the notice's {year}
    for rendition in RENDITIONS:
        data = stack.download(key, rendition)
        exif = Image.open(io.BytesIO(data)).getexif()  # Pillow: EXIF text is UTF-8, handed over as Latin-1
        assert exif[0x013B].encode("latin-1").decode() == "Ana Fotógrafa"
        assert exif[0x8298].encode("latin-1").decode() == f"© {year} Ana Fotógrafa Studio"
        tags = exiftool(data, tmp_path, rendition)
        assert tags["XMP-dc:Creator"] == "Ana Fotógrafa" and tags["XMP-dc:Rights"] == f"© {year} Ana Fotógrafa Studio"
        assert tags["XMP-iptcCore:CreatorWorkEmail"] == "ana@example.com"
        assert tags["XMP-iptcCore:CreatorWorkURL"] == "https://ana.example.com"
        assert tags["XMP-iptcCore:CreatorWorkTelephone"] == "+44 20 7946 0000"
        assert not [tag for tag in tags if tag.startswith("GPS:")], rendition  # stripped from client copies

    # and a gallery's ZIP entry: the same file
    link = requests.post(f"{stack.web_url}/api/shoots/{stack.shoot('Rights')['id']}/links", timeout=30,
                         headers={"Authorization": f"Bearer {stack.staff['api_token']}"},
                         json={"name": "Rights", "downloads": "full", "proofs": False}).json()
    parts = download_all(stack, client(stack, link), link)["parts"]
    with zipfile.ZipFile(io.BytesIO(next(p["content"] for p in parts))) as zipped:
        entry = next(n for n in zipped.namelist() if "rights" in n)
        tags = exiftool(zipped.read(entry), tmp_path, "entry.jpg")
    assert tags["IFD0:Artist"] == "Ana Fotógrafa" and tags["XMP-dc:Rights"] == f"© {year} Ana Fotógrafa Studio"


def test_no_rights_in_the_upload_means_the_studios_name_and_an_edit_keeps_given_ones(stack, tmp_path):
    plain = put_with_metadata(stack, "defaults.jpg", photo(400, 300, seed=92), None)
    assert stack.studio.wait(plain, timeout=60)["status"] == "processed"
    tags = exiftool(stack.download(plain), tmp_path, "defaults.jpg")
    studio = stack.outputs["studio_name"]
    assert tags["IFD0:Artist"] == studio and tags["IFD0:Copyright"] == f"© {datetime.now(UTC).year} {studio}"

    kept = Rights(creator="Ana", notice="© Ana", keep_gps=True)
    key = put_with_metadata(stack, "keeps gps.jpg", gps_photo(), kept.to_metadata())
    shoot_id, path = key.split("/", 2)[1:]
    before = stack.studio.wait(key, timeout=60)
    stack.studio.apply(shoot_id, {"preset": "vintage"}, photos=[path])  # a new version of the object
    after = wait_for(lambda: (lambda p: p if p["status"] == "processed" and not p["outdated"] else None)(
        stack.studio._call("GET", f"/api/shoots/{shoot_id}/photos/{path}").json()), timeout=60)
    assert after["job_id"] != before["job_id"] and after["preset"] == "vintage"
    tags = exiftool(stack.download(key, "web"), tmp_path, "edited.jpg")
    assert tags["IFD0:Artist"] == "Ana" and tags["GPS:GPSLatitudeRef"] == "North"


def test_rights_the_web_app_did_not_check_fail_clearly(stack):
    key = put_with_metadata(stack, "bad rights.jpg", photo(seed=93), '{"version":1,"email":"nobody"}')
    status = stack.studio.wait(key, timeout=60)
    assert status["status"] == "failed" and status["error"]["reason"] == "invalid_spec"
    assert "email" in status["error"]["message"]


def test_a_shoot_that_keeps_the_location_gives_it_to_every_copy_and_others_strip_it(stack, tmp_path):
    """The studio's choice per shoot (the shoot page's checkbox, PATCH /api/shoots/<id>), signed into
    each upload's grant: photos uploaded after it keep their GPS in every rendition; a shoot that
    does not (the default) strips it."""
    studio = stack.studio
    keeping = studio._call("POST", "/api/shoots", json={"name": "Keeps the location"}).json()
    assert keeping["keep_gps"] is False
    assert studio._call("PATCH", f"/api/shoots/{keeping['id']}", json={"keep_gps": True}).json()["keep_gps"] is True
    stripping = studio.create_shoot("Strips the location")
    kept = stack.upload(gps_photo(), "with gps.jpg", shoot=keeping["id"])
    stripped = stack.upload(gps_photo(), "without gps.jpg", shoot=stripping["id"])
    for key in (kept, stripped):
        assert studio.wait(key, timeout=60)["status"] == "processed"
    for rendition in ("full", "web", "proof"):
        assert exiftool(stack.download(kept, rendition), tmp_path, f"kept-{rendition}.jpg")["GPS:GPSLatitudeRef"] == "North"
        assert not any(tag.startswith("GPS:") for tag in exiftool(stack.download(stripped, rendition), tmp_path,
                                                                   f"stripped-{rendition}.jpg"))
