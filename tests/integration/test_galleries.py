"""Client galleries on the local stack: a link reaches its own shoot and nothing else, expired
and revoked links end, PINs resist guessing, a big ZIP streams with flat memory, the studio
hears of a selection by email and can export it."""

import io
import os
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
import requests
from bench.pipeline import photographic
from gallery_client import client, download_all, make_link, sent_emails, staff, token_of
from support import photo, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def two_shoots(stack):
    made = {}
    for name in ("Shoot A", "Shoot B"):
        shoot = stack.studio.create_shoot(f"Galleries {name}")
        keys = [stack.upload(photo(800, 600, seed=90 + n), f"{name} {n}.jpg", shoot=shoot["id"]) for n in range(2)]
        for key in keys:
            assert stack.studio.wait(key, timeout=60)["status"] == "processed"
        made[name] = {"shoot": shoot, "keys": keys, "paths": [k.split("/", 2)[2] for k in keys]}
    return made


def test_a_link_to_one_shoot_reaches_nothing_of_another(stack, two_shoots):
    a, b = two_shoots["Shoot A"], two_shoots["Shoot B"]
    link = make_link(stack, a["shoot"]["id"], downloads="full", proofs=False)
    base = f"{stack.web_url}/api/g/{token_of(link)}"
    visitor = client(stack, link)
    assert {p["path"] for p in visitor.get(base, timeout=30).json()["photos"]} == set(a["paths"])  # its own shoot only
    own = a["paths"][0]
    assert visitor.get(f"{base}/images/thumb/{own}", allow_redirects=False, timeout=30).status_code == 302
    for other in b["paths"] + [f"../{b['shoot']['id']}/{b['paths'][0]}", f"%2e%2e/{b['shoot']['id']}/{b['paths'][0]}",
                               f"{b['shoot']['id']}/{b['paths'][0]}", b["keys"][0]]:
        for method, path in (("GET", f"/images/thumb/{other}"), ("GET", f"/images/web/{other}"),
                             ("GET", f"/downloads/{other}"), ("PUT", f"/favourites/{other}"),
                             ("DELETE", f"/favourites/{other}"), ("POST", f"/comments/{other}")):
            answer = visitor.request(method, base + path, json={"body": "hello"} if method == "POST" else None,
                                     allow_redirects=False, timeout=30)
            assert answer.status_code == 404, (method, path, answer.status_code)
    # Download all is of its own shoot: the archive holds A's photos only
    [part] = download_all(stack, visitor, link)["parts"]
    assert sorted(zipfile.ZipFile(io.BytesIO(part["content"])).namelist()) == sorted(p.rsplit("/", 1)[-1] for p in a["paths"])
    # and a staff route of shoot B does not answer for A's link id
    assert staff(stack, "GET", f"/api/shoots/{b['shoot']['id']}/links/{link['id']}/feedback").status_code == 404
    assert staff(stack, "POST", f"/api/shoots/{b['shoot']['id']}/links/{link['id']}/revoke").status_code == 404
    # a client's session opens no staff route
    assert visitor.get(f"{stack.web_url}/api/shoots/{a['shoot']['id']}", timeout=30).status_code == 401


def test_proof_links_only_ever_hand_out_proofs_and_downloads_only_what_they_allow(stack, two_shoots):
    a = two_shoots["Shoot A"]
    link = make_link(stack, a["shoot"]["id"], downloads="none", proofs=True)
    visitor, base = client(stack, link), f"{stack.web_url}/api/g/{token_of(link)}"
    for size in ("thumb", "thumb_webp", "web", "web_webp"):
        target = visitor.get(f"{base}/images/{size}/{a['paths'][0]}", allow_redirects=False, timeout=30).headers["Location"]
        assert "/proof" in target.split("?")[0], (size, target)
    assert visitor.get(f"{base}/downloads/{a['paths'][0]}", allow_redirects=False, timeout=30).status_code == 403
    assert visitor.post(f"{base}/archives", json={}, timeout=30).status_code == 403
    assert visitor.get(f"{base}/images/full/{a['paths'][0]}", allow_redirects=False, timeout=30).status_code == 404


