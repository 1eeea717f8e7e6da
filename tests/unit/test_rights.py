"""The rights every delivered file carries: how they travel with an upload (S3 metadata beside the
edit spec, within S3's 2 KB), their defaults, and what the pipeline writes into each rendition,
read back with Pillow and with exiftool."""

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from photo_jobs import limits, rights, spec as edit_spec
from photo_jobs.rights import Rights, RightsError
from photo_processor.pipeline import render
from support import decode, dng, encoded, photo

ANA = Rights(creator="Ana Fotógrafa", notice="© {year} Ana Fotógrafa Studio", email="ana@example.com",
             url="https://ana.example.com", phone="+44 20 7946 0000", address="1 High Street, London E1 6AN")
NS = {"x": "adobe:ns:meta/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "dc": "http://purl.org/dc/elements/1.1/",
      "Iptc4xmpCore": "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/", "xmpRights": "http://ns.adobe.com/xap/1.0/rights/"}
GPS = {1: "N", 2: (52.0, 22.0, 1.0), 3: "E", 4: (4.0, 53.0, 30.0)}


# --- how they travel --------------------------------------------------------------------------

def test_they_travel_as_compact_ascii_json_and_come_back_the_same():
    text = ANA.to_metadata()
    assert text.isascii() and json.loads(text)["version"] == rights.SCHEMA_VERSION
    assert rights.from_metadata(text, "Other Studio") == ANA


def test_the_spec_and_the_rights_fit_s3s_user_metadata_together():
    # S3 counts names and values: the longest of each must fit the 2 KB beside the other
    assert (len(edit_spec.METADATA_KEY) + edit_spec.MAX_METADATA_BYTES + len(rights.METADATA_KEY)
            + rights.MAX_METADATA_BYTES) <= limits.MAX_USER_METADATA_BYTES
    assert len(ANA.to_metadata()) <= rights.MAX_METADATA_BYTES


def test_no_rights_stored_means_the_studios_name_and_notice():
    found = rights.from_metadata(None, "VividArt Studio").for_year(2026)
    assert (found.creator, found.notice, found.keep_gps) == ("VividArt Studio", "© 2026 VividArt Studio", False)
    assert rights.from_metadata('{"version":1,"creator":"Ana"}', "VividArt Studio").notice == "© {year} VividArt Studio"


def test_a_notice_says_the_year_the_photo_was_uploaded():
    assert ANA.for_year(2027).notice == "© 2027 Ana Fotógrafa Studio"


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON"), ("[1]", "must be a JSON object"), ('{"version":2}', "version 2 is not supported"),
    ('{"creator":"A","twitter":"@a"}', "unknown rights field(s): twitter"),
    ('{"email":"not an address"}', "is not an email address"), ('{"url":"ftp://x"}', "must start with http"),
    ('{"creator":"A\\nB"}', "control characters"), ('{"creator":"   "}', "must not be empty"),
    ('{"keep_gps":"yes"}', "keep_gps must be true or false"), ('{"phone":5}', "phone must be text"),
])
def test_bad_rights_are_refused_with_a_reason(text, message):
    with pytest.raises(RightsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        rights.from_metadata(text, "VividArt Studio")


def test_rights_too_long_to_travel_are_refused_when_stored():
    long = Rights(creator="Ø" * 100, notice="© " + "é" * 150, address="ü" * 150)
    with pytest.raises(RightsError, match="at most 497 fit"):
        long.to_metadata()


# --- in every rendition -----------------------------------------------------------------------

def written(data: bytes) -> dict:
    """What a reader finds in a rendition with Pillow: EXIF (UTF-8 text, which Pillow hands over as
    Latin-1) and the XMP packet."""
    image = decode(data)
    exif = image.getexif()
    packet = ET.fromstring(image.info["xmp"])
    contact = packet.find(".//Iptc4xmpCore:CreatorContactInfo", NS)
    return {
        "artist": exif[0x013B].encode("latin-1").decode(), "copyright": exif[0x8298].encode("latin-1").decode(),
        "creator": packet.find(".//dc:creator/rdf:Seq/rdf:li", NS).text,
        "rights": packet.find(".//dc:rights/rdf:Alt/rdf:li", NS).text,
        "contact": {child.tag.split("}")[1]: child.text for child in (contact if contact is not None else [])},
        "gps": dict(exif.get_ifd(0x8825)),
    }


def exiftool(data: bytes, tmp_path) -> dict:
    path = tmp_path / "rendition"
    path.write_bytes(data)
    found = subprocess.run(["exiftool", "-json", "-G1", "-a", str(path)], capture_output=True, text=True, check=True)
    return json.loads(found.stdout)[0]


def source_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x013B] = "camera owner"
    exif[0x0110] = "EOS R5"
    exif.get_ifd(0x8825).update(GPS)
    return encoded(decode(photo(900, 600, seed=4)), "JPEG", quality=92, exif=exif.tobytes())


