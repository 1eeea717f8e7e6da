"""The sns_messages table: the SNS message ids received in the last hours (a replay is refused)."""

from __future__ import annotations


def first_time(conn, message_id: str) -> bool:
    """Record a message as received: False when it was received before (a replay). Ids older than
    any message SNS would still deliver (check_fresh refuses those) are forgotten."""
    first = conn.execute("INSERT INTO sns_messages (message_id) VALUES (%s) ON CONFLICT DO NOTHING",
                         (message_id,)).rowcount == 1
    conn.execute("DELETE FROM sns_messages WHERE received_at < now() - interval '2 hours'")
    return first
