"""One table of accepted photo formats (photo_jobs.formats) for the web app, its upload widget,
the CLI and the processor: the widget's copy is generated from it and behaves the same."""

import json
import shutil
import subprocess

import pytest

from photo_jobs import formats
from support import REPO

UPLOADER = REPO / "services/webapp/webapp/static/js/uploader.js"
TIFF_LE, TIFF_BE = b"II*\x00\x08\x00\x00\x00", b"MM\x00*\x00\x00\x00\x08"
HEADS = {
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "webp": b"RIFF\x10\x00\x00\x00WEBPVP8 ", "heic": b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00",
    "tiff": TIFF_LE, "tiff-be": TIFF_BE, "cr2": TIFF_LE + b"CR\x02\x00\x00\x00\x00\x00",
    "cr3": b"\x00\x00\x00\x18ftypcrx \x00\x00\x00\x01", "raf": b"FUJIFILMCCD-RAW 0201FF383501",
    "nothing": b"just text, no photo",
}
NAMES = ["IMG_0001.CR2", "IMG_0001.cr3", "DSC_0001.NEF", "DSC00001.ARW", "DSCF0001.RAF", "photo.dng", "scan.tif",
         "photo.jpg", "phone.HEIC", "phone.hif", "notes.txt", "no extension", ""]


def test_every_raw_kind_a_camera_makes_is_accepted_by_name_and_type():
    for extension, name in [(".cr2", "CR2"), (".cr3", "CR3"), (".nef", "NEF"), (".arw", "ARW"), (".raf", "RAF"),
                            (".dng", "DNG")]:
        assert extension in formats.EXTENSIONS
        mime = formats.TYPES_BY_EXTENSION[extension]
        assert mime in formats.ACCEPTED_TYPES and formats.BY_MIME[mime].name == name and formats.BY_NAME[name].raw
    assert {"image/jpeg", "image/png", "image/tiff", "image/webp", "image/heic", "image/heif"} <= formats.ACCEPTED_TYPES
    assert "RAW (CR2, CR3, RAF, NEF, ARW, DNG)" in formats.SUMMARY
    assert {".cr3", ".nef", "image/x-adobe-dng", "image/heic"} <= set(formats.ACCEPT.split(","))  # a file input's


def test_every_signature_fits_the_bytes_the_widget_reads():
    assert all(at + len(part) <= formats.HEAD_BYTES for f in formats.FORMATS for s in f.signatures for at, part in s)


@pytest.mark.parametrize("head, name, expected", [
    (HEADS["cr2"], "IMG_0001.CR2", "CR2"), (HEADS["cr2"], "renamed.tif", "CR2"), (HEADS["cr2"], "", "CR2"),
    (TIFF_LE, "DSC_0001.NEF", "NEF"), (TIFF_BE, "DSC00001.arw", "ARW"), (TIFF_LE, "x.dng", "DNG"),
    (TIFF_LE, "scan.tif", "TIFF"), (TIFF_LE, "", "TIFF"), (TIFF_LE, "wrong.jpg", "TIFF"),
    (HEADS["cr3"], "IMG.CR3", "CR3"), (HEADS["raf"], "", "RAF"), (HEADS["heic"], "a.hif", "HEIF"),
    (HEADS["heic"], "", "HEIC"), (HEADS["png"], "really.jpg", "PNG"), (b"", "x.NEF", "NEF"),
    (HEADS["nothing"], "notes.txt", None),
])
def test_the_bytes_say_the_format_and_the_name_chooses_within_a_container(head, name, expected):
    found = formats.sniff(head, name)
    assert (found.name if found else None) == expected


def test_the_upload_widget_holds_the_generated_table():
    assert formats.javascript_table() in UPLOADER.read_text(), \
        "uploader.js's table is stale: paste in the lines `python -m photo_jobs.formats` prints"


@pytest.mark.skipif(shutil.which("node") is None, reason="no node on this machine (the prerequisites install it beside npm)")
def test_the_upload_widget_tells_each_file_apart_as_the_library_does(tmp_path):
    """uploader.js's photoType, run by node on the same heads and names as photo_jobs.formats.sniff."""
    source = UPLOADER.read_text()
    start, end = source.index("const FORMATS = "), source.index("export function createUploader")
    module = tmp_path / "photo_type.mjs"
    module.write_text(source[start:end] + """
const cases = JSON.parse(process.argv[2])
const answers = []
for (const [hex, name] of cases) {
  const bytes = Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16))
  const file = { name, type: '', slice: (a, b) => ({ arrayBuffer: async () => bytes.slice(a, b).buffer }) }
  answers.push(await photoType(file))
}
console.log(JSON.stringify(answers))
""")
    cases = [[head.hex(), name] for head in HEADS.values() for name in NAMES]
    answers = json.loads(subprocess.run(["node", str(module), json.dumps(cases)], capture_output=True, text=True,
                                        check=True).stdout)
    expected = [(lambda f: f.mime if f else None)(formats.sniff(bytes.fromhex(h), n)) for h, n in cases]
    assert answers == expected


def test_the_web_app_and_the_cli_use_the_table():
    from vividart_cli.__main__ import PHOTO_EXTENSIONS

    from webapp.services import uploads

    assert PHOTO_EXTENSIONS is formats.EXTENSIONS
    assert uploads.content_type_for("IMG_0001.CR3", "") == "image/x-canon-cr3"
    assert uploads.content_type_for("DSC_0001.NEF", "application/octet-stream") == "image/x-nikon-nef"
