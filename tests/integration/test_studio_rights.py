"""The studio's settings reach every delivered file: set on the settings API, carried by each
upload grant (a single PUT and a multipart upload, as the CLI sends them), written by the
processor into every rendition and a gallery's ZIP entry, read back with Pillow and exiftool; and
the studio's name is on the gallery and signs its email."""

import io
import json
import subprocess
import zipfile
from datetime import UTC, datetime

import pytest
import requests
from PIL import Image

from gallery_client import client, download_all, sent_emails
from photo_jobs.renditions import NAMES as RENDITIONS
from support import photo, wait_for

pytestmark = pytest.mark.integration
SETTINGS = {"name": "Ana Fotógrafa Studio", "creator": "Ana Fotógrafa", "notice": "© {year} Ana Fotógrafa",
            "email": "ana@example.com", "phone": "+44 20 7946 0000", "address": "1 High Street", "city": "London",
            "country": "United Kingdom", "url": "https://ana.example.com", "accent": "#2a6f97"}


def exiftool(data: bytes, tmp_path, name: str) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    return json.loads(subprocess.run(["exiftool", "-json", "-G1", "-a", str(path)], capture_output=True, text=True,
                                     check=True).stdout)[0]


@pytest.fixture
def studio_settings(stack):
    """The settings saved as the settings page saves them; the defaults again afterwards (the
    stack is the whole session's)."""
    api = f"{stack.web_url}/api/studio"
    auth = {"Authorization": f"Bearer {stack.staff['api_token']}"}
    saved = requests.put(api, json=SETTINGS, headers=auth, timeout=30)
    assert saved.status_code == 200, saved.text
    yield saved.json()
    requests.put(api, json={}, headers=auth, timeout=30).raise_for_status()


def test_every_file_delivered_from_an_upload_carries_the_studios_settings(stack, studio_settings, tmp_path):
    shoot = stack.shoot("Studio rights")["id"]
    single = stack.upload(photo(900, 600, seed=171), "single put.jpg", shoot=shoot)
    grant = stack.studio._call("POST", f"/api/shoots/{shoot}/uploads", json={  # the CLI's multipart path, one part
        "filename": "multipart.jpg", "size": len(data := photo(800, 600, seed=172))}).json()
    stack.studio._multipart(shoot, data, grant, None)
    year = datetime.now(UTC).year  # uploaded now: the notice's {year}
    for key in (single, grant["key"]):
        status = stack.studio.wait(key, timeout=90)
        assert status["status"] == "processed", status
        for rendition in RENDITIONS:
            data = stack.download(key, rendition)
            exif = Image.open(io.BytesIO(data)).getexif()  # Pillow: EXIF text is UTF-8, handed over as Latin-1
            assert exif[0x013B].encode("latin-1").decode() == "Ana Fotógrafa", (key, rendition)
            assert exif[0x8298].encode("latin-1").decode() == f"© {year} Ana Fotógrafa", (key, rendition)
            tags = exiftool(data, tmp_path, f"{rendition}.bin")
            assert tags["XMP-dc:Creator"] == "Ana Fotógrafa" and tags["XMP-dc:Rights"] == f"© {year} Ana Fotógrafa"
            assert tags["XMP-iptcCore:CreatorWorkEmail"] == "ana@example.com"
            assert tags["XMP-iptcCore:CreatorCity"] == "London"
            assert tags["XMP-iptcCore:CreatorCountry"] == "United Kingdom"
            assert tags["XMP-iptcCore:CreatorAddress"] == "1 High Street"

    # and a gallery's ZIP entry, which wears the studio's name on its page
    link = requests.post(f"{stack.web_url}/api/shoots/{shoot}/links", timeout=30,
                         headers={"Authorization": f"Bearer {stack.staff['api_token']}"},
                         json={"name": "Studio rights", "downloads": "full", "proofs": False}).json()
    visitor = client(stack, link)
    assert "Ana Fotógrafa Studio" in visitor.get(link["url"], timeout=30).text
    parts = download_all(stack, visitor, link, email="couple@studio-rights.example")["parts"]
    with zipfile.ZipFile(io.BytesIO(next(p["content"] for p in parts))) as zipped:
        entry = next(n for n in zipped.namelist() if "single put" in n)
        data = zipped.read(entry)
    tags = exiftool(data, tmp_path, "entry.jpg")
    assert tags["IFD0:Artist"] == "Ana Fotógrafa" and tags["XMP-dc:Rights"] == f"© {year} Ana Fotógrafa"
    assert Image.open(io.BytesIO(data)).getexif()[0x8298].encode("latin-1").decode() == f"© {year} Ana Fotógrafa"

    # the email that says so comes from the studio's name and is signed with it
    mail = wait_for(lambda: next((m for m in sent_emails(stack) if m.to == ("couple@studio-rights.example",)), None),
                    timeout=30)
    assert mail.source.startswith("Ana Fotógrafa Studio <")
    assert mail.text.split("\n--\n")[0].rstrip().endswith("— Ana Fotógrafa Studio")  # above its unsubscribe line
    assert "background:#2a6f97" in mail.html and "Ana Fotógrafa Studio" in mail.html  # its HTML in the brand
