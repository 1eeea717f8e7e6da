"""What a studio trusts the app with, on the app itself (Flask's client, a real PostgreSQL): signing
in over https as deployed, sessions that end when they should, API tokens and accounts that can
be withdrawn, limits counted once for every instance, logs without secrets, the SNS endpoint's
fetches, and the proxy headers it believes."""

import io
import json
import logging
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler

import hcl2
import pytest

from support import REPO, QuietHTTPServer
from studio_app import EMAIL, PASSWORD, bearer, csrf_token, make_app, sign_in
from webapp import admin, logs, sns_signature
from webapp.adapters import hub as events
from webapp.routes import sns
from webapp.services import accounts, uploads
from webapp.ratelimits import limiter

HTTPS = {"base_url": "https://studio.example", "headers": {"X-Forwarded-Proto": "https"}}


@pytest.fixture
def setup(database_url, monkeypatch):
    """The app as on AWS (https public URL, behind a proxy it trusts) and as locally (http)."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "test")
    monkeypatch.setenv("VIVIDART_WEB_DATABASE_URL", database_url)
    deployed = make_app(database_url, PUBLIC_URL="https://studio.example", TRUST_PROXY=1)
    local = make_app(database_url)
    limiter.reset()
    with local.extensions["db"].transaction() as conn:
        conn.execute("TRUNCATE staff, api_tokens, shoots, sessions RESTART IDENTITY CASCADE")
        staff = accounts.create_staff(conn, EMAIL, PASSWORD, "Ana")
        token = accounts.create_token(conn, staff.id, "tests")
    yield deployed, local, token
    for app in (deployed, local):
        app.extensions["db"].close()


def _behind_the_proxy(client, **extra):
    """A request as the load balancer hands it on: https, the browser's own Referer."""
    headers = dict(HTTPS["headers"], Referer="https://studio.example/signin", **extra.pop("headers", {}))
    return dict(base_url=HTTPS["base_url"], headers=headers, **extra)


def test_signing_in_over_https_behind_the_load_balancer_works_and_csrf_stays_strict(setup):
    deployed, _, _ = setup
    client = deployed.test_client()
    page = client.get("/signin", **_behind_the_proxy(client))
    # the page asks browsers to send their Referer to this site (and nowhere else): with
    # no-referrer they sent none, and the strict check below refused every sign-in
    assert page.headers["Referrer-Policy"] == "same-origin"
    token = csrf_token(client, **_behind_the_proxy(client))
    signed = client.post("/signin", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
                         **_behind_the_proxy(client))
    assert signed.status_code == 302 and signed.headers["Location"] == "/"
    cookie = signed.headers["Set-Cookie"]
    assert cookie.startswith("__Host-vividart=") and "Secure" in cookie and "HttpOnly" in cookie
    assert client.get("/api/me", **_behind_the_proxy(client)).status_code == 200
    # still strict: a post from another site (its Referer), or with none, is refused
    other = deployed.test_client()
    token = csrf_token(other, **_behind_the_proxy(other))
    for referer in ("https://evil.example/", None):
        headers = dict(HTTPS["headers"], **({"Referer": referer} if referer else {}))
        refused = other.post("/signin", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
                             base_url=HTTPS["base_url"], headers=headers)
        assert refused.status_code == 302 and refused.headers["Location"].endswith("/signin"), referer


def test_a_forwarded_host_is_not_believed(setup):
    deployed, _, _ = setup
    client = deployed.test_client()
    token = csrf_token(client, **_behind_the_proxy(client))
    # a client's X-Forwarded-Host passes the load balancer untouched: if the app believed it, a
    # Referer of that host would pass the CSRF check
    forged = client.post("/signin", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
                         base_url=HTTPS["base_url"], headers=dict(HTTPS["headers"], Referer="https://evil.example/signin",
                                                                  **{"X-Forwarded-Host": "evil.example"}))
    assert forged.status_code == 302 and forged.headers["Location"].endswith("/signin")
    assert client.get("/healthz", **_behind_the_proxy(client, headers={"X-Forwarded-Host": "evil.example"})) \
        .headers["Strict-Transport-Security"].startswith("max-age=31536000")