def test_expired_and_revoked_links_are_refused(stack, two_shoots):
    shoot_id = two_shoots["Shoot A"]["shoot"]["id"]
    past = make_link(stack, shoot_id, expires_at=(datetime.now(UTC) - timedelta(minutes=1)).isoformat())
    assert past["state"] == "expired"
    assert requests.get(past["url"], timeout=30).status_code == 410
    assert requests.get(f"{stack.web_url}/api/g/{token_of(past)}", timeout=30).status_code == 410
    live = make_link(stack, shoot_id)
    visitor = client(stack, live)
    assert visitor.get(f"{stack.web_url}/api/g/{token_of(live)}", timeout=30).status_code == 200
    assert staff(stack, "POST", f"/api/shoots/{shoot_id}/links/{live['id']}/revoke").json()["state"] == "revoked"
    refused = visitor.get(f"{stack.web_url}/api/g/{token_of(live)}", timeout=30)
    assert refused.status_code == 410 and "withdrawn" in refused.json()["message"]
    assert requests.get(f"{stack.web_url}/api/g/1-{'A' * 32}", timeout=30).status_code == 404  # no such link


def test_a_pin_is_needed_and_guessing_it_is_slowed(stack, two_shoots):
    link = make_link(stack, two_shoots["Shoot A"]["shoot"]["id"], pin="246813")
    api = f"{stack.web_url}/api/g/{token_of(link)}"
    assert requests.get(api, timeout=30).status_code == 401
    page = requests.get(link["url"], timeout=30)
    assert page.status_code == 401 and 'id="pin"' in page.text
    guesser = client(stack, link)
    csrf = guesser.headers["X-CSRFToken"]
    answers = [guesser.post(f"{link['url']}/unlock", data={"pin": f"00{n:04d}", "csrf_token": csrf}, timeout=30)
               for n in range(4)]
    # three tries, then a wait that doubles with each wrong PIN
    assert [a.status_code for a in answers[:3]] == [401] * 3
    assert answers[3].status_code == 429 and int(answers[3].headers["Retry-After"]) > 0
    right_now = guesser.post(f"{link['url']}/unlock", data={"pin": "246813", "csrf_token": csrf}, timeout=30)
    assert right_now.status_code == 429  # even the right PIN waits, from this address


def test_download_all_is_built_in_s3_in_parts_readable_by_zipfile_and_unzip_and_emailed(stack, tmp_path):
    """A gallery of 60 photos as ZIP files built in S3 by the archiver (parts cut small here, as
    4 GB ones would be), every entry ZIP64 and readable by Python's zipfile and by unzip; the web
    app carries none of the bytes; the client is emailed when it is ready; asking again while the
    gallery is unchanged gives the same archive, at once."""
    shoot = stack.studio.create_shoot("Big delivery")
    picture = photographic(2400, 1600)
    with ThreadPoolExecutor(4) as pool:
        keys = list(pool.map(lambda n: stack.upload(picture, f"IMG_{n:04d}.jpg", shoot=shoot["id"]), range(60)))
    stack.studio.wait_for_shoot(shoot["id"], set(keys), timeout=300)
    link = make_link(stack, shoot["id"], downloads="full", proofs=False, name="Couple")
    visitor = client(stack, link)
    web_sent = _sent_by_the_web_app(stack)
    archive = download_all(stack, visitor, link, email="couple@example.com")
    assert _sent_by_the_web_app(stack) - web_sent < 2_000_000  # the bytes came from storage, not the app
    part_bytes = int(stack.web_env["VIVIDART_WEB_ARCHIVE_PART_BYTES"])  # the test stack's, 4 GB on a real one
    assert len(archive["parts"]) >= 2 and all(part["bytes"] <= part_bytes for part in archive["parts"])
    names, total = [], 0
    for number, part in enumerate(archive["parts"], 1):
        assert part["name"] == f"Big delivery (part {number} of {len(archive['parts'])}).zip"
        assert "part%20" in part["disposition"]  # saved under its own name
        path = tmp_path / part["name"]
        path.write_bytes(part["content"])
        with zipfile.ZipFile(path) as zipped:
            assert zipped.testzip() is None
            for info in zipped.infolist():
                assert 0x0001 in _extra_ids(info.extra) or info.file_size < 2 ** 32  # ZIP64 extensions where needed
            names += zipped.namelist()
            total += sum(info.file_size for info in zipped.infolist())
        assert subprocess.run(["unzip", "-tq", str(path)], capture_output=True).returncode == 0
    assert sorted(names) == [f"IMG_{n:04d}.jpg" for n in range(60)] and total == archive["bytes_total"]
    again = visitor.post(f"{link['url'].replace('/g/', '/api/g/')}/archives", json={}, timeout=30).json()
    assert again["id"] == archive["id"] and again["state"] == "ready"  # built once, kept
    mail = wait_for(lambda: next((m for m in sent_emails(stack) if m.to == ("couple@example.com",)), None), timeout=30)
    assert "ready to download" in mail.text and link["url"] in mail.text


