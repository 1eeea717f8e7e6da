"""The metadata every output carries, made once per photo: the source's EXIF worth keeping (how
the photo was taken), and the rights: the creator and the notice as EXIF Artist and Copyright and
as XMP dc:creator and dc:rights, with the studio's contact details as IPTC Core's creator contact
info (XMP). Location (GPS) only when the shoot keeps it; serial numbers, owner names and maker
notes never.

EXIF text is written as UTF-8, as Lightroom and exiftool write it (the EXIF standard says ASCII,
which has no ©); the XMP carries the same text as the standard says, in UTF-8.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from PIL import Image

from photo_jobs.rights import Rights

KEEP_IFD0 = {0x010F: "Make", 0x0110: "Model", 0x0131: "Software", 0x0132: "DateTime",
             0x013B: "Artist", 0x8298: "Copyright"}
KEEP_EXIF = {0x9003: "DateTimeOriginal", 0x829A: "ExposureTime", 0x829D: "FNumber",
             0x8827: "ISOSpeedRatings", 0x920A: "FocalLength", 0xA434: "LensModel"}
ARTIST, COPYRIGHT, EXIF_IFD, GPS_IFD = 0x013B, 0x8298, 0x8769, 0x8825
XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"  # what names an XMP packet in a JPEG's APP1


@dataclass(frozen=True)
class Embedded:
    """What goes into each output file: an EXIF block (TIFF structure) and an XMP packet."""

    exif: bytes = b""
    xmp: bytes = b""


def embedded(source: Image.Exif | None, rights: Rights | None) -> Embedded:
    return Embedded(_exif(source, rights), xmp(rights) if rights else b"")


def _exif(source: Image.Exif | None, rights: Rights | None) -> bytes:
    clean = Image.Exif()
    try:  # any damage in the source's block means: none of its metadata
        if source is not None:
            for tag in KEEP_IFD0:
                if tag in source and isinstance(source[tag], (str, bytes, int, float)):
                    clean[tag] = source[tag]
            kept = {tag: value for tag, value in source.get_ifd(EXIF_IFD).items() if tag in KEEP_EXIF}
            if kept:
                clean.get_ifd(EXIF_IFD).update(kept)
            if rights and rights.keep_gps and (location := source.get_ifd(GPS_IFD)):
                clean.get_ifd(GPS_IFD).update(location)
            clean.tobytes()  # a kept value Pillow cannot write is damage too
    except Exception:  # noqa: BLE001
        clean = Image.Exif()
    if rights:
        clean[ARTIST], clean[COPYRIGHT] = rights.creator.encode(), rights.notice.encode()
    return clean.tobytes() if len(clean) or clean.get_ifd(EXIF_IFD) else b""


def xmp(rights: Rights) -> bytes:
    """An XMP packet with the creator, the notice and the creator's contact info (IPTC Core)."""
    contact = "".join(f"<Iptc4xmpCore:{name}>{escape(value)}</Iptc4xmpCore:{name}>" for name, value in (
        ("CiAdrExtadr", rights.address), ("CiAdrCity", rights.city), ("CiAdrCtry", rights.country), ("CiTelWork", rights.phone), ("CiEmailWork", rights.email),
        ("CiUrlWork", rights.url)) if value)
    statement = f"<xmpRights:WebStatement>{escape(rights.url)}</xmpRights:WebStatement>" if rights.url else ""
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/"'
        ' xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"'
        ' xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"'
        f' photoshop:Credit={quoteattr(rights.creator)}>'
        f"<dc:creator><rdf:Seq><rdf:li>{escape(rights.creator)}</rdf:li></rdf:Seq></dc:creator>"
        f'<dc:rights><rdf:Alt><rdf:li xml:lang="x-default">{escape(rights.notice)}</rdf:li></rdf:Alt></dc:rights>'
        f"<xmpRights:Marked>True</xmpRights:Marked>{statement}"
        + (f'<Iptc4xmpCore:CreatorContactInfo rdf:parseType="Resource">{contact}</Iptc4xmpCore:CreatorContactInfo>'
           if contact else "")
        + '</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="r"?>'
    ).encode()