def _cookie(client, app):
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def test_a_cookie_saved_before_sign_out_opens_nothing_after(setup):
    _, app, _ = setup
    client = app.test_client()
    before = client.get("/signin") and _cookie(client, app)  # a session for the CSRF token
    sign_in(client)
    saved = _cookie(client, app)
    assert saved != before  # signing in gives a new id: one seen before sign-in opens nothing
    assert client.get("/api/me").status_code == 200
    client.post("/signout", data={"csrf_token": csrf_token(client, "/")})
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], saved)
    assert thief.get("/api/me").status_code == 401
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], before)
    assert thief.get("/api/me").status_code == 401


def test_sessions_end_when_idle_and_at_their_absolute_limit(setup):
    _, app, _ = setup
    for column, value in (("last_seen_at", timedelta(hours=12, minutes=1)), ("expires_at", timedelta(seconds=1))):
        client = app.test_client()
        sign_in(client)
        assert client.get("/api/me").status_code == 200
        with app.extensions["db"].transaction() as conn:
            conn.execute(f"UPDATE sessions SET {column} = now() - %s WHERE staff_id IS NOT NULL", (value,))
        assert client.get("/api/me").status_code == 401, column


def test_sign_out_everywhere_and_from_the_account_page(setup):
    _, app, token = setup
    laptop, phone, tablet = app.test_client(), app.test_client(), app.test_client()
    for browser in (laptop, phone, tablet):
        sign_in(browser)
    account = laptop.get("/api/account").get_json()
    assert len(account["sessions"]) == 3 and sum(s["current"] for s in account["sessions"]) == 1
    other = next(s for s in account["sessions"] if not s["current"])
    csrf = {"X-CSRFToken": csrf_token(laptop, "/")}
    assert laptop.delete(f"/api/account/sessions/{other['id']}", headers=csrf).status_code == 204
    assert sorted(b.get("/api/me").status_code for b in (phone, tablet)) == [200, 401]
    assert laptop.delete("/api/account/sessions", headers=csrf).status_code == 204  # all the others
    assert [b.get("/api/me").status_code for b in (laptop, phone, tablet)] == [200, 401, 401]
    laptop.post("/signout", data={"csrf_token": csrf_token(laptop, "/"), "everywhere": "1"})
    assert laptop.get("/api/me").status_code == 401
    assert app.test_client().get("/api/me", headers=bearer(token)).status_code == 200  # tokens are apart


def test_api_tokens_are_named_listed_used_expired_and_revoked_by_id(setup):
    _, app, token = setup
    browser = app.test_client()
    sign_in(browser)
    csrf = {"X-CSRFToken": csrf_token(browser, "/")}
    made = browser.post("/api/account/tokens", json={"name": "Laptop CLI", "expires_in_days": 30}, headers=csrf)
    assert made.status_code == 201
    new = made.get_json()
    assert new["token"].startswith("vat_") and new["name"] == "Laptop CLI" and new["expires_at"]
    api = app.test_client()
    assert api.get("/api/me", headers=bearer(new["token"])).status_code == 200
    listed = {t["name"]: t for t in browser.get("/api/account").get_json()["tokens"]}
    assert listed["Laptop CLI"]["last_used_at"] and "token" not in listed["Laptop CLI"]  # the text is never kept
    # a token cannot make more of itself, nor lock its owner out: no revoking, no signing browsers out
    assert api.post("/api/account/tokens", json={"name": "more"}, headers=bearer(new["token"])).status_code == 403
    first = next(t for t in listed.values() if t["name"] == "tests")
    assert api.delete(f"/api/account/tokens/{first['id']}", headers=bearer(new["token"])).status_code == 403
    assert api.delete("/api/account/sessions", headers=bearer(new["token"])).status_code == 403
    mine = next(s for s in browser.get("/api/account").get_json()["sessions"] if s["current"])
    assert api.delete(f"/api/account/sessions/{mine['id']}", headers=bearer(new["token"])).status_code == 403
    assert browser.get("/api/me").status_code == 200 and api.get("/api/me", headers=bearer(token)).status_code == 200
    assert browser.delete(f"/api/account/tokens/{new['id']}", headers=csrf).status_code == 204
    assert api.get("/api/me", headers=bearer(new["token"])).status_code == 401
    with app.extensions["db"].transaction() as conn:
        conn.execute("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE name = 'tests'")
    assert api.get("/api/me", headers=bearer(token)).status_code == 401  # expired


