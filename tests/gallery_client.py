"""The two sides of a gallery as the tests drive them over HTTP: the studio (its API token) and a
client of a share link (a browser-like session with the CSRF token of the page it opened)."""

from __future__ import annotations

import email
import email.policy
import re
import time
from dataclasses import dataclass
from email.header import decode_header, make_header

import requests


def staff(stack, method: str, path: str, **options) -> requests.Response:
    return requests.request(method, stack.web_url + path, timeout=30, verify=stack.verify,
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
    session.trust_env = False  # else REQUESTS_CA_BUNDLE overrides the session's own verify
    session.verify = stack.verify
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


def introduce(stack, url: str, name: str, email: str) -> requests.Session:
    """A browser opening a link that asks who they are, and saying it on the form."""
    visitor = client(stack, {"url": url})
    page = visitor.get(url, timeout=30)
    assert page.status_code == 200 and 'id="visitor-name"' in page.text, page.text[:300]
    said = visitor.post(f"{url}/visitor", data={"name": name, "email": email,
                                                "csrf_token": visitor.headers["X-CSRFToken"]}, timeout=30)
    assert said.status_code == 200 and 'id="gallery"' in said.text, said.text[:300]
    return visitor


def download_all(stack, visitor: requests.Session, link: dict, email: str | None = None, timeout: float = 180) -> dict:
    """Download all, as a client does it: ask for the archive, follow it until it is ready, fetch each
    part from storage. The archive's last answer, with each part's bytes under "content"."""
    base = link["url"].replace("/g/", "/api/g/")
    asked = visitor.post(f"{base}/archives", json={"email": email}, timeout=30)
    assert asked.status_code == 202, asked.text[:300]
    archive = asked.json()
    deadline = time.monotonic() + timeout
    while archive["state"] == "building":
        assert time.monotonic() < deadline, f"the archive was still being built after {timeout:.0f} s: {archive}"
        time.sleep(0.5)
        archive = visitor.get(f"{base}/archives/{archive['id']}", timeout=30).json()
    assert archive["state"] == "ready", archive
    for part in archive["parts"]:
        fetched = requests.get(part["url"], timeout=300)
        assert fetched.status_code == 200, fetched.text[:300]
        part["content"], part["disposition"] = fetched.content, fetched.headers.get("Content-Disposition", "")
    return archive


@dataclass(frozen=True)
class Mail:
    """An email SES took, in one shape whether the app sent it formatted (send_email) or raw
    (send_raw_email, for the List-Unsubscribe headers)."""
    id: str
    source: str  # as a reader sees it: "Ana Fotógrafa Studio <studio@...>"
    to: tuple[str, ...]
    subject: str
    text: str
    html: str = ""  # its HTML twin, where it has one


def sent_emails(stack) -> list[Mail]:
    """Every email SES took on this stack (LocalStack keeps them at /_aws/ses), oldest first."""
    answer = requests.get(f"{stack.outputs['localstack_endpoint']}/_aws/ses", timeout=10)
    answer.raise_for_status()
    return [_mail(m) for m in answer.json()["messages"]]


def _mail(message: dict) -> Mail:
    if raw := message.get("RawData"):
        parsed = email.message_from_string(raw, policy=email.policy.default)
        body, html = parsed.get_body(preferencelist=("plain",)), parsed.get_body(preferencelist=("html",))
        return Mail(message["Id"], str(parsed["From"]), tuple(a.strip() for a in str(parsed["To"]).split(",")),
                    str(parsed["Subject"]), body.get_content() if body else "", html.get_content() if html else "")
    return Mail(message["Id"], str(make_header(decode_header(message["Source"]))),
                tuple(message["Destination"]["ToAddresses"]), message["Subject"], message["Body"].get("text_part") or "")
