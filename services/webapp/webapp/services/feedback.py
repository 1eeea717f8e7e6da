"""What visitors say through their links: favourites, comments, and the selection they submit.

Each visitor has their own favourites and comments. Submitting a selection checks the link's
proofing rules (services.visitors), records the favourites as they are, locks them until the
studio reopens the selection, and emails the studio once: one email per submission, however
many favourites came before it.
"""

from __future__ import annotations

import re

from webapp.repositories import feedback as rows
from webapp.services import visitors
from webapp.services.links import Link
from webapp.services.visitors import Visitor

MAX_COMMENT = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class FeedbackError(ValueError):
    """Not something a client can say; the message says why."""


def favourites(conn, visitor_id: int) -> list[str]:
    return rows.favourites(conn, visitor_id)


def set_favourite(conn, link: Link, visitor: Visitor, key: str, on: bool) -> int:
    """Mark or unmark, as the link's rules allow (visitors.ProofingError otherwise); how many
    favourites the visitor has now. Changes of one visitor's favourites go one at a time (the
    visitor's row is locked), so requests sent together cannot pass the maximum."""
    current = visitors.get(conn, link, visitor.id, lock=True)
    chosen = rows.count_favourites(conn, visitor.id)
    visitors.may_favourite(link, current, chosen, on)
    if rows.set_favourite(conn, link.id, visitor.id, key, on):
        visitors.log(conn, visitor, "favourited" if on else "unfavourited", key)
        chosen += 1 if on else -1
    return chosen


def add_comment(conn, visitor: Visitor, key: str, body: str) -> dict:
    body = body.strip() if isinstance(body, str) else ""
    if not body or len(body) > MAX_COMMENT or _CONTROL.search(body):
        raise FeedbackError(f"a comment is 1 to {MAX_COMMENT} characters of text")
    made = _comment(rows.add_comment(conn, visitor.link_id, visitor.id, key, body) | {"visitor": visitor.name})
    visitors.log(conn, visitor, "commented", key)
    return made


def _comment(row) -> dict:
    return {"id": row["id"], "key": row["photo_key"], "body": row["body"], "created_at": row["created_at"].isoformat(),
            "visitor_id": row["visitor_id"], "visitor": row["visitor"]}


def comments(conn, link_id: int, keys: list[str] | None = None, visitor_id: int | None = None) -> list[dict]:
    return [_comment(row) for row in rows.comments(conn, link_id, keys, visitor_id)]


def submit(conn, link: Link, visitor: Visitor) -> dict:
    """The visitor's favourites, submitted as their selection and locked (visitors.ProofingError
    when the rules refuse it). The caller emails the studio: once per submission."""
    current = visitors.get(conn, link, visitor.id, lock=True)
    keys = rows.favourites(conn, visitor.id)
    visitors.may_submit(link, current, len(keys))
    sent = _selection(rows.insert_selection(conn, link.id, visitor.id, keys) | {"visitor": visitor.name})
    visitors.submitted(conn, current, True)
    visitors.log(conn, visitor, "submitted")
    return sent


def _selection(row) -> dict:
    return {"id": row["id"], "keys": row["photo_keys"], "sent_at": row["sent_at"].isoformat(),
            "updated_at": row["updated_at"].isoformat(), "visitor_id": row["visitor_id"], "visitor": row["visitor"]}


def selections(conn, link_id: int) -> list[dict]:
    return [_selection(row) for row in rows.selections(conn, link_id)]


def picks(conn, link_id: int) -> dict[int, list[str]]:
    """Each visitor's favourites on the link, by visitor id."""
    chosen: dict[int, list[str]] = {}
    for row in rows.favourites_of_link(conn, link_id):
        chosen.setdefault(row["visitor_id"], []).append(row["photo_key"])
    return chosen


def counts(conn, link_id: int) -> dict[str, int]:
    return rows.counts(conn, link_id)