def test_the_admin_command_disables_staff_and_sets_passwords_ending_everything(setup, capsys):
    _, app, token = setup
    browser = app.test_client()
    sign_in(browser)
    admin.main(["list-tokens", EMAIL])
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [t["name"] for t in listed] == ["tests"] and listed[0]["last_used_at"] is None
    admin.main(["disable-staff", EMAIL])
    assert browser.get("/api/me").status_code == 401
    assert app.test_client().get("/api/me", headers=bearer(token)).status_code == 401
    assert sign_in(app.test_client()).status_code == 401  # nor can it sign in again
    admin.main(["enable-staff", EMAIL])
    again = app.test_client()
    assert sign_in(again).status_code == 302
    admin.main(["create-token", EMAIL, "--name", "second", "--expires-days", "7"])
    second = capsys.readouterr().out.strip()
    admin.main(["set-password", EMAIL])
    new_password = json.loads(capsys.readouterr().out)["password"]
    assert again.get("/api/me").status_code == 401
    assert app.test_client().get("/api/me", headers=bearer(second)).status_code == 401
    assert sign_in(app.test_client(), password=new_password).status_code == 302
    with pytest.raises(SystemExit, match="no such token"):
        admin.main(["revoke-token", "1"])


def test_open_streams_end_within_a_heartbeat_of_their_withdrawal():
    hub = events.Hub(database=None, max_streams=10)
    hub._ensure_listening = lambda: None  # no database here: the stream alone
    allowed = threading.Event()
    allowed.set()
    subscriber = hub.subscribe("shoot", events.STAFF)
    stream = hub.stream(subscriber, heartbeat=0.05, still_allowed=allowed.is_set)
    assert next(stream).startswith("retry:")
    assert next(stream) == ": heartbeat\n\n"
    hub.dispatch({"shoot": "shoot", "kind": "job", "data": {"key": "a"}})
    assert next(stream).startswith("event: job")
    allowed.clear()
    assert next(stream) == "event: ended\ndata: {}\n\n"
    assert list(stream) == [] and hub.streams == 0


def test_a_withdrawal_ends_that_links_streams_at_once_and_no_other():
    hub = events.Hub(database=None, max_streams=10)
    hub._ensure_listening = lambda: None
    streams = {name: hub.stream(hub.subscribe("shoot", name), heartbeat=60) for name in ("link:1", "link:2", events.STAFF)}
    for stream in streams.values():
        next(stream)
    hub.dispatch({"shoot": "shoot", "kind": events.WITHDRAWN, "to": "link:1", "data": {}})
    hub.dispatch({"shoot": "shoot", "kind": "job", "data": {"key": "a"}})
    assert next(streams["link:1"]) == "event: ended\ndata: {}\n\n" and list(streams["link:1"]) == []
    assert next(streams["link:2"]).startswith("event: job")  # another link hears on
    assert next(streams[events.STAFF]).startswith("event: job")  # staff are not told of it as an event


def test_a_busy_stream_is_checked_too():
    hub = events.Hub(database=None, max_streams=10)
    hub._ensure_listening = lambda: None
    checks = []
    subscriber = hub.subscribe("shoot", "link:1")
    stream = hub.stream(subscriber, heartbeat=0.01, still_allowed=lambda: checks.append(1) or len(checks) < 3)
    next(stream)
    sent = 0
    for chunk in stream:  # events never stop coming, so no heartbeat is ever quiet
        hub.dispatch({"shoot": "shoot", "kind": "job", "data": {}})
        sent += 1
        assert sent < 10_000
    assert len(checks) == 3


def test_clients_cannot_take_the_streams_staff_need():
    hub = events.Hub(database=None, max_streams=10)
    hub._ensure_listening = lambda: None
    for n in range(8):
        hub.subscribe("shoot", f"link:{n}")
    with pytest.raises(events.Busy):
        hub.subscribe("shoot", "link:99")
    hub.subscribe("shoot", events.STAFF)  # staff still get in


