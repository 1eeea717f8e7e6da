"""What the schedule's tick does (EventBridge invokes the tick function, which publishes a tick on
the events topic; every instance hears it on /sns, and what it does is safe to do twice): the
lifecycle emails due, the selection emails still waiting for their link's turn, the photos whose
job's event never arrived (settled from S3's records), and the housekeeping of counters that
would otherwise only grow."""

from __future__ import annotations

from datetime import datetime

from webapp.services import lifecycle, notices, photos
from webapp.services.letters import Mailer


def tick(database, mailer: Mailer, now: datetime, limits_storage) -> int:
    """The emails due at `now`: how many went. `limits_storage`: the rate limits'
    (ratelimits.PostgresStorage), whose passed windows are deleted."""
    sent = len(lifecycle.tick(database, mailer, now)) + notices.send_due(database, mailer)
    limits_storage.forget_expired()
    return sent


def settle(database, s3, stack) -> list[dict]:
    """The photos that waited long for their job's event, from S3's records: their new rows."""
    return photos.settle(database, s3, stack)
