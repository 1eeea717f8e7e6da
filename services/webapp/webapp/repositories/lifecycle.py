"""The link_recipients, lifecycle_emails (the sent-log) and email_unsubscribes tables, and what
the lifecycle emails read of links and feedback."""

from __future__ import annotations

from datetime import datetime


def recipients(conn, link_id: int) -> list[str]:
    return [row["email"] for row in conn.execute(
        "SELECT email FROM link_recipients WHERE link_id = %s ORDER BY added_at, email", (link_id,))]


def set_recipients(conn, link_id: int, emails: list[str]) -> None:
    conn.execute("DELETE FROM link_recipients WHERE link_id = %s AND NOT (email = ANY(%s))", (link_id, emails))
    for email in emails:
        conn.execute("INSERT INTO link_recipients (link_id, email) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                     (link_id, email))


def links_with_recipients(conn, link_id: int | None = None) -> list[dict]:
    """Links that have addresses (one, or all), with their shoot's name, addresses and whether the
    couple's selection is submitted (a reopened one is not: its reminders start again)."""
    return conn.execute(
        "SELECT l.*, s.name AS shoot_name, "
        "array(SELECT r.email FROM link_recipients r WHERE r.link_id = l.id ORDER BY r.added_at, r.email) AS emails, "
        "EXISTS (SELECT 1 FROM visitors v WHERE v.link_id = l.id AND v.main AND v.submitted_at IS NOT NULL) AS selection_sent "
        "FROM share_links l JOIN shoots s ON s.id = l.shoot_id "
        "WHERE EXISTS (SELECT 1 FROM link_recipients r WHERE r.link_id = l.id) AND (%s::bigint IS NULL OR l.id = %s) "
        "ORDER BY l.id", (link_id, link_id)).fetchall()


def sent(conn, link_ids: list[int]) -> set[str]:
    """The sent-log's keys for these links, and the digests."""
    return {row["key"] for row in conn.execute(
        "SELECT key FROM lifecycle_emails WHERE link_id = ANY(%s) OR kind = 'digest'", (link_ids,))}


def claim(conn, key: str, kind: str, link_id: int | None, recipient: str) -> bool:
    """Record an email as sent, before it is: False when it was already (here or by another instance)."""
    return conn.execute("INSERT INTO lifecycle_emails (key, kind, link_id, recipient) VALUES (%s, %s, %s, %s) "
                        "ON CONFLICT DO NOTHING", (key, kind, link_id, recipient)).rowcount == 1


def unclaim(conn, key: str) -> None:
    """The email could not be sent: the next tick tries again."""
    conn.execute("DELETE FROM lifecycle_emails WHERE key = %s", (key,))


def sent_to(conn, link_id: int) -> list[dict]:
    return conn.execute("SELECT kind, recipient, sent_at FROM lifecycle_emails WHERE link_id = %s ORDER BY sent_at",
                        (link_id,)).fetchall()


def unsubscribed(conn, scopes: list[str]) -> set[tuple[str, str]]:
    return {(row["scope"], row["email"]) for row in conn.execute(
        "SELECT scope, email FROM email_unsubscribes WHERE scope = ANY(%s)", (scopes,))}


def unsubscribe(conn, scope: str, email: str) -> None:
    conn.execute("INSERT INTO email_unsubscribes (scope, email) VALUES (%s, %s) ON CONFLICT DO NOTHING", (scope, email))


def activity(conn, since: datetime) -> list[dict]:
    """Per link, what its clients did since then: favourites, comments, downloads (Download all), selections."""
    return conn.execute(
        "SELECT l.id, l.name, s.name AS shoot_name, "
        "(SELECT count(*) FROM favourites f WHERE f.link_id = l.id AND f.created_at >= %(since)s) AS favourites, "
        "(SELECT count(*) FROM comments c WHERE c.link_id = l.id AND c.created_at >= %(since)s) AS comments, "
        "(SELECT count(*) FROM archive_requests a WHERE a.link_id = l.id AND a.requested_at >= %(since)s) AS downloads, "
        "(SELECT count(*) FROM selections x WHERE x.link_id = l.id AND x.sent_at >= %(since)s) AS selections "
        "FROM share_links l JOIN shoots s ON s.id = l.shoot_id WHERE l.revoked_at IS NULL "
        "AND (l.expires_at IS NULL OR l.expires_at > %(since)s) ORDER BY l.id", {"since": since}).fetchall()


def told(conn, link_id: int) -> list[str]:
    """The addresses "your gallery is ready" went to."""
    return [row["recipient"] for row in conn.execute(
        "SELECT recipient FROM lifecycle_emails WHERE link_id = %s AND kind = 'ready' ORDER BY sent_at", (link_id,))]
