"""Lifecycle emails: "your gallery is ready" to the clients the studio names on a link, reminders
before the link expires (7, 3 and 1 days) and before its selection deadline (3 and 1 days), and
the studio's daily digest of what clients did.

The rules are a pure core: `due` says what is to be sent, given the time, the links and what was
sent already; `render` says what an email says. Each email has a key (what makes it that email:
its kind, link, address and the date it is about), and the sent-log's primary key holds each key
once (repositories.lifecycle), so a second tick, or two instances at once, send nothing twice.
Reminders go only to addresses the gallery was announced to, never after an unsubscribe, and only
the nearest one (a link made 2 days before it expires gets the 3-day reminder, not the 7-day).

Every email carries an unsubscribe link (services.letters: a token per scope, a link or the
digest, and address).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from webapp.repositories import lifecycle as rows
from webapp.services import links
from webapp.services.letters import Mailer

EXPIRY_DAYS = (7, 3, 1)
DEADLINE_DAYS = (3, 1)
DIGEST_HOUR = 8  # UTC: the digest of the day before goes out with the first tick after this hour
DIGEST_SCOPE = "digest"
MAX_RECIPIENTS = 10
MAX_EMAIL = 254
READY, EXPIRY, DEADLINE, DIGEST = "ready", "expiry", "deadline", "digest"
# Deliberately plain: one @, no spaces or controls, a dot in the domain. SES refuses the rest.
_EMAIL = re.compile(r"[^@\s\x00-\x1f\x7f<>,;\"']+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


class RecipientError(ValueError):
    """Not a list of addresses a link's emails can go to; the message says why."""


def link_scope(link_id: int) -> str:
    return f"link:{link_id}"


@dataclass(frozen=True)
class LinkFacts:
    """What the rules need of a share link."""

    id: int
    name: str
    shoot_name: str
    state: str  # active, expired or revoked
    expires_at: datetime | None
    selection_deadline: datetime | None
    selection_sent: bool
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class Activity:
    """What the clients of one link did over the digest's day."""

    link_id: int
    link_name: str
    shoot_name: str
    favourites: int = 0
    comments: int = 0
    downloads: int = 0
    selections: int = 0

    @property
    def any(self) -> bool:
        return bool(self.favourites or self.comments or self.downloads or self.selections)


@dataclass(frozen=True)
class Email:
    key: str
    kind: str
    to: str
    scope: str  # what an unsubscribe from it stops
    link: LinkFacts | None = None
    days: int | None = None  # a reminder's: how many days before it is sent
    when: datetime | None = None  # a reminder's: the expiry or deadline it is about
    activity: tuple[Activity, ...] = field(default=())


def clean_recipients(emails) -> list[str]:
    """The addresses, checked, lower-cased and without repeats; RecipientError otherwise."""
    if not isinstance(emails, list | tuple):
        raise RecipientError("recipients is a list of email addresses")
    cleaned: list[str] = []
    for email in emails:
        if not isinstance(email, str) or len(email.strip()) > MAX_EMAIL or not _EMAIL.fullmatch(email.strip()):
            shown = email if isinstance(email, str) and len(email) <= 60 else "one of them"
            raise RecipientError(f"not an email address: {shown}")
        if (email := email.strip().lower()) not in cleaned:
            cleaned.append(email)
    if len(cleaned) > MAX_RECIPIENTS:
        raise RecipientError(f"at most {MAX_RECIPIENTS} addresses a link")
    return cleaned


def ready(link: LinkFacts, sent: set[str], unsubscribed: set[tuple[str, str]]) -> list[Email]:
    """"Your gallery is ready" to each of the link's addresses not yet told (nor unsubscribed)."""
    if link.state != "active":
        return []
    scope = link_scope(link.id)
    return [email for to in link.recipients if (scope, to) not in unsubscribed
            for email in [Email(f"{READY}:{link.id}:{to}", READY, to, scope, link)] if email.key not in sent]


def _nearest(now: datetime, when: datetime | None, thresholds: tuple[int, ...]) -> int | None:
    """The smallest threshold (days before `when`) already reached; None before the first or after `when`."""
    if when is None or now >= when:
        return None
    reached = [days for days in thresholds if now >= when - timedelta(days=days)]
    return min(reached) if reached else None


def reminders(now: datetime, link: LinkFacts, sent: set[str], unsubscribed: set[tuple[str, str]]) -> list[Email]:
    if link.state != "active":
        return []
    scope = link_scope(link.id)
    told = [to for to in link.recipients if f"{READY}:{link.id}:{to}" in sent and (scope, to) not in unsubscribed]
    due: list[Email] = []
    for kind, when, thresholds in ((EXPIRY, link.expires_at, EXPIRY_DAYS),
                                   (DEADLINE, None if link.selection_sent else link.selection_deadline, DEADLINE_DAYS)):
        days = _nearest(now, when, thresholds)
        if days is None:
            continue
        for to in told:  # keyed by the date it is about: a new expiry brings its own reminders
            key = f"{kind}:{days}:{link.id}:{to}:{when.isoformat()}"
            if key not in sent:
                due.append(Email(key, kind, to, scope, link, days, when))
    return due


def digest(now: datetime, studio_email: str, activity: list[Activity], sent: set[str],
           unsubscribed: set[tuple[str, str]]) -> Email | None:
    """The studio's digest of the last day, once a day after DIGEST_HOUR, if clients did anything."""
    key = f"{DIGEST}:{now.date().isoformat()}:{studio_email}"
    busy = tuple(a for a in activity if a.any)
    if now.hour < DIGEST_HOUR or key in sent or (DIGEST_SCOPE, studio_email) in unsubscribed or not busy:
        return None
    return Email(key, DIGEST, studio_email, DIGEST_SCOPE, activity=busy)


