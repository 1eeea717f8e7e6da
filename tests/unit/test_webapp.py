"""The web app's own rules, with a real PostgreSQL and a stack given by settings (presigning is
local computation: no AWS is called here). Routes that read S3 are tested on the local stack."""

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from studio_app import csrf_token, make_app, sign_in, staff_app
from studio_app import bearer as bearer_of
from webapp.services import accounts
from webapp.ratelimits import limiter


@pytest.fixture
def app(database_url, monkeypatch):
    yield from staff_app(database_url, monkeypatch, "staff, api_tokens, shoots, sns_messages, sessions")


@pytest.fixture
def client(app):
    return app.test_client()


def bearer(app) -> dict:
    return bearer_of(app.config["TOKEN"])


# --- who is asking ---------------------------------------------------------------------------

# /unsubscribe/<token>: the token is the proof (an HMAC per address), as a share link's is; the
# studio's logo and brand sheet are what gallery pages show before any PIN.
PUBLIC = {"/signin", "/healthz", "/sns", "/api/openapi.json", "/static/<path:filename>", "/unsubscribe/<token>",
          "/studio/logo", "/studio/brand.css"}


def test_every_route_refuses_anonymous_callers(app, client):
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.rule in PUBLIC or rule.rule.startswith("/g/") or rule.rule.startswith("/api/g/"):
            continue
        path = re.sub(r"<int:[^>]+>", "1", rule.rule)
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "x", path)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(path, method=method, json={} if method != "GET" else None)
            if path.startswith("/api/"):
                assert response.status_code == 401, (method, rule.rule, response.status_code)
                assert "sign in" in response.get_json()["message"]
            elif method == "GET":
                assert response.status_code == 302 and "/signin" in response.headers["Location"], (method, rule.rule)
            else:  # a page's form post: refused before anything else (no CSRF token, no account)
                assert response.status_code in (302, 400, 401), (method, rule.rule, response.status_code)
            checked += 1
    assert checked >= 15


def test_a_wrong_or_revoked_token_is_refused(app, client):
    assert client.get("/api/me", headers={"Authorization": "Bearer vat_not-a-real-token"}).status_code == 401
    assert client.get("/api/me", headers=bearer(app)).get_json() == {"email": "ana@studio.example", "name": "Ana"}
    with app.extensions["db"].transaction() as conn:
        assert accounts.revoke_token(conn, app.config["TOKEN"])
    assert client.get("/api/me", headers=bearer(app)).status_code == 401


