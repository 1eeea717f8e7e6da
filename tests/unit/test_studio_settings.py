"""The studio's settings: what the page takes and refuses, the rights every upload grant carries
(signed, so a browser cannot change them), the logo made safe to serve, and the brand gallery
pages wear. A real PostgreSQL; presigning is local computation."""

import io
import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from photo_jobs import rights as photo_rights
from studio_app import bearer as bearer_of, csrf_token, sign_in, staff_app
from webapp.services import links, studio

ANA = {"name": "Ana Fotógrafa Studio", "creator": "Ana Fotógrafa", "notice": "© {year} Ana Fotógrafa",
       "email": "ana@example.com", "phone": "+44 20 7946 0000", "address": "1 High Street", "city": "London",
       "country": "United Kingdom", "url": "https://ana.example.com", "accent": "#2A6F97"}


@pytest.fixture
def app(database_url, monkeypatch):
    yield from staff_app(database_url, monkeypatch, "staff, api_tokens, shoots, sessions, studio_settings")


@pytest.fixture
def client(app):
    return app.test_client()


def bearer(app) -> dict:
    return bearer_of(app.config["TOKEN"])


def image(kind: str, size=(300, 120), **options) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (42, 111, 151)).save(out, kind, **options)
    return out.getvalue()


def test_the_defaults_are_the_studios_name_and_the_usual_notice(app, client):
    settings = client.get("/api/studio", headers=bearer(app)).get_json()
    assert settings["creator"] == "" and settings["effective"] == {
        "name": "VividArt Studio", "creator": "VividArt Studio", "notice": "© {year} VividArt Studio", "accent": "#c8643b"}
    assert not settings["has_logo"]


def test_the_page_saves_the_settings_from_a_signed_in_browser_with_its_csrf_token(client):
    sign_in(client)
    page = client.get("/studio")
    assert page.status_code == 200 and b'id="studio-form"' in page.data and b"Copyright notice" in page.data
    assert client.put("/api/studio", json=ANA).status_code == 400  # a cookie and no CSRF token
    saved = client.put("/api/studio", json=ANA, headers={"X-CSRFToken": csrf_token(client, "/studio")})
    assert saved.status_code == 200, saved.get_json()
    again = client.get("/api/studio").get_json()
    assert again["creator"] == "Ana Fotógrafa" and again["city"] == "London"
    assert again["accent"] == "#2a6f97" and again["effective"]["name"] == "Ana Fotógrafa Studio"


@pytest.mark.parametrize("change, message", [
    ({"accent": "red"}, "not a colour"),
    ({"accent": "#12345g"}, "not a colour"),
    ({"email": "ana at example"}, "not an email address"),
    ({"url": "javascript:alert(1)"}, "must start with http"),
    ({"creator": "x" * 101}, "creator"),
    ({"notice": "© 2026\nAna"}, None),  # a line break is made a space, not refused
    ({"address": "a" * 160, "city": "b" * 60, "country": "c" * 60, "notice": "d" * 160, "creator": "e" * 100},
     "shorten them"),
])
def test_settings_the_processor_would_refuse_are_refused_here_with_a_reason(app, client, change, message):
    response = client.put("/api/studio", json={**ANA, **change}, headers=bearer(app))
    if message is None:
        assert response.status_code == 200 and response.get_json()["notice"] == "© 2026 Ana"
    else:
        assert response.status_code in (400, 422) and message in json.dumps(response.get_json()), response.get_json()
        assert client.get("/api/studio", headers=bearer(app)).get_json()["creator"] == ""  # nothing saved


def test_every_upload_grant_carries_the_studios_rights_signed_into_it(app, client):
    shoot = client.post("/api/shoots", json={"name": "S"}, headers=bearer(app)).get_json()
    uploads = f"/api/shoots/{shoot['id']}/uploads"
    before = client.post(uploads, json={"filename": "a.jpg", "size": 10}, headers=bearer(app)).get_json()
    assert photo_rights.from_metadata(before["headers"]["x-amz-meta-rights"], "x").creator == "VividArt Studio"
    client.put("/api/studio", json=ANA, headers=bearer(app))

    single = client.post(uploads, json={"filename": "b.jpg", "size": 10}, headers=bearer(app)).get_json()
    given = photo_rights.from_metadata(single["headers"]["x-amz-meta-rights"], "x")
    assert (given.creator, given.notice, given.email, given.city, given.country) == (
        "Ana Fotógrafa", "© {year} Ana Fotógrafa", "ana@example.com", "London", "United Kingdom")
    assert "x-amz-meta-rights" in parse_qs(urlsplit(single["url"]).query)["X-Amz-SignedHeaders"][0].split(";")

    batch = client.post(f"{uploads}/batch", json={"files": [{"filename": "c.dng", "size": 30_000_000}]},
                        headers=bearer(app)).get_json()["uploads"][0]  # a RAW file, multipart
    assert batch["headers"]["x-amz-meta-rights"] == single["headers"]["x-amz-meta-rights"]
    created = client.post(f"{uploads}/sign", json={"method": "POST", "key": batch["key"], "grant": batch["grant"]},
                          headers=bearer(app)).get_json()
    assert created["headers"]["x-amz-meta-rights"] == single["headers"]["x-amz-meta-rights"]
    assert created["headers"]["Content-Type"] == "image/x-adobe-dng"
    assert "x-amz-meta-rights" in parse_qs(urlsplit(created["url"]).query)["X-Amz-SignedHeaders"][0].split(";")