def due(now: datetime, links: list[LinkFacts], sent: set[str], unsubscribed: set[tuple[str, str]],
        studio_email: str, activity: list[Activity]) -> list[Email]:
    """Everything a tick at `now` is to send: each link's reminders, and the studio's digest."""
    emails = [email for link in links for email in reminders(now, link, sent, unsubscribed)]
    daily = digest(now, studio_email, activity, sent, unsubscribed)
    return emails + ([daily] if daily else [])


def _in_days(now: datetime, when: datetime) -> str:
    days = max(1, -(-(when - now) // timedelta(days=1)))  # rounded up: "in 1 day" until it is over
    return "tomorrow" if days == 1 else f"in {days} days"


def _on(when: datetime) -> str:
    return f"{when:%A} {when.day} {when:%B %Y}, {when:%H:%M} UTC"


def render(email: Email, now: datetime, gallery_url: str) -> tuple[str, str]:
    """The email's subject and text (letters.Mailer signs it and adds its unsubscribe link)."""
    link = email.link
    if email.kind == READY:
        subject = f"Your photos are ready: {link.shoot_name}"
        body = (f"Hello,\n\nYour gallery \"{link.shoot_name}\" is ready. Open it here:\n\n{gallery_url}\n"
                + (f"\nThe link works until {_on(link.expires_at)}.\n" if link.expires_at else "")
                + (f"Please choose your photos by {_on(link.selection_deadline)}.\n" if link.selection_deadline else ""))
    elif email.kind == EXPIRY:
        subject = f"Your gallery closes {_in_days(now, email.when)}: {link.shoot_name}"
        body = (f"Hello,\n\nYour gallery \"{link.shoot_name}\" closes {_in_days(now, email.when)}, on "
                f"{_on(email.when)}. Download or choose what you want to keep before then:\n\n{gallery_url}\n")
    elif email.kind == DEADLINE:
        subject = f"Choose your photos {_in_days(now, email.when)}: {link.shoot_name}"
        body = (f"Hello,\n\nThe selection for \"{link.shoot_name}\" is due {_in_days(now, email.when)}, on "
                f"{_on(email.when)}. Mark your favourites and send your selection here:\n\n{gallery_url}\n")
    else:
        subject = f"Your galleries yesterday: {len(email.activity)} with activity"
        lines = [f"- {a.shoot_name} ({a.link_name}): {a.favourites} favourites, {a.comments} comments, "
                 f"{a.downloads} downloads, {a.selections} selections sent" for a in email.activity]
        body = "What your clients did in the last day:\n\n" + "\n".join(lines) + f"\n\n{gallery_url}\n"
    return subject, body


# --- over the database and SES ------------------------------------------------------------------

def _facts(row) -> tuple[LinkFacts, object]:
    link = links.of_row(row)
    return LinkFacts(link.id, link.name, row["shoot_name"], link.state, link.expires_at, row["selection_deadline"],
                     row["selection_sent"], tuple(row["emails"])), link


def _send(database, mailer: Mailer, email: Email, link, now: datetime) -> bool:
    """Claim the email in the sent-log, then send it; a failed send is released for the next tick."""
    with database.transaction() as conn:
        if not rows.claim(conn, email.key, email.kind, email.link.id if email.link else None, email.to):
            return False  # sent already, by another tick or instance
    gallery = mailer.gallery(link) if link else f"{mailer.base_url.rstrip('/')}/"
    subject, text = render(email, now, gallery)
    if mailer.send(email.to, subject, text, scope=email.scope):
        return True
    with database.transaction() as conn:
        rows.unclaim(conn, email.key)
    return False


def recipients(conn, link_id: int) -> list[str]:
    return rows.recipients(conn, link_id)


def set_recipients(conn, link_id: int, emails) -> list[str]:
    cleaned = clean_recipients(emails)
    rows.set_recipients(conn, link_id, cleaned)
    return cleaned


def sent_to(conn, link_id: int) -> list[dict]:
    return rows.sent_to(conn, link_id)


def send_ready(database, mailer: Mailer, link_id: int, now: datetime) -> list[str]:
    """"Your gallery is ready" to the link's addresses not yet told: the addresses emailed now."""
    with database.transaction() as conn:
        found = rows.links_with_recipients(conn, link_id)
        if not found:
            return []
        facts, link = _facts(found[0])
        sent, unsubscribed = rows.sent(conn, [link_id]), rows.unsubscribed(conn, [link_scope(link_id)])
    return [email.to for email in ready(facts, sent, unsubscribed) if _send(database, mailer, email, link, now)]


def tick(database, mailer: Mailer, now: datetime) -> list[Email]:
    """The schedule's tick: send every email that is due now; the ones sent."""
    with database.transaction() as conn:
        found = [_facts(row) for row in rows.links_with_recipients(conn)]
        ids = [facts.id for facts, _ in found]
        sent = rows.sent(conn, ids)
        unsubscribed = rows.unsubscribed(conn, [link_scope(i) for i in ids] + [DIGEST_SCOPE])
        activity = [Activity(r["id"], r["name"], r["shoot_name"], r["favourites"], r["comments"], r["downloads"],
                             r["selections"]) for r in rows.activity(conn, now - timedelta(days=1))]
    by_id = {facts.id: link for facts, link in found}
    emails = due(now, [facts for facts, _ in found], sent, unsubscribed, mailer.sender, activity)
    return [email for email in emails
            if _send(database, mailer, email, by_id.get(email.link.id) if email.link else None, now)]


def unsubscribe(conn, scope: str, email: str) -> None:
    rows.unsubscribe(conn, scope, email)


def is_unsubscribed(conn, scope: str, email: str) -> bool:
    return (scope, email) in rows.unsubscribed(conn, [scope])
