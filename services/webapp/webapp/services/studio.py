"""The studio's settings: the rights every delivered file carries and the brand galleries and
emails show. Pure rules here (what a valid setting is, the defaults, the logo made safe to
serve); the row is repositories/studio.py's.

An empty creator, notice or name means the default: the stack's studio name and
`© {year} <name>` (rights.Rights.default), so a studio that never opens the page still signs
its photos. The rights go with every upload grant as the `x-amz-meta-rights` metadata the
processor reads (photo_jobs.rights), signed into the grant so that the browser cannot change them.
"""

from __future__ import annotations

import io
import re
from email.utils import formataddr
from dataclasses import asdict, dataclass, replace

from PIL import Image, UnidentifiedImageError

from photo_jobs import rights as photo_rights
from webapp.repositories import studio as rows

MAX_NAME = 80
MAX_LOGO_BYTES = 1024 * 1024  # as sent and as kept
MAX_LOGO_PIXELS = 4096 * 4096  # a decompression bomb is refused before it is decoded
LOGO_SIDE = 512  # kept at most this wide and high: a gallery shows it at 40 to 80 CSS pixels
LOGO_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG", "image/webp": "WEBP"}
DEFAULT_ACCENT = "#c8643b"  # app.css's --accent
_ACCENT = re.compile(r"#[0-9a-f]{6}")


class SettingsError(ValueError):
    """Not a setting the studio can keep; the message says why, for the person who typed it."""


@dataclass(frozen=True)
class Settings:
    """As saved: empty texts mean the defaults (see `effective`)."""
    name: str = ""
    creator: str = ""
    notice: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    city: str = ""
    country: str = ""
    url: str = ""
    accent: str = ""
    has_logo: bool = False
    version: int = 0  # changes with every save: the cache key of the logo's and the style sheet's URLs

    def studio_name(self, default_name: str) -> str:
        return self.name or default_name

    def rights(self, default_name: str) -> photo_rights.Rights:
        """The rights an upload carries now (the notice may still say {year}: the upload's)."""
        name = self.studio_name(default_name)
        base = photo_rights.Rights.default(name)
        return photo_rights.Rights(creator=self.creator or base.creator, notice=self.notice or base.notice,
                                   email=self.email, url=self.url, phone=self.phone, address=self.address,
                                   city=self.city, country=self.country)

    def accent_colour(self) -> str:
        return self.accent or DEFAULT_ACCENT

    def brand_css(self) -> str:
        """The gallery's colours as CSS custom properties (served as a style sheet: the CSP allows
        no inline style)."""
        accent = self.accent_colour()
        return (f":root {{ --accent: {accent}; --accent-ink: {ink_on(accent)}; "
                "--accent-soft: color-mix(in srgb, var(--accent) 14%, #ffffff); }\n")


def ink_on(accent: str) -> str:
    """The text colour that reads on the accent (#rrggbb): dark on a light one, white on a dark one."""
    red, green, blue = (int(accent[i:i + 2], 16) / 255 for i in (1, 3, 5))
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)]
    return "#1c2128" if 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2] > 0.4 else "#ffffff"


def _of(row: dict | None) -> Settings:
    if row is None:
        return Settings()
    return Settings(**{name: row[name] for name in rows.TEXTS}, has_logo=row["has_logo"],
                    version=int(row["updated_at"].timestamp() * 1000))


def current(conn) -> Settings:
    return _of(rows.get(conn))


def checked(values: dict, default_name: str) -> Settings:
    """The settings as typed, tidied (spaces trimmed, the colour in lower case) and checked: each
    field as the processor would check it, and the whole small enough to go with every photo."""
    tidy = {name: " ".join(str(values.get(name) or "").split()) for name in rows.TEXTS}
    tidy["accent"] = tidy["accent"].lower()
    if len(tidy["name"]) > MAX_NAME:
        raise SettingsError(f"the studio's name is {len(tidy['name'])} characters; at most {MAX_NAME}")
    if tidy["accent"] and not _ACCENT.fullmatch(tidy["accent"]):
        raise SettingsError(f"the accent colour {tidy['accent']!r} is not a colour like #c8643b")
    settings = Settings(**tidy)
    try:
        settings.rights(default_name).to_metadata()  # every field's rule, and the size stored with a photo
    except photo_rights.RightsError as error:
        raise SettingsError(str(error)) from None
    return settings


def save(conn, values: dict, default_name: str, staff_id: int | None) -> Settings:
    settings = checked(values, default_name)
    return _of(rows.save(conn, {name: getattr(settings, name) for name in rows.TEXTS}, staff_id))


def rights_metadata(conn, default_name: str, keep_gps: bool = False) -> str:
    """What every upload granted now carries as `x-amz-meta-rights` (with its shoot's GPS choice)."""
    return replace(current(conn).rights(default_name), keep_gps=keep_gps).to_metadata()


def view(settings: Settings, default_name: str) -> dict:
    """The settings as the page shows them: as saved, and what applies (the defaults filled in)."""
    rights = settings.rights(default_name)
    return {**asdict(settings), "effective": {"name": settings.studio_name(default_name), "creator": rights.creator,
                                              "notice": rights.notice, "accent": settings.accent_colour()}}


# --- the logo ------------------------------------------------------------------------------

def safe_logo(data: bytes) -> tuple[bytes, str, tuple[int, int]]:
    """A logo made safe to serve: a PNG, JPEG or WebP of at most MAX_LOGO_BYTES, decoded and
    encoded again by Pillow (nothing of the upload but its pixels is kept: no metadata, no
    script, no second file hidden after the image), at most LOGO_SIDE pixels a side. Kept as
    PNG (or WebP when that is smaller), with its transparency."""
    if len(data) > MAX_LOGO_BYTES:
        raise SettingsError(f"the logo is {len(data):,} bytes; at most {MAX_LOGO_BYTES:,} (1 MB)")
    if not data:
        raise SettingsError("the logo is empty")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in LOGO_TYPES.values():
                raise SettingsError(f"the logo is {image.format or 'not an image'}; it must be PNG, JPEG or WebP")
            if image.width * image.height > MAX_LOGO_PIXELS:
                raise SettingsError(f"the logo is {image.width}×{image.height} pixels; at most 4096×4096")
            image.seek(0)  # an animation: its first frame
            picture = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as error:
        if isinstance(error, SettingsError):
            raise
        raise SettingsError("the logo is not a PNG, JPEG or WebP image that can be read") from None
    picture.thumbnail((LOGO_SIDE, LOGO_SIDE), Image.Resampling.LANCZOS)
    made = {}
    for mime, options in (("image/png", {"format": "PNG", "optimize": True}),
                          ("image/webp", {"format": "WEBP", "quality": 90, "method": 4})):
        out = io.BytesIO()
        picture.save(out, **options)
        made[mime] = out.getvalue()
    mime = min(made, key=lambda m: len(made[m]))
    if len(made[mime]) > MAX_LOGO_BYTES:  # 512×512 RGBA fits in any case; kept as a rule, not a hope
        raise SettingsError("the logo does not fit in 1 MB even made smaller")
    return made[mime], mime, picture.size


def brand(settings: Settings, default_name: str) -> dict:
    """What a gallery page shows of the studio: its name, its logo's and style sheet's URLs."""
    return {"name": settings.studio_name(default_name), "version": settings.version,
            "logo": f"/studio/logo?v={settings.version}" if settings.has_logo else None,
            "css": f"/studio/brand.css?v={settings.version}"}


def sender(name: str, address: str) -> str:
    """An email's From: the studio's name at its address (encoded as email wants for any name)."""
    return formataddr((name, address))
