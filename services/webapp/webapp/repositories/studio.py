"""The studio_settings table (one row; none until the studio first saves its settings)."""

from __future__ import annotations

TEXTS = ("name", "creator", "notice", "email", "phone", "address", "city", "country", "url", "accent")
# Written out whole (no SQL made from strings): the texts, whether there is a logo, and its size.
_GET = ("SELECT name, creator, notice, email, phone, address, city, country, url, accent, logo IS NOT NULL AS has_logo, "
        "logo_width, logo_height, updated_at FROM studio_settings")
_SAVE = (
    "INSERT INTO studio_settings (name, creator, notice, email, phone, address, city, country, url, accent, updated_by) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, "
    "creator = EXCLUDED.creator, notice = EXCLUDED.notice, email = EXCLUDED.email, phone = EXCLUDED.phone, "
    "address = EXCLUDED.address, city = EXCLUDED.city, country = EXCLUDED.country, url = EXCLUDED.url, "
    "accent = EXCLUDED.accent, updated_by = EXCLUDED.updated_by, updated_at = now() RETURNING name, creator, notice, "
    "email, phone, address, city, country, url, accent, logo IS NOT NULL AS has_logo, logo_width, logo_height, updated_at")


def get(conn) -> dict | None:
    """The settings, without the logo's bytes (read on every gallery page and upload grant)."""
    return conn.execute(_GET).fetchone()


def save(conn, values: dict, staff_id: int | None) -> dict:
    return conn.execute(_SAVE, (*(values[n] for n in TEXTS), staff_id)).fetchone()


def set_logo(conn, data: bytes | None, content_type: str | None, size: tuple[int, int] | None,
             staff_id: int | None) -> None:
    width, height = size or (None, None)
    conn.execute(
        "INSERT INTO studio_settings (logo, logo_type, logo_width, logo_height, updated_by) VALUES (%s, %s, %s, %s, %s) "
        "ON CONFLICT (id) DO UPDATE SET logo = EXCLUDED.logo, logo_type = EXCLUDED.logo_type, "
        "logo_width = EXCLUDED.logo_width, logo_height = EXCLUDED.logo_height, updated_by = EXCLUDED.updated_by, "
        "updated_at = now()", (data, content_type, width, height, staff_id))


def logo(conn) -> dict | None:
    return conn.execute("SELECT logo, logo_type, updated_at FROM studio_settings WHERE logo IS NOT NULL").fetchone()
