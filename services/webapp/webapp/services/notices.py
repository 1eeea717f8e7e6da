"""The studio's emails of its clients' selections: at most one per link every few minutes.

A submission is recorded not yet emailed. Whoever takes the link's turn (the submission itself,
when the link's last selection email is older than EVERY, or the schedule's tick) sends one email
for every submission of the link still waiting. Visitors submitting together, or one link holder
making visitor after visitor, cost the studio's inbox one email per link every EVERY.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from itertools import groupby

from photo_jobs import keys
from webapp.repositories import feedback as rows, lifecycle as email_rows
from webapp.services.letters import Mailer

LOG = logging.getLogger(__name__)
EVERY = timedelta(minutes=5)
SCOPE = "selections"  # what an unsubscribe from these emails stops (services.lifecycle's tokens)


def _who(row: dict) -> str:
    return row["link_name"] if row["main"] and row["visitor"] == row["link_name"] else f"{row['visitor']} ({row['link_name']})"


def render(submissions: list[dict], shoots_url: str) -> tuple[str, str]:
    """The subject and text of one link's selection email, for its submissions waiting (in order)."""
    first = submissions[0]
    shoot = first["shoot_name"]
    if len(submissions) == 1:
        subject = f"{_who(first)} sent a selection of {len(first['photo_keys'])} from {shoot}"
    else:
        subject = f"{len(submissions)} selections sent on {first['link_name']} from {shoot}"
    parts = []
    for row in submissions:
        names = [keys.file_name(key) for key in row["photo_keys"]]
        photos = f"{len(names)} photo{'s' if len(names) != 1 else ''}"
        parts.append(f"{_who(row)} chose {photos} from the shoot {shoot}:\n\n" + "\n".join(names))
    text = ("\n\n".join(parts)
            + f"\n\nExport them for Lightroom from the shoot's page: {shoots_url.rstrip('/')}/{first['shoot_id']}\n")
    return subject, text


def send_due(database, mailer: Mailer, link_id: int | None = None) -> int:
    """Send the selection emails whose turn has come (one link's, or every link's): how many went."""
    with database.transaction() as conn:
        waiting = rows.take_selection_turn(conn, EVERY, link_id)
        stopped = (SCOPE, mailer.sender) in email_rows.unsubscribed(conn, [SCOPE])
    if not waiting or stopped:
        return 0
    sent = 0
    for _, group in groupby(waiting, key=lambda row: row["link_id"]):
        subject, text = render(list(group), f"{mailer.base_url.rstrip('/')}/shoots")
        # at most once: the turn and the submissions are taken before the send, so a failure is logged, not retried
        sent += mailer.send(mailer.sender, subject, text, scope=SCOPE, from_name=f"{mailer.studio_name} galleries")
    return sent
