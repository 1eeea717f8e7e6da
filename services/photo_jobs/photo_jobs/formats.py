"""The photo formats the studio accepts, in one place: file extensions, MIME types and the bytes
each kind of file starts with. The web app (its API and, through a generated copy, the upload
widget), the CLI and the processor all read this table.

RAW files are camera sensor data (decoded by LibRaw in the processor). Several are TIFF
containers (NEF, ARW, DNG) that share TIFF's first bytes: their signatures say "TIFF family",
and the extension or the processor's look at the TIFF tags tells them apart.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

# A signature: every (offset, bytes) pair must match the file's first bytes.
Signature = tuple[tuple[int, bytes], ...]
HEAD_BYTES = 16  # what a signature may look at: the upload widget reads no more
_TIFF: tuple[Signature, ...] = (((0, b"II*\x00"),), ((0, b"MM\x00*"),))
_HEIF = tuple(((4, b"ftyp" + brand),) for brand in (b"heic", b"heix", b"mif1", b"msf1", b"hevc", b"heim", b"heis"))


@dataclass(frozen=True)
class Format:
    name: str  # as people say it, and as the processor reports it
    mime: str  # the Content-Type an upload of it is stored with
    extensions: tuple[str, ...]  # lower case, without the dot; the first is the usual one
    signatures: tuple[Signature, ...] = ()
    raw: bool = False  # camera sensor data, decoded by LibRaw

    def matches(self, head: bytes) -> bool:
        return any(all(head[at:at + len(part)] == part for at, part in signature) for signature in self.signatures)


# Most specific first: CR2 is a TIFF with a mark of its own, so it comes before TIFF; a TIFF
# container with no name to go by is a TIFF (the processor then looks at its tags).
FORMATS: tuple[Format, ...] = (
    Format("JPEG", "image/jpeg", ("jpg", "jpeg", "jpe"), (((0, b"\xff\xd8\xff"),),)),
    Format("PNG", "image/png", ("png",), (((0, b"\x89PNG\r\n\x1a\n"),),)),
    Format("WebP", "image/webp", ("webp",), (((0, b"RIFF"), (8, b"WEBP")),)),
    Format("HEIC", "image/heic", ("heic",), _HEIF),
    Format("HEIF", "image/heif", ("heif", "hif"), _HEIF),
    Format("CR2", "image/x-canon-cr2", ("cr2",), (((0, b"II*\x00"), (8, b"CR\x02\x00")),), raw=True),
    Format("CR3", "image/x-canon-cr3", ("cr3",), (((4, b"ftypcrx "),),), raw=True),
    Format("RAF", "image/x-fuji-raf", ("raf",), (((0, b"FUJIFILMCCD-RAW "),),), raw=True),
    Format("TIFF", "image/tiff", ("tif", "tiff"), _TIFF),
    Format("NEF", "image/x-nikon-nef", ("nef",), _TIFF, raw=True),
    Format("ARW", "image/x-sony-arw", ("arw",), _TIFF, raw=True),
    Format("DNG", "image/x-adobe-dng", ("dng",), _TIFF, raw=True),
)
BY_NAME = {f.name: f for f in FORMATS}
BY_EXTENSION = {extension: f for f in FORMATS for extension in f.extensions}
BY_MIME = {f.mime: f for f in FORMATS}
TYPES_BY_EXTENSION = {f".{extension}": f.mime for extension, f in BY_EXTENSION.items()}
ACCEPTED_TYPES = frozenset(TYPES_BY_EXTENSION.values())
EXTENSIONS = frozenset(TYPES_BY_EXTENSION)  # with the dot, as Path.suffix gives them
RAW_NAMES = tuple(f.name for f in FORMATS if f.raw)
# For people: "JPEG, PNG, WebP, HEIC, HEIF, TIFF and RAW (CR2, CR3, RAF, NEF, ARW, DNG)"
SUMMARY = f"{', '.join(f.name for f in FORMATS if not f.raw)} and RAW ({', '.join(RAW_NAMES)})"
# A file input's accept attribute: the types and the extensions (a browser may know neither type)
ACCEPT = ",".join(sorted(ACCEPTED_TYPES) + sorted(TYPES_BY_EXTENSION))


def extension_of(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def sniff(head: bytes, filename: str = "") -> Format | None:
    """The format the file's first bytes say, the name breaking ties within the TIFF family (a
    .nef is a TIFF container too); the name alone when the bytes say nothing we know."""
    named = BY_EXTENSION.get(extension_of(filename))
    matching = [f for f in FORMATS if f.matches(head)]
    if not matching:
        return named
    if named is not None and named.signatures == matching[0].signatures:
        return named  # one container, several formats: the name says which
    return matching[0]


def for_javascript() -> list[dict]:
    """The table as the upload widget holds it (services/webapp/webapp/static/js/uploader.js):
    signatures as [offset, hex] pairs."""
    return [{"name": f.name, "mime": f.mime, "extensions": list(f.extensions), "raw": f.raw,
             "signatures": [[[at, part.hex()] for at, part in signature] for signature in f.signatures]}
            for f in FORMATS]


def javascript_table() -> str:
    """The lines of uploader.js that hold the table (a unit test holds the two equal)."""
    return (f"const FORMATS = {json.dumps(for_javascript(), separators=(',', ':'))}\n"
            f"const PHOTO_KINDS = {json.dumps(SUMMARY)}")


if __name__ == "__main__":  # python -m photo_jobs.formats: the lines to paste into uploader.js
    print(javascript_table())