def _extra_ids(extra: bytes) -> set[int]:
    ids, at = set(), 0
    while at + 4 <= len(extra):
        ids.add(int.from_bytes(extra[at:at + 2], "little"))
        at += 4 + int.from_bytes(extra[at + 2:at + 4], "little")
    return ids


def _sent_by_the_web_app(stack) -> int:
    """Bytes the web app's processes have written to sockets and files (/proc/<pid>/io)."""
    workers = [int(p) for p in os.popen(f"pgrep -P {(stack.run_dir / 'web.pid').read_text().strip()}").read().split()]
    total = 0
    for pid in workers:
        with open(f"/proc/{pid}/io") as io_stats:
            total += next(int(line.split()[1]) for line in io_stats if line.startswith("wchar:"))
    return total


def test_a_sent_selection_reaches_the_studio_by_email_and_exports(stack, two_shoots):
    a = two_shoots["Shoot A"]
    link = make_link(stack, a["shoot"]["id"], name="Parents")
    visitor, base = client(stack, link), f"{stack.web_url}/api/g/{token_of(link)}"
    for path in a["paths"]:
        assert visitor.put(f"{base}/favourites/{path}", timeout=30).json()["favourite"] is True
    chosen = staff(stack, "GET", f"/api/shoots/{a['shoot']['id']}/photos/{a['paths'][0]}").json()
    assert chosen["favourites"] >= 1  # the studio's view of the photo counts it
    assert visitor.post(f"{base}/comments/{a['paths'][0]}", json={"body": "Warmer please"}, timeout=30).status_code == 201
    sent = visitor.post(f"{base}/selection", timeout=30)
    assert sent.status_code == 201 and sent.json()["count"] == 2

    mail = next(m for m in sent_emails(stack) if "Parents sent a selection of 2" in m.subject)
    assert mail.to == (stack.outputs["studio_email"],)
    assert all(path.rsplit("/", 1)[-1] in mail.text for path in a["paths"])

    lightroom = staff(stack, "GET", f"/api/shoots/{a['shoot']['id']}/links/{link['id']}/selection.txt").text.strip()
    assert lightroom == ", ".join(p.rsplit("/", 1)[-1].rsplit(".", 1)[0] for p in a["paths"])
    table = staff(stack, "GET", f"/api/shoots/{a['shoot']['id']}/links/{link['id']}/selection.csv").text.splitlines()
    assert table[0] == "file,path,comments,chosen by" and "Warmer please" in table[1] and table[1].endswith(",Parents")


def test_a_download_keeps_the_name_the_studio_gave_in_any_script(stack):
    """Shoots, links and photos are named in any script, with quotes and all; the archive, the
    exports and a photo saved from storage keep those names (a header must stay Latin-1: a raw
    name in it was a server error)."""
    shoot = stack.studio.create_shoot('東京 · Émilie & "Jo"')
    key = stack.upload(photo(64, 48, seed=31), "Café 東京.jpg", shoot=shoot["id"])
    assert stack.studio.wait(key, timeout=60)["status"] == "processed"
    link = make_link(stack, shoot["id"], name="Sélection 選択", downloads="full", proofs=False)

    def saved_as(response: requests.Response) -> str:
        assert response.status_code == 200, response.text[:300]
        return unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''", 1)[1])

    [part] = download_all(stack, client(stack, link), link)["parts"]
    assert unquote(part["disposition"].split("filename*=UTF-8''", 1)[1]) == '東京 · Émilie & "Jo".zip'
    exports = f"/api/shoots/{shoot['id']}/links/{link['id']}"
    assert saved_as(staff(stack, "GET", f"{exports}/selection.csv")) == "Sélection 選択 selection.csv"
    assert saved_as(staff(stack, "GET", f"{exports}/selection.txt")) == "Sélection 選択 selection.txt"
    # the photo's Download button: a redirect to storage, which sends the header it was signed with
    assert saved_as(staff(stack, "GET", f"/api/shoots/{shoot['id']}/downloads/full/{key.split('/', 2)[2]}")) \
        == "Café 東京-full.jpg"
