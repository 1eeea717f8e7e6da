"""Who made a photo and how to reach them: the creator, the copyright notice and the studio's
contact details that every delivered file carries (EXIF Artist and Copyright, XMP dc:creator and
dc:rights, IPTC Core's creator contact info), and whether a shoot's client copies keep GPS.

The web app stores them as the studio's settings and sends them with each upload as S3 user
metadata (`x-amz-meta-rights`, compact JSON), beside the edit spec: the processor reads them from
the head of the object it fetches anyway, so they cost no request of their own, and an edit (a
new version of the object with its metadata copied) keeps them. No entry means the studio's
defaults: its name (the stack's `studio_name`) and `© <year> <name>`. A notice may say `{year}`:
it becomes the year the photo was uploaded, so a studio's notice need not change each January.

    {"version": 1, "creator": "Ana Fotógrafa", "notice": "© {year} Ana Fotógrafa",
     "email": "ana@example.com", "url": "https://ana.example.com", "phone": "+44 20 7946 0000",
     "address": "1 High Street", "city": "London", "country": "United Kingdom", "keep_gps": false}
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields

from photo_jobs import limits, spec

SCHEMA_VERSION = 1
METADATA_KEY = "rights"  # S3 user metadata name (sent as x-amz-meta-rights)
# S3 keeps 2 KB of user metadata in all, names and values: what the edit spec leaves.
MAX_METADATA_BYTES = (limits.MAX_USER_METADATA_BYTES - spec.MAX_METADATA_BYTES - len(spec.METADATA_KEY)
                      - len(METADATA_KEY))
# The longest each field may be, in characters (the whole must still fit MAX_METADATA_BYTES).
MAX_CHARS = {"creator": 100, "notice": 160, "email": 100, "url": 120, "phone": 40, "address": 160, "city": 60,
             "country": 60}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class RightsError(ValueError):
    """The rights are not valid; the message says why, for the person who wrote them."""


@dataclass(frozen=True)
class Rights:
    creator: str
    notice: str
    email: str = ""
    url: str = ""
    phone: str = ""
    address: str = ""  # the street address (IPTC CiAdrExtadr)
    city: str = ""
    country: str = ""
    keep_gps: bool = False  # client copies keep the photo's location (a shoot's choice)

    def __post_init__(self) -> None:
        for name, most in MAX_CHARS.items():
            value = getattr(self, name)
            if not isinstance(value, str):
                raise RightsError(f"{name} must be text")
            if len(value) > most:
                raise RightsError(f"{name} is {len(value)} characters; at most {most}")
            if _CONTROL.search(value):
                raise RightsError(f"{name} must not contain control characters or line breaks")
        if not self.creator.strip() or not self.notice.strip():
            raise RightsError("creator and notice must not be empty")
        if self.email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", self.email):
            raise RightsError(f"email {self.email!r} is not an email address")
        if self.url and not re.fullmatch(r"https?://\S+", self.url):
            raise RightsError(f"url {self.url!r} must start with http:// or https://")
        if not isinstance(self.keep_gps, bool):
            raise RightsError("keep_gps must be true or false")

    @classmethod
    def default(cls, studio_name: str) -> Rights:
        """The studio's name as the creator and the usual notice."""
        return cls(creator=studio_name, notice=f"© {{year}} {studio_name}")

    def for_year(self, year: int) -> Rights:
        """These rights with `{year}` in the notice made the year the photo was uploaded."""
        return Rights(**{**asdict(self), "notice": self.notice.replace("{year}", str(year))})

    def to_metadata(self) -> str:
        """As stored with the photo: compact ASCII JSON (S3 metadata travels in HTTP headers)."""
        values = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) != f.default}
        text = json.dumps({"version": SCHEMA_VERSION, **values}, separators=(",", ":"))
        if len(text) > MAX_METADATA_BYTES:
            raise RightsError(f"the creator, notice and contact details take {len(text)} bytes stored with each "
                              f"photo; at most {MAX_METADATA_BYTES} fit: shorten them")
        return text


def from_metadata(text: str | None, studio_name: str) -> Rights:
    """The rights stored with a photo, or the studio's defaults when it has none."""
    if text is None or text == "":
        return Rights.default(studio_name)
    try:
        values = json.loads(text)
    except json.JSONDecodeError as error:
        raise RightsError(f"rights metadata is not valid JSON: {error.msg}") from None
    if not isinstance(values, dict):
        raise RightsError("rights metadata must be a JSON object")
    version = values.pop("version", SCHEMA_VERSION)
    if version != SCHEMA_VERSION:
        raise RightsError(f"rights metadata version {version!r} is not supported (expected {SCHEMA_VERSION})")
    unknown = set(values) - {f.name for f in fields(Rights)}
    if unknown:
        raise RightsError(f"unknown rights field(s): {', '.join(sorted(unknown))}")
    defaults = Rights.default(studio_name)
    return Rights(**{"creator": defaults.creator, "notice": defaults.notice, **values})