def test_a_logo_is_kept_only_as_its_pixels(app, client):
    hidden = image("PNG") + b"<script>alert(1)</script>"  # a second file after the image's end
    saved = client.put("/api/studio/logo", data=hidden, content_type="image/png", headers=bearer(app))
    assert saved.status_code == 200 and saved.get_json()["has_logo"]
    served = client.get(f"/studio/logo?v={saved.get_json()['version']}")  # public: gallery pages show it
    assert served.status_code == 200 and served.mimetype in ("image/png", "image/webp")
    assert b"script" not in served.data
    assert Image.open(io.BytesIO(served.data)).size == (300, 120)

    big = image("JPEG", (2000, 800), exif=Image.Exif().tobytes())
    assert client.put("/api/studio/logo", data=big, content_type="image/jpeg", headers=bearer(app)).status_code == 200
    assert Image.open(io.BytesIO(client.get("/studio/logo").data)).size == (512, 205)  # made smaller

    assert client.delete("/api/studio/logo", headers=bearer(app)).get_json()["has_logo"] is False
    assert client.get("/studio/logo").status_code == 404


@pytest.mark.parametrize("data, content_type, status, message", [
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "image/svg+xml", 415, "a logo is sent"),
    (b"GIF89a" + bytes(100), "image/png", 400, "not a PNG, JPEG or WebP"),
    (None, "image/png", 413, "at most 1,048,576"),
    (b"", "image/png", 400, "empty"),
])
def test_a_logo_that_is_not_a_small_picture_is_refused(app, client, data, content_type, status, message):
    if data is None:
        data = image("PNG") + bytes(studio.MAX_LOGO_BYTES)
    response = client.put("/api/studio/logo", data=data, content_type=content_type, headers=bearer(app))
    assert response.status_code == status and message in response.get_json()["message"], response.get_json()
    assert client.get("/studio/logo").status_code == 404


def test_galleries_wear_the_studios_brand(app, client):
    client.put("/api/studio", json=ANA, headers=bearer(app))
    client.put("/api/studio/logo", data=image("PNG"), content_type="image/png", headers=bearer(app))
    shoot = client.post("/api/shoots", json={"name": "Wedding"}, headers=bearer(app)).get_json()
    with app.extensions["db"].transaction() as conn:
        link = links.create(conn, shoot["id"], "Bride", None, None, "web", False)
        pinned = links.create(conn, shoot["id"], "Pinned", None, "4321ab", "web", False)
    secret = app.config["SECRET_KEY"]
    for token, status in ((link.token(secret), 200), (pinned.token(secret), 401), ("1-nonsense", 410)):
        page = client.get(f"/g/{token}")
        text = page.get_data(as_text=True)
        assert page.status_code in (status, 404), (token, page.status_code)
        assert "Ana Fotógrafa Studio" in text and 'class="studio-logo" src="/studio/logo?v=' in text
        assert 'rel="stylesheet" href="/studio/brand.css?v=' in text
        assert "style=" not in text  # the CSP allows no inline style: the colour comes from a style sheet
    css = client.get("/studio/brand.css")
    assert css.mimetype == "text/css" and "--accent: #2a6f97;" in css.get_data(as_text=True)


def test_the_accent_is_checked_before_it_reaches_a_style_sheet():
    assert "--accent: #c8643b;" in studio.Settings().brand_css()  # none set: the app's own
    assert "--accent-ink: #1c2128" in studio.Settings(accent="#ffee00").brand_css()  # light: dark text on it
    with pytest.raises(studio.SettingsError):
        studio.checked({"accent": "#fff;}body{display:none"}, "S")
    notice = studio.checked({}, "S").rights("Studio S").for_year(datetime.now(UTC).year).notice
    assert notice == f"© {datetime.now(UTC).year} Studio S"