def test_no_token_reaches_a_log_line():
    line = '127.0.0.1 "GET /g/12-AbCdEfGhIjKlMnOpQrStUvWxYz012345/events HTTP/1.1" 200 - Bearer vat_SecretSecretSecret'
    assert logs.redact(line) == '127.0.0.1 "GET /g/12-[token]/events HTTP/1.1" 200 - Bearer vat_[token]'
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(logs.Redact())
    logger = logging.getLogger("test.redact")
    logger.addHandler(handler)
    logger.warning("opened %s", "/api/g/7-AbCdEfGhIjKlMnOpQrStUvWxYz012345")
    assert stream.getvalue() == "opened /api/g/7-[token]\n"
    unsubscribe = "/unsubscribe/bGluazo3CmFAYi5jb20.AbCdEfGhIjKlMnOpQrStUvWxYz012345"  # it unsubscribes whoever holds it
    assert logs.redact(f'"POST {unsubscribe} HTTP/1.1" 200') == '"POST /unsubscribe/[token] HTTP/1.1" 200'


def test_unfinished_uploads_keep_their_parts_as_long_as_their_grant_lasts():
    """A grant resumes for GRANT_SECONDS; the buckets' lifecycle rule must not delete its parts sooner."""
    with open(REPO / "terraform" / "modules" / "hardened_bucket" / "variables.tf") as variables:
        [days] = [v['"incomplete_upload_days"']['default'] for v in hcl2.load(variables)["variable"]
                  if '"incomplete_upload_days"' in v]
    assert days * 24 * 3600 == uploads.GRANT_SECONDS


# --- the SNS endpoint ------------------------------------------------------------------------

def test_only_sns_certificate_paths_are_fetched():
    aws = sns_signature.SnsEndpoint("us-east-1")
    good = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem"
    assert aws.trusts_certificate(good)
    for bad in ("https://sns.us-east-1.amazonaws.com/anything.pem",
                "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa.pem",
                "https://sns.us-east-1.amazonaws.com/x/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem",
                "https://user@sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem",
                good + "?x=1", good.replace("us-east-1.", "us-east-1.evil.")):
        assert not aws.trusts_certificate(bad), bad


class _NotFound(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_certificate_that_cannot_be_fetched_is_the_senders_problem():
    server = QuietHTTPServer(("127.0.0.1", 0), _NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(sns_signature.SignatureError, match="could not be fetched"):
            sns._fetch(f"http://127.0.0.1:{server.server_port}/cert.pem")
        with pytest.raises(sns_signature.SignatureError, match="could not be fetched"):
            sns._fetch("http://127.0.0.1:9/cert.pem")  # nothing listens
    finally:
        server.shutdown()


def test_the_certificate_cache_is_bounded():
    clock = iter(range(0, 10_000, 61))  # a minute apart: no fetch budget in the way
    cache = sns_signature.CertificateCache(lambda url: url.encode(), clock=lambda: next(clock))
    for n in range(100):
        cache(f"https://sns.example/{n}.pem", False)
    assert len(cache) == cache.MAX_HELD


def test_certificates_are_fetched_a_few_times_a_minute_whatever_the_senders_name():
    fetched, now = [], [0.0]

    def fetch(url):
        fetched.append(url)
        if "missing" in url:
            raise sns_signature.SignatureError("the signing certificate could not be fetched (HTTPError)")
        return b"pem"
    cache = sns_signature.CertificateCache(fetch, clock=lambda: now[0])
    for _ in range(5):  # a certificate that is not there is asked for once a minute
        with pytest.raises(sns_signature.SignatureError):
            cache("https://sns.example/missing.pem", False)
    assert fetched == ["https://sns.example/missing.pem"]
    refused = 0
    for n in range(200):  # a forger naming a new certificate each time
        try:
            cache(f"https://sns.example/{n}.pem", False)
        except sns_signature.SignatureError as error:
            assert "too many" in str(error)
            refused += 1
    assert len(fetched) == cache.MAX_FETCHES and refused == 200 - cache.MAX_FETCHES + 1
    assert cache(f"https://sns.example/{cache.MAX_FETCHES - 2}.pem", False) == b"pem"  # what is held still answers
    now[0] += cache.REFETCH_AFTER
    assert cache("https://sns.example/new.pem", False) == b"pem"  # a minute on, fetches again


def test_the_sns_endpoint_answers_one_address_a_few_hundred_times_a_minute(setup):
    """Every message is checked before anything is fetched or stored; a sender past the limit is
    refused before even that."""
    _, app, _ = setup
    client = app.test_client()
    codes = [client.post("/sns", data=b'{"Type": "Notification"}', content_type="text/plain").status_code
             for _ in range(610)]
    assert set(codes[:600]) == {400} and codes[-1] == 429
    assert app.test_client().post("/sns", data=b"{}", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 400
