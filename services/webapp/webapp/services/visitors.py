"""Visitors of a link and its proofing rules.

A visitor is a person who opened a link, bound to their browser's gallery session: the couple
(the link's main client, by the link's own address) or a guest (by its guests' address). A link
may ask each visitor's name and email on first open; without that, the couple is the link's main
visitor and guests are asked anyway (their favourites need a name). Each visitor has their own
favourites, comments and selection; what they do is logged for the studio.

Proofing rules are pure functions of the link's rules, a visitor's count and the time: how many
are left to choose, whether one more favourite is allowed, whether a selection may be submitted.
A submitted selection is locked (no favourite changes) until the studio reopens it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from webapp.repositories import visitors as rows
from webapp.services.links import COUPLE, GUEST, Link

MAX_NAME, MAX_EMAIL = 80, 200
MAX_VISITORS = 500  # per link: each one is a row and their favourites; a link is one family's, not a crowd's
VIEW_EVERY = timedelta(minutes=30)  # a visit is one "viewed" line, however many pages it loads
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]+\.[^@\s]+")


class VisitorError(ValueError):
    """Not a visitor's name or email, or not allowed now; the message says why."""


class ProofingError(ValueError):
    """A favourite or a submission the link's rules refuse; the message says why, to the client."""


@dataclass(frozen=True)
class Visitor:
    id: int
    link_id: int
    name: str
    email: str | None
    role: str
    main: bool
    submitted_at: datetime | None
    created_at: datetime

    @property
    def locked(self) -> bool:
        return self.submitted_at is not None

    @classmethod
    def of(cls, row: dict | None) -> Visitor | None:
        if row is None:
            return None
        return cls(row["id"], row["link_id"], row["name"], row["email"], row["role"], row["main"],
                   row["submitted_at"], row["created_at"])


def clean_name(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise VisitorError("tell us your name")
    name = " ".join(name.split())
    if len(name) > MAX_NAME or _CONTROL.search(name):
        raise VisitorError(f"a name is one line of at most {MAX_NAME} characters")
    return name


def clean_email(email) -> str:
    email = email.strip() if isinstance(email, str) else ""
    if len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email) or _CONTROL.search(email):
        raise VisitorError("that does not look like an email address")
    return email


def download(link: Link, role: str) -> str | None:
    """The rendition a visitor's downloads hand out, or None: the couple has the link's downloads,
    guests only where the link lets them."""
    if role == GUEST and link.guests != "download":
        return None
    return link.download


def needs_name(link: Link, role: str) -> bool:
    """Whether a new visitor in this role is asked who they are before the gallery opens."""
    return link.ask_visitors or role == GUEST


# --- proofing rules (pure) ----------------------------------------------------------------------

def left(link: Link, chosen: int) -> dict:
    """What the client sees of the rules: how many to choose, how many chosen, how many more."""
    return {"min": link.min_selection, "max": link.max_selection,
            "deadline": link.selection_deadline.isoformat() if link.selection_deadline else None,
            "chosen": chosen,
            "to_reach_min": max(0, (link.min_selection or 0) - chosen),
            "left_to_max": None if link.max_selection is None else max(0, link.max_selection - chosen)}


def may_favourite(link: Link, visitor: Visitor, chosen: int, on: bool) -> None:
    """ProofingError when this favourite change is refused: a locked selection, or one too many."""
    if visitor.locked:
        raise ProofingError("Your selection is submitted, so it is locked: ask the studio to reopen it to change it.")
    if on and link.max_selection is not None and chosen >= link.max_selection:
        raise ProofingError(f"You can choose at most {link.max_selection} photos: remove a favourite to choose "
                            "another one.")


def may_submit(link: Link, visitor: Visitor, chosen: int, now: datetime | None = None) -> None:
    """ProofingError unless the selection may be submitted now: min <= chosen <= max, before the deadline."""
    now = now or datetime.now(UTC)
    if visitor.locked:
        raise ProofingError("Your selection is submitted already: ask the studio to reopen it to change it.")
    if link.selection_deadline is not None and now > link.selection_deadline:
        raise ProofingError("The deadline for choosing has passed: ask the studio to extend it.")
    minimum = link.min_selection or 1
    if chosen < minimum:
        raise ProofingError("Choose some favourites first: your selection is your favourites." if chosen == 0 else
                            f"Choose at least {minimum} photos: {minimum - chosen} more to go.")
    if link.max_selection is not None and chosen > link.max_selection:
        raise ProofingError(f"Choose at most {link.max_selection} photos: remove {chosen - link.max_selection}.")


# --- visitors in the database -------------------------------------------------------------------

def main(conn, link: Link) -> Visitor:
    return Visitor.of(rows.main_of(conn, link.id))


def arrive(conn, link: Link, role: str, name, email) -> Visitor:
    """A new visitor says who they are: the first couple names the link's main visitor (whose
    favourites came before names), later ones are visitors of their own."""
    name, email = clean_name(name), clean_email(email)
    if role == COUPLE and (claimed := rows.claim_main(conn, link.id, name, email)):
        return Visitor.of(claimed)
    if rows.count(conn, link.id) >= MAX_VISITORS:
        raise VisitorError("this gallery has as many visitors as it can take: ask the studio")
    return Visitor.of(rows.insert(conn, link.id, name, email, role))


def get(conn, link: Link, visitor_id: int, lock: bool = False) -> Visitor | None:
    return Visitor.of(rows.get(conn, link.id, visitor_id, lock))


def of_link(conn, link_id: int) -> list[dict]:
    return rows.of_link(conn, link_id)


def submitted(conn, visitor: Visitor, on: bool) -> Visitor:
    return Visitor.of(rows.set_submitted(conn, visitor.id, on))


def log(conn, visitor: Visitor, action: str, key: str | None = None) -> None:
    rows.log(conn, visitor.link_id, visitor.id, action, key)


def viewed(conn, visitor: Visitor) -> None:
    rows.seen(conn, visitor.id)
    rows.log_once(conn, visitor.link_id, visitor.id, "viewed", VIEW_EVERY)


def activity(conn, link_id: int, limit: int, before: int | None = None) -> list[dict]:
    return rows.activity(conn, link_id, limit, before)
