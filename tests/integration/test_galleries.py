"""Client galleries on the local stack: a link reaches its own shoot and nothing else, expired
and revoked links end, PINs resist guessing, a big ZIP streams with flat memory, the studio
hears of a selection by email and can export it."""

import io
import os
import re
import threading
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pytest
import requests
from bench.pipeline import photographic
from support import photo

pytestmark = pytest.mark.integration


def staff(stack, method: str, path: str, **options) -> requests.Response:
    return requests.request(method, stack.web_url + path, timeout=30,
                            headers={"Authorization": f"Bearer {stack.staff['api_token']}"}, **options)


def make_link(stack, shoot_id: str, **options) -> dict:
    body = {"name": "Bride and groom", "downloads": "web", "proofs": True, **options}
    made = staff(stack, "POST", f"/api/shoots/{shoot_id}/links", json=body)
    assert made.status_code == 201, made.text
    return made.json()


def token_of(link: dict) -> str:
    return link["url"].rsplit("/g/", 1)[1]


def client(stack, link: dict, pin: str | None = None) -> requests.Session:
    """A browser-like client of the link: cookies, and the CSRF token of the page it opened."""
    session = requests.Session()
    page = session.get(link["url"], timeout=30)
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text) or re.search(
        r'name="csrf_token" value="([^"]+)"', page.text)
    session.headers["X-CSRFToken"] = csrf[1]
    if pin:
        opened = session.post(f"{link['url']}/unlock", data={"pin": pin, "csrf_token": csrf[1]}, timeout=30)
        assert opened.status_code == 200, opened.text[:300]
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', opened.text)
        session.headers["X-CSRFToken"] = csrf[1]
    return session


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
    # the ZIP and the events are of its own shoot: the archive holds A's photos only
    archive = zipfile.ZipFile(io.BytesIO(visitor.get(f"{base}/archive.zip", timeout=60).content))
    assert sorted(archive.namelist()) == sorted(p.rsplit("/", 1)[-1] for p in a["paths"])
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
    assert visitor.get(f"{base}/archive.zip", timeout=30).status_code == 403
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
    link = make_link(stack, two_shoots["Shoot A"]["shoot"]["id"], pin="2468")
    api = f"{stack.web_url}/api/g/{token_of(link)}"
    assert requests.get(api, timeout=30).status_code == 401
    page = requests.get(link["url"], timeout=30)
    assert page.status_code == 401 and 'id="pin"' in page.text
    guesser = client(stack, link)
    csrf = guesser.headers["X-CSRFToken"]
    answers = [guesser.post(f"{link['url']}/unlock", data={"pin": f"00{n:02d}", "csrf_token": csrf}, timeout=30)
               for n in range(7)]
    assert [a.status_code for a in answers[:5]] == [401] * 5
    assert answers[5].status_code == 429 and int(answers[5].headers["Retry-After"]) > 0
    right_now = guesser.post(f"{link['url']}/unlock", data={"pin": "2468", "csrf_token": csrf}, timeout=30)
    assert right_now.status_code == 429  # even the right PIN waits, from this address


def test_a_zip_of_200_photos_streams_while_the_apps_memory_stays_flat(stack):
    shoot = stack.studio.create_shoot("Big delivery")
    picture = photographic(2400, 1600)
    with ThreadPoolExecutor(4) as pool:
        keys = list(pool.map(lambda n: stack.upload(picture, f"IMG_{n:04d}.jpg", shoot=shoot["id"]), range(200)))
    stack.studio.wait_for_shoot(shoot["id"], set(keys), timeout=600)
    link = make_link(stack, shoot["id"], downloads="full", proofs=False)
    workers = [int(pid) for pid in os.popen(f"pgrep -P {(stack.run_dir / 'web.pid').read_text().strip()}").read().split()]
    assert workers, "the web app's gunicorn workers"

    def rss() -> int:
        total = 0
        for pid in workers:
            with open(f"/proc/{pid}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) * 1024
        return total

    before, highest, done = rss(), [0], threading.Event()

    def watch():
        while not done.is_set():
            highest[0] = max(highest[0], rss())
            time.sleep(0.05)

    threading.Thread(target=watch, daemon=True).start()
    received = 0
    with requests.get(f"{stack.web_url}/api/g/{token_of(link)}/archive.zip", stream=True, timeout=300) as response:
        assert response.status_code == 200
        declared = int(response.headers["Content-Length"])  # known up front: the browser shows progress
        for chunk in response.iter_content(1 << 20):
            received += len(chunk)
    done.set()
    assert received == declared > 100 * 1_000_000  # 200 full-size photos
    growth = highest[0] - before
    # a buffered archive would grow the app by its whole size; a streamed one by a few chunks
    assert growth < received / 4, f"the web app grew by {growth / 1e6:.0f} MB while sending {received / 1e6:.0f} MB"
    print(f"ZIP of {received / 1e6:.0f} MB: the web app's workers grew by {growth / 1e6:.1f} MB")


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

    ses = requests.get(f"{stack.outputs['localstack_endpoint']}/_aws/ses", timeout=10).json()["messages"]
    mail = next(m for m in ses if "Parents sent a selection of 2" in m["Subject"])
    assert mail["Destination"]["ToAddresses"] == [stack.outputs["studio_email"]]
    assert all(path.rsplit("/", 1)[-1] in mail["Body"]["text_part"] for path in a["paths"])

    lightroom = staff(stack, "GET", f"/api/shoots/{a['shoot']['id']}/links/{link['id']}/selection.txt").text.strip()
    assert lightroom == ", ".join(p.rsplit("/", 1)[-1].rsplit(".", 1)[0] for p in a["paths"])
    table = staff(stack, "GET", f"/api/shoots/{a['shoot']['id']}/links/{link['id']}/selection.csv").text.splitlines()
    assert table[0] == "file,path,comments" and "Warmer please" in table[1]


def test_a_download_keeps_the_name_the_studio_gave_in_any_script(stack):
    """Shoots, links and photos are named in any script, with quotes and all; the archive, the
    exports and a photo saved from storage keep those names (a header must stay Latin-1: a raw
    name in it was a server error)."""
    shoot = stack.studio.create_shoot('東京 · Émilie & "Jo"')
    key = stack.upload(photo(64, 48, seed=31), "Café 東京.jpg", shoot=shoot["id"])
    assert stack.studio.wait(key, timeout=60)["status"] == "processed"
    link = make_link(stack, shoot["id"], name="Sélection 選択", downloads="full")

    def saved_as(response: requests.Response) -> str:
        assert response.status_code == 200, response.text[:300]
        return unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''", 1)[1])

    archive = client(stack, link).get(f"{stack.web_url}/api/g/{token_of(link)}/archive.zip", timeout=30)
    assert saved_as(archive) == '東京 · Émilie & "Jo".zip'
    exports = f"/api/shoots/{shoot['id']}/links/{link['id']}"
    assert saved_as(staff(stack, "GET", f"{exports}/selection.csv")) == "Sélection 選択 selection.csv"
    assert saved_as(staff(stack, "GET", f"{exports}/selection.txt")) == "Sélection 選択 selection.txt"
    # the photo's Download button: a redirect to storage, which sends the header it was signed with
    assert saved_as(staff(stack, "GET", f"/api/shoots/{shoot['id']}/downloads/full/{key.split('/', 2)[2]}")) \
        == "Café 東京-full.jpg"