def test_sign_in_sets_a_safe_session_cookie_and_sign_out_ends_it(client):
    response = sign_in(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # http locally
    assert client.get("/api/me").status_code == 200
    client.post("/signout", data={"csrf_token": csrf_token(client, "/")})
    assert client.get("/api/me").status_code == 401


def test_secure_cookies_on_https(database_url, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    app = make_app(database_url, PUBLIC_URL="https://studio.example")
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["SESSION_COOKIE_NAME"] == "__Host-vividart"
    response = app.test_client().get("/healthz", base_url="https://studio.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_wrong_password_is_refused_without_saying_which_half_was_wrong(client):
    response = sign_in(client, password="not the password")
    assert response.status_code == 401 and "do not match an account" in response.get_data(as_text=True)
    assert client.get("/api/me").status_code == 401


def test_sign_in_is_rate_limited(database_url, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    app = make_app(database_url)
    limiter.reset()
    client = app.test_client()
    token = csrf_token(client)
    codes = [client.post("/signin", data={"email": "x@y.example", "password": "guess", "csrf_token": token}).status_code
             for _ in range(8)]
    assert codes[:5] == [401] * 5 and codes[-1] == 429


def test_a_session_needs_the_csrf_token_to_change_anything(client):
    sign_in(client)
    refused = client.post("/api/shoots", json={"name": "Smith wedding"})
    assert refused.status_code == 400 and "CSRF" in refused.get_json()["message"]
    token = csrf_token(client, "/")
    made = client.post("/api/shoots", json={"name": "Smith wedding"}, headers={"X-CSRFToken": token})
    assert made.status_code == 201


def test_a_token_needs_no_csrf_but_a_token_with_a_cookie_does(app, client):
    assert client.post("/api/shoots", json={"name": "By token"}, headers=bearer(app)).status_code == 201
    sign_in(client)  # now a cookie rides along: a page could have been tricked into this request
    assert client.post("/api/shoots", json={"name": "Both"}, headers=bearer(app)).status_code == 400


def test_security_headers(client):
    headers = client.get("/signin").headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "http://127.0.0.1:4566" in csp  # uploads and images: the storage endpoint, nothing else
    # same-origin: no referrer leaves the site (a share token is in a gallery's path), but this
    # site's own pages send one, which the CSRF check over https wants
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # http


# --- shoots and uploads ----------------------------------------------------------------------

def test_shoots_are_made_renamed_and_given_a_look(app, client):
    made = client.post("/api/shoots", json={"name": "  Smith   wedding "}, headers=bearer(app)).get_json()
    assert made["name"] == "Smith wedding" and re.fullmatch(r"[a-z0-9]{12}", made["id"])
    assert made["default_spec"] == {"version": 1, "preset": "original"}
    renamed = client.patch(f"/api/shoots/{made['id']}", json={"name": "Smith & Jones wedding",
                                                               "default_spec": {"preset": "natural"}}, headers=bearer(app))
    assert renamed.get_json()["name"] == "Smith & Jones wedding"
    assert renamed.get_json()["default_spec"] == {"version": 1, "preset": "natural"}


@pytest.mark.parametrize("body, status, message", [
    ({}, 422, "name"),
    ({"name": ""}, 422, "name"),
    ({"name": "x" * 121}, 422, "name"),
    ({"name": "a\u0000b"}, 400, "control characters"),  # PostgreSQL text cannot hold NUL
    ({"name": "line\nbreak"}, 400, "control characters"),
    ({"name": "ok", "default_spec": {"preset": "sparkle"}}, 400, "unknown preset"),
    ([1, 2], 422, ""),
])
def test_bad_shoots_are_refused_with_a_reason(app, client, body, status, message):
    response = client.post("/api/shoots", json=body, headers=bearer(app))
    assert response.status_code == status and message in json.dumps(response.get_json())


@pytest.mark.parametrize("shoot_id", ["a%00b", "NOT-AN-ID", "x" * 13, "%E2%80%A8"])
def test_a_shoot_id_that_cannot_exist_is_404(app, client, shoot_id):
    for method, path, body in (("GET", "", None), ("PATCH", "", {"name": "x"}),
                               ("POST", "/uploads", {"filename": "a.jpg", "size": 1}), ("POST", "/edits", {"spec": {}}),
                               ("GET", "/photos/a.jpg", None)):
        response = client.open(f"/api/shoots/{shoot_id}{path}", method=method, headers=bearer(app), json=body)
        assert response.status_code == 404, (method, path, response.status_code)


def test_an_upload_grant_pins_key_type_size_and_the_shoots_look(app, client):
    shoot = client.post("/api/shoots", json={"name": "S", "default_spec": {"preset": "natural"}}, headers=bearer(app)).get_json()
    grant = client.post(f"/api/shoots/{shoot['id']}/uploads", json={"filename": "Bride & Groom.jpg", "size": 1234},
                        headers=bearer(app)).get_json()
    assert grant["key"].startswith(f"uploads/{shoot['id']}/") and grant["key"].endswith("/Bride & Groom.jpg")
    assert grant["method"] == "PUT" and grant["url"].startswith("http://127.0.0.1:4566/src/uploads/")
    signed = parse_qs(urlsplit(grant["url"]).query)["X-Amz-SignedHeaders"][0].split(";")
    assert {"content-length", "content-type", "x-amz-meta-edit-spec"} <= set(signed)
    assert grant["headers"] == {"Content-Type": "image/jpeg", "x-amz-meta-edit-spec": '{"preset":"natural","version":1}',
                                "x-amz-meta-rights": '{"version":1,"creator":"VividArt Studio",'
                                                     '"notice":"\\u00a9 {year} VividArt Studio"}'}


def test_an_iphone_photo_without_a_type_is_taken_by_its_name(app, client):
    shoot = client.post("/api/shoots", json={"name": "S"}, headers=bearer(app)).get_json()
    for given in (None, "", "application/octet-stream"):
        grant = client.post(f"/api/shoots/{shoot['id']}/uploads",
                            json={"filename": "IMG_0042.HEIC", "size": 99, "content_type": given}, headers=bearer(app))
        assert grant.status_code == 201 and grant.get_json()["headers"]["Content-Type"] == "image/heic"


@pytest.mark.parametrize("body, message", [
    ({"filename": "a.gif", "size": 1}, "not a photo we take"),
    ({"filename": "a.jpg", "size": 0}, "size"),
    ({"filename": "a.jpg", "size": 10 ** 12}, "size"),
    ({"filename": "a.jpg", "size": 5, "spec": {"adjust": {"exposure": 9}}}, "adjust.exposure is 9"),
    ({"filename": "a.jpg", "size": 5, "spec": {"watermark": {"text": "x" * 81}}}, "watermark.text"),
    ({"filename": "a.jpg", "size": "many"}, "size"),
])
def test_bad_upload_requests_say_why(app, client, body, message):
    shoot = client.post("/api/shoots", json={"name": "S"}, headers=bearer(app)).get_json()
    response = client.post(f"/api/shoots/{shoot['id']}/uploads", json=body, headers=bearer(app))
    assert 400 <= response.status_code < 500 and message in json.dumps(response.get_json())


def test_multipart_requests_are_signed_only_for_the_granted_key(app, client):
    shoot = client.post("/api/shoots", json={"name": "S"}, headers=bearer(app)).get_json()
    other = client.post("/api/shoots", json={"name": "T"}, headers=bearer(app)).get_json()
    size = 150_000_000
    grant = client.post(f"/api/shoots/{shoot['id']}/uploads", json={"filename": "big.tif", "size": size},
                        headers=bearer(app)).get_json()
    assert sum(grant["part_sizes"]) == size and len(grant["part_sizes"]) == 9
    sign = lambda shoot_id, **body: client.post(f"/api/shoots/{shoot_id}/uploads/sign",  # noqa: E731
                                                json={"key": grant["key"], "grant": grant["grant"], **body}, headers=bearer(app))
    created = sign(shoot["id"], method="POST").get_json()
    assert "uploads" in created["url"] and created["headers"]["Content-Type"] == "image/tiff"
    part = sign(shoot["id"], method="PUT", uploadId="abc", partNumber=3).get_json()
    query = parse_qs(urlsplit(part["url"]).query)
    assert query["partNumber"] == ["3"] and "content-length" in query["X-Amz-SignedHeaders"][0].split(";")
    assert sign(shoot["id"], method="PUT", uploadId="abc", partNumber=10).status_code == 400  # beyond its 9 parts
    # the completion is the web app's own, which checks the parts against the grant
    done = sign(shoot["id"], method="POST", uploadId="abc").get_json()
    assert urlsplit(done["url"]).path == f"/api/shoots/{shoot['id']}/uploads/complete"
    assert done["headers"]["X-Upload-Id"] == "abc" and done["headers"]["X-Upload-Grant"] == grant["grant"]
    assert sign(other["id"], method="POST").status_code == 403  # the grant is for another shoot's key
    assert client.post(f"/api/shoots/{shoot['id']}/uploads/sign", json={"key": grant["key"] + "x", "grant": grant["grant"],
                       "method": "PUT"}, headers=bearer(app)).status_code == 403
    assert sign(shoot["id"], method="PUT", grant="forged").status_code in (403, 422)
    assert sign(shoot["id"], method="DELETE").status_code == 400  # deleting objects is not part of uploading


def test_each_part_is_signed_with_its_exact_size():
    from photo_jobs import limits
    assert limits.part_sizes(1) == [1]
    assert limits.part_sizes(limits.PART_BYTES) == [limits.PART_BYTES]
    assert limits.part_sizes(2 * limits.PART_BYTES + 5) == [limits.PART_BYTES, limits.PART_BYTES, 5]
    assert len(limits.part_sizes(limits.MAX_SOURCE_BYTES)) <= 13  # S3 allows 10,000: the grant caps far below
    with pytest.raises(ValueError):
        limits.part_sizes(0)


def test_the_openapi_document_describes_the_api(client):
    document = client.get("/api/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert {"/api/shoots", "/api/shoots/{shoot_id}", "/api/shoots/{shoot_id}/uploads", "/api/previews"} <= set(document["paths"])
    assert "requestBody" in document["paths"]["/api/shoots/{shoot_id}/uploads"]["post"]


@pytest.mark.parametrize("body", ["1" * 5000, "[" * 100_000 + "]" * 100_000, "\xff\xfe", "{", "null", "[]"])
def test_bodies_that_are_not_what_a_route_takes_get_a_4xx(app, client, body):
    response = client.post("/api/shoots", data=body.encode("latin-1"), content_type="application/json",
                           headers=bearer(app))
    assert 400 <= response.status_code < 500


def test_an_unsubscribe_link_asks_first_takes_a_one_click_post_and_refuses_a_changed_token(app, client):
    from webapp.services import letters, lifecycle

    with app.extensions["db"].transaction() as conn:
        conn.execute("TRUNCATE email_unsubscribes")
    token = letters.unsubscribe_token("test secret", lifecycle.DIGEST_SCOPE, "ana@studio.example")
    page = client.get(f"/unsubscribe/{token}")
    assert page.status_code == 200 and "Unsubscribe?" in page.get_data(as_text=True)
    assert "the daily digest" in page.get_data(as_text=True)
    with app.extensions["db"].transaction() as conn:  # a look (a mail scanner's too) changes nothing
        assert not lifecycle.is_unsubscribed(conn, lifecycle.DIGEST_SCOPE, "ana@studio.example")
    # a mail client's one-click unsubscribe (RFC 8058): a POST with no cookie and no CSRF token
    done = app.test_client().post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "You are unsubscribed" in done.get_data(as_text=True)
    with app.extensions["db"].transaction() as conn:
        assert lifecycle.is_unsubscribed(conn, lifecycle.DIGEST_SCOPE, "ana@studio.example")
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (changed, token[:20], "x"):
        refused = client.post(f"/unsubscribe/{bad}", data={"csrf_token": csrf_token(client, f"/unsubscribe/{token}")})
        assert refused.status_code == 400 and "This unsubscribe link does not work" in refused.get_data(as_text=True)
