"""Ticks: the schedule's "time to look" (the lifecycle emails), defined here once. An EventBridge
rule invokes the tick function (the processor image, handler `photo_processor.ticks`), which
publishes a tick on the processor's topic; the web app, which owns the database, hears it as it
hears every event (SNS, signature checked) and sends the emails that are due.

    message: {"schema": 1, "type": "tick", "at": ISO 8601 (UTC)}
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

SCHEMA_VERSION = 1
TYPE = "tick"


def dumps(at: datetime) -> str:
    return json.dumps({"schema": SCHEMA_VERSION, "type": TYPE, "at": at.astimezone(UTC).isoformat(timespec="seconds")})


def of_message(message: str) -> datetime | None:
    """When the tick was made, if the topic's message is a tick; None for any other message.
    ValueError for a tick without a readable time."""
    record = json.loads(message)
    if not isinstance(record, dict) or record.get("type") != TYPE:
        return None
    at = datetime.fromisoformat(record["at"]) if isinstance(record.get("at"), str) else None
    if at is None or at.tzinfo is None:
        raise ValueError("a tick needs its time, with a zone")
    return at
