"""Visitors and proofing rules on the local stack: a link asks its visitors who they are, each one
keeps their own favourites and comments, guests view while the couple downloads (on every
download route), the studio sees who did what (also as CSV, formulas neutralised), a selection
keeps to the link's minimum, maximum and deadline, is locked once submitted (one email), and the
studio reopens it. A withdrawn link ends every visitor's session."""

import csv
import io
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import requests
from gallery_client import client, introduce, make_link, sent_emails, staff, token_of
from support import photo, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def shoot(stack):
    made = stack.studio.create_shoot("Visitors and rules")
    keys = [stack.upload(photo(400, 300, seed=140 + n), f"Pick {n}.jpg", shoot=made["id"]) for n in range(5)]
    stack.studio.wait_for_shoot(made["id"], set(keys), timeout=120)
    return {"id": made["id"], "keys": keys, "paths": [k.split("/", 2)[2] for k in keys]}


def api(url: str) -> str:
    return url.replace("/g/", "/api/g/")


def test_each_visitor_has_their_own_favourites_guests_view_and_the_studio_sees_who_did_what(stack, shoot):
    link = make_link(stack, shoot["id"], name="The Smiths", ask_visitors=True, downloads="web", proofs=False)
    assert link["guest_url"] != link["url"] and "/g/" in link["guest_url"]
    # nobody gets the photos before saying who they are
    stranger = client(stack, link)
    assert stranger.get(api(link["url"]), timeout=30).status_code == 403
    bad = stranger.post(f"{link['url']}/visitor", data={"name": "Ada", "email": "not an email",
                                                        "csrf_token": stranger.headers["X-CSRFToken"]}, timeout=30)
    assert bad.status_code == 400 and "email address" in bad.text

    ada = introduce(stack, link["url"], "Ada", "ada@example.com")
    guest = introduce(stack, link["guest_url"], "=cmd|' /C calc'!A0", "guest@example.com")  # a name meant for a spreadsheet
    couple_api, guest_api = api(link["url"]), api(link["guest_url"])
    twice = ada.post(f"{link['url']}/visitor", data={"name": "Ada again", "email": "ada2@example.com",
                                                     "csrf_token": ada.headers["X-CSRFToken"]}, timeout=30)
    assert twice.status_code == 200 and 'id="gallery"' in twice.text  # one visitor per browser: she is Ada still
    first, second, third = shoot["paths"][:3]
    assert ada.put(f"{couple_api}/favourites/{first}", timeout=30).json()["favourites"] == 1
    assert guest.put(f"{guest_api}/favourites/{second}", timeout=30).json()["favourites"] == 1
    assert guest.put(f"{guest_api}/favourites/{third}", timeout=30).json()["favourites"] == 2
    assert guest.post(f"{guest_api}/comments/{second}", json={"body": "Lovely light"}, timeout=30).status_code == 201

    mine = ada.get(couple_api, timeout=30).json()
    assert mine["visitor"] == "Ada" and mine["role"] == "couple" and mine["favourites"] == 1
    assert {p["path"] for p in mine["photos"] if p["favourite"]} == {first}
    assert not any(p["comments"] for p in mine["photos"])  # the guest's comment is the guest's
    theirs = guest.get(guest_api, timeout=30)
    assert theirs.json()["role"] == "guest" and theirs.json()["downloads"] == "none"
    assert {p["path"] for p in theirs.json()["photos"] if p["favourite"]} == {second, third}
    assert "ada@example.com" not in theirs.text and "Ada" not in theirs.text  # nothing of another visitor
    only = guest.get(f"{guest_api}/photos?favourites=true", timeout=30).json()["photos"]
    assert {p["path"] for p in only} == {second, third}

    # guests view: every download route refuses them; the couple downloads
    assert guest.get(f"{guest_api}/downloads/{first}", allow_redirects=False, timeout=30).status_code == 403
    assert guest.post(f"{guest_api}/archives", json={}, timeout=30).status_code == 403
    assert guest.get(f"{guest_api}/archives/anything", timeout=30).status_code == 403
    assert ada.get(f"{couple_api}/downloads/{first}", allow_redirects=False, timeout=30).status_code == 302
    # a guest's address is no couple's: its MAC does not open the couple's side, nor another link
    other = make_link(stack, shoot["id"], name="Other")
    assert requests.get(api(link["url"]).replace(token_of(link), token_of(link).replace("-", "g-", 1)),
                        timeout=30).status_code == 404
    assert requests.get(f"{stack.web_url}/api/g/{other['id']}g-{link['guest_url'].rsplit('-', 1)[1]}",
                        timeout=30).status_code == 404

    # the studio: each person with their picks, and who did what, when
    base = f"/api/shoots/{shoot['id']}/links/{link['id']}"
    people = {v["name"]: v for v in staff(stack, "GET", f"{base}/feedback").json()["visitors"]}
    assert people["Ada"]["email"] == "ada@example.com" and people["Ada"]["role"] == "couple"
    assert set(people) == {"Ada", "=cmd|' /C calc'!A0"}
    assert [p["path"] for p in people["Ada"]["picks"]] == [first]
    assert [p["path"] for p in people["=cmd|' /C calc'!A0"]["picks"]] == [second, third]
    done = [(a["name"], a["action"], a["photo"] and a["photo"]["path"])
            for a in staff(stack, "GET", f"{base}/activity").json()["activity"]]
    for expected in [("Ada", "viewed", None), ("Ada", "favourited", first), ("Ada", "downloaded", first),
                     ("=cmd|' /C calc'!A0", "favourited", second), ("=cmd|' /C calc'!A0", "commented", second)]:
        assert expected in done, (expected, done)
    exported = staff(stack, "GET", f"{base}/activity.csv")
    assert exported.status_code == 200 and exported.headers["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(exported.text)))
    assert table[0] == ["when", "visitor", "email", "role", "action", "file", "path"]
    assert ["'=cmd|' /C calc'!A0", "guest@example.com", "guest", "commented", "Pick 1.jpg", second] in \
        [row[1:] for row in table]
    assert table[-1][1:] == ["Ada", "ada@example.com", "couple", "downloaded", "Pick 0.jpg", first]  # oldest first
    assert not any(cell.startswith("=") for row in table for cell in row)
    # the activity is the studio's: a visitor's session and no session get nothing
    assert ada.get(f"{stack.web_url}{base}/activity.csv", timeout=30).status_code == 401
    assert requests.get(f"{stack.web_url}{base}/activity", timeout=30).status_code == 401

    # withdrawn: every visitor's session ends with the link
    staff(stack, "POST", f"{base}/revoke")
    assert ada.get(couple_api, timeout=30).status_code == 410
    assert guest.put(f"{guest_api}/favourites/{first}", timeout=30).status_code == 410


def test_a_selection_keeps_to_the_rules_is_locked_once_submitted_and_the_studio_reopens_it(stack, shoot):
    deadline = datetime.now(UTC) + timedelta(days=3)
    name = f"Rules {secrets.token_hex(3)}"  # its own emails, on a stack that may have run this before
    link = make_link(stack, shoot["id"], name=name, min_selection=2, max_selection=3,
                     selection_deadline=deadline.isoformat())
    assert (link["min_selection"], link["max_selection"]) == (2, 3)
    visitor, base = client(stack, link), api(link["url"])  # no names asked: the couple is the link's own client
    rules = visitor.get(base, timeout=30).json()["selection"]
    assert rules["min"] == 2 and rules["max"] == 3 and rules["to_reach_min"] == 2 and rules["left_to_max"] == 3
    paths = shoot["paths"]
    assert visitor.put(f"{base}/favourites/{paths[0]}", timeout=30).json()["selection"]["to_reach_min"] == 1
    early = visitor.post(f"{base}/selection", timeout=30)
    assert early.status_code == 409 and "at least 2" in early.json()["message"]
    for path in paths[1:3]:
        assert visitor.put(f"{base}/favourites/{path}", timeout=30).status_code == 200
    over = visitor.put(f"{base}/favourites/{paths[3]}", timeout=30)
    assert over.status_code == 409 and "at most 3" in over.json()["message"]

    sent = visitor.post(f"{base}/selection", timeout=30)
    assert sent.status_code == 201 and sent.json()["count"] == 3 and sent.json()["locked"] is True
    gallery = visitor.get(base, timeout=30).json()
    assert gallery["selection_sent_at"] and gallery["favourites"] == 3
    locked = visitor.delete(f"{base}/favourites/{paths[0]}", timeout=30)
    assert locked.status_code == 409 and "locked" in locked.json()["message"]
    assert visitor.post(f"{base}/selection", timeout=30).status_code == 409  # submitted already: no second email
    mails = wait_for(lambda: [m for m in sent_emails(stack) if m.subject.startswith(f"{name} sent a selection of 3")])
    assert len(mails) == 1 and all(p.rsplit("/", 1)[-1] in mails[0].text for p in paths[:3])

    studio = f"/api/shoots/{shoot['id']}/links/{link['id']}"
    [person] = [v for v in staff(stack, "GET", f"{studio}/feedback").json()["visitors"] if v["main"]]
    assert person["submitted_at"]
    reopened = staff(stack, "POST", f"{studio}/visitors/{person['id']}/reopen")
    assert reopened.status_code == 200 and reopened.json()["submitted_at"] is None
    assert visitor.delete(f"{base}/favourites/{paths[0]}", timeout=30).status_code == 200
    # past the deadline, nothing is submitted
    staff(stack, "PATCH", studio, json={"selection_deadline": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()})
    late = visitor.post(f"{base}/selection", timeout=30)
    assert late.status_code == 409 and "deadline" in late.json()["message"]
    # and a studio cannot set a minimum above the maximum
    assert staff(stack, "PATCH", studio, json={"min_selection": 5}).status_code == 400


def test_favourites_sent_together_cannot_pass_the_maximum(stack, shoot):
    link = make_link(stack, shoot["id"], name="Together", max_selection=2)
    visitor, base = client(stack, link), api(link["url"])
    with ThreadPoolExecutor(5) as pool:
        codes = list(pool.map(lambda p: visitor.put(f"{base}/favourites/{p}", timeout=30).status_code, shoot["paths"]))
    assert sorted(codes) == [200, 200, 409, 409, 409]
    assert visitor.get(base, timeout=30).json()["favourites"] == 2


def test_visitors_are_counted_and_bounded(stack, shoot):
    """New visitors are limited by rate (per address, and per link), and names by length."""
    link = make_link(stack, shoot["id"], name="Crowd", ask_visitors=True)
    visitor = client(stack, link)
    long = visitor.post(f"{link['url']}/visitor", data={"name": "x" * 81, "email": "a@example.com",
                                                        "csrf_token": visitor.headers["X-CSRFToken"]}, timeout=30)
    assert long.status_code == 400 and "at most 80" in long.text
    codes = []
    for n in range(70):  # 30 a minute from one address (100 an hour per link): refused well before 70
        browser = client(stack, link)
        codes.append(browser.post(f"{link['url']}/visitor", data={"name": f"Guest {n}", "email": f"g{n}@example.com",
                                                                  "csrf_token": browser.headers["X-CSRFToken"]},
                                  timeout=30).status_code)
        if codes[-1] == 429:
            break
    assert codes[-1] == 429 and set(codes[:-1]) == {200}
    with psycopg.connect(stack.web_env["VIVIDART_WEB_DATABASE_URL"]) as conn:  # the minute over: later tests share the address
        conn.execute("DELETE FROM rate_limits WHERE key LIKE %s", ("%gallery_pages.introduce%",))
    people = staff(stack, "GET", f"/api/shoots/{shoot['id']}/links/{link['id']}/feedback").json()["visitors"]
    assert len([v for v in people if v["email"]]) == codes.count(200)  # a refused one made no visitor
