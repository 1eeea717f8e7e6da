"""Lifecycle emails on the local stack, as a client and the studio meet them: "your gallery is ready"
from the link panel, reminders sent by the deployed tick function (EventBridge's target) through
the topic to the web app, each exactly once, and an unsubscribe link that stops the next one."""

import email
import email.policy
import re
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
import requests
from gallery_client import make_link, staff
from support import wait_for

pytestmark = pytest.mark.integration


def mails(stack, *addresses: str) -> list:
    """The raw emails (those with List-Unsubscribe headers) SES took for these addresses, parsed."""
    messages = requests.get(f"{stack.outputs['localstack_endpoint']}/_aws/ses", timeout=10).json()["messages"]
    parsed = [email.message_from_string(m["RawData"], policy=email.policy.default) for m in messages if m.get("RawData")]
    return [m for m in parsed if m["To"] in addresses]


def subjects(found) -> list[tuple[str, str]]:
    return sorted((str(m["To"]), str(m["Subject"]).split(":")[0]) for m in found)


def tick(stack) -> None:
    """What the schedule does every hour: invoke the deployed tick function."""
    answer = stack.aws("lambda").invoke(FunctionName=stack.outputs["ticks_name"], Payload=b'{"time": "2026-01-01T00:00:00Z"}')
    assert "FunctionError" not in answer, answer["Payload"].read()


def change_link(stack, shoot_id: str, link_id: int, **body) -> dict:
    changed = staff(stack, "PATCH", f"/api/shoots/{shoot_id}/links/{link_id}", json=body)
    assert changed.status_code == 200, changed.text
    return changed.json()


def test_ready_then_reminders_once_each_and_an_unsubscribe_stops_the_next(stack):
    run = uuid.uuid4().hex[:8]
    ann, bo, control = (f"{who}-{run}@example.com" for who in ("ann", "bo", "control"))
    shoot = stack.shoot(f"Lifecycle {run}")
    now = datetime.now(UTC)
    link = make_link(stack, shoot["id"], name="Ann and Bo", expires_at=(now + timedelta(days=3, minutes=-5)).isoformat(),
                     recipients=[ann, f" {bo.upper()} "])
    assert link["recipients"] == [ann, bo] and link["told"] == []
    assert staff(stack, "PATCH", f"/api/shoots/{shoot['id']}/links/{link['id']}",
                 json={"recipients": ["not an address"]}).status_code == 400
    # the selection deadline (the proofing rules' column), tomorrow
    with psycopg.connect(stack.web_env["VIVIDART_WEB_DATABASE_URL"]) as conn:
        conn.execute("UPDATE share_links SET selection_deadline = %s WHERE id = %s",
                     (now + timedelta(days=1, minutes=-5), link["id"]))
    other = make_link(stack, shoot["id"], name="Control", recipients=[control])

    # "Email the gallery": once to each address, however often it is pressed
    sent = staff(stack, "POST", f"/api/shoots/{shoot['id']}/links/{link['id']}/ready")
    assert sent.status_code == 200 and sorted(sent.json()["emailed"]) == [ann, bo] and sent.json()["link"]["told"] == [ann, bo]
    assert staff(stack, "POST", f"/api/shoots/{shoot['id']}/links/{link['id']}/ready").json()["emailed"] == []
    assert staff(stack, "POST", f"/api/shoots/{shoot['id']}/links/{other['id']}/ready").json()["emailed"] == [control]
    ready = wait_for(lambda: (found := mails(stack, ann)) and found, timeout=30)
    [to_ann] = ready
    text = to_ann.get_body(preferencelist=("plain",)).get_content()
    html = to_ann.get_body(preferencelist=("html",)).get_content()  # its twin, in the studio's brand
    assert link["url"] in html and stack.outputs["studio_name"] in html and "Unsubscribe</a>" in html
    assert str(to_ann["Subject"]) == f"Your photos are ready: Lifecycle {run}"
    assert link["url"] in text and f"— {stack.outputs['studio_name']}" in text
    assert stack.outputs["studio_name"] in str(to_ann["From"]) and stack.outputs["studio_email"] in str(to_ann["From"])
    unsubscribe = re.search(r"To get no more of these emails: (\S+)", text)[1]
    assert to_ann["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert to_ann["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # the schedule's tick: the 3-day expiry and the 1-day deadline reminders, to both
    tick(stack)
    expected = [(ann, "Choose your photos tomorrow"), (ann, "Your gallery closes in 3 days"), (ann, "Your photos are ready"),
                (bo, "Choose your photos tomorrow"), (bo, "Your gallery closes in 3 days"), (bo, "Your photos are ready")]
    wait_for(lambda: subjects(mails(stack, ann, bo)) == expected, timeout=60)

    # a second tick sends nothing again; the control link, due only now, shows the tick was heard
    change_link(stack, shoot["id"], other["id"], expires_at=(datetime.now(UTC) + timedelta(days=7, minutes=-5)).isoformat())
    tick(stack)
    wait_for(lambda: subjects(mails(stack, control)) == [(control, "Your gallery closes in 7 days"),
                                                         (control, "Your photos are ready")], timeout=60)
    assert subjects(mails(stack, ann, bo)) == expected

    # Ann unsubscribes by her email's link: a page to confirm, then done; a tampered token is refused
    browser = requests.Session()
    page = browser.get(unsubscribe, timeout=30)
    assert page.status_code == 200 and "Unsubscribe?" in page.text and ann in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    done = browser.post(unsubscribe, data={"csrf_token": csrf}, timeout=30)
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    token = unsubscribe.rsplit("/", 1)[1]
    forged = unsubscribe.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    refused = requests.get(forged, timeout=30)
    assert refused.status_code == 400 and "This unsubscribe link does not work" in refused.text

    # the expiry moves to tomorrow: the 1-day reminder goes to Bo, not to Ann
    change_link(stack, shoot["id"], link["id"], expires_at=(datetime.now(UTC) + timedelta(days=1, minutes=-5)).isoformat())
    tick(stack)
    wait_for(lambda: (bo, "Your gallery closes tomorrow") in subjects(mails(stack, bo)), timeout=60)
    assert (ann, "Your gallery closes tomorrow") not in subjects(mails(stack, ann))
    assert len(mails(stack, ann)) == 3