@pytest.mark.parametrize("kind", ["jpeg", "raw"])
def test_every_rendition_carries_the_creator_notice_and_contact_for_pillow(kind):
    source = source_with_gps() if kind == "jpeg" else dng(np.asarray(decode(photo(900, 600, seed=4))))
    result = render(source, edit_spec.parse({"preset": "natural"}), rights=ANA.for_year(2026)).renditions
    assert len(result) == 7
    for rendition in result:
        found = written(rendition.data)
        assert found["artist"] == found["creator"] == "Ana Fotógrafa", rendition.name
        assert found["copyright"] == found["rights"] == "© 2026 Ana Fotógrafa Studio", rendition.name
        assert found["contact"] == {"CiAdrExtadr": "1 High Street, London E1 6AN", "CiTelWork": "+44 20 7946 0000",
                                    "CiEmailWork": "ana@example.com", "CiUrlWork": "https://ana.example.com"}
        assert found["gps"] == {}, rendition.name  # the client's copy does not say where it was taken


def test_exiftool_reads_the_same_from_every_rendition(tmp_path):
    assert shutil.which("exiftool"), "exiftool: Debian's libimage-exiftool-perl (scripts/prerequisites.sh installs it)"
    result = render(source_with_gps(), edit_spec.parse(None), rights=ANA.for_year(2026)).renditions
    for rendition in result:
        tags = exiftool(rendition.data, tmp_path)
        assert tags["IFD0:Artist"] == tags["XMP-dc:Creator"] == "Ana Fotógrafa", rendition.name
        assert tags["IFD0:Copyright"] == tags["XMP-dc:Rights"] == "© 2026 Ana Fotógrafa Studio", rendition.name
        assert tags["XMP-iptcCore:CreatorWorkEmail"] == "ana@example.com"
        assert tags["XMP-iptcCore:CreatorWorkURL"] == "https://ana.example.com"
        assert tags["XMP-iptcCore:CreatorWorkTelephone"] == "+44 20 7946 0000"
        assert tags["XMP-iptcCore:CreatorAddress"] == "1 High Street, London E1 6AN"
        assert tags["XMP-xmpRights:Marked"] is True and tags["IFD0:Model"] == "EOS R5"
        assert not [tag for tag in tags if tag.startswith("GPS:")], rendition.name
        assert "Warning" not in tags and "Error" not in tags, rendition.name


def test_a_shoot_that_keeps_the_location_keeps_gps_in_every_rendition():
    kept = Rights(creator="Ana", notice="© Ana", keep_gps=True)
    for rendition in render(source_with_gps(), edit_spec.parse(None), rights=kept).renditions:
        gps = written(rendition.data)["gps"]
        assert gps[1] == "N" and [float(v) for v in gps[2]] == [52.0, 22.0, 1.0], rendition.name


def test_text_that_looks_like_markup_stays_text():
    sly = Rights(creator='Ana <b>& "Co"</b>', notice="© 2026 </rdf:li><x>")
    found = written(render(photo(300, 200), edit_spec.parse(None), rights=sly).renditions[0].data)
    assert (found["creator"], found["rights"]) == ('Ana <b>& "Co"</b>', "© 2026 </rdf:li><x>")
