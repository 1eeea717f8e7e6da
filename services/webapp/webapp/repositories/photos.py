"""The photos table: each photo's current state (see migrations/0004_photos.sql), written by
services.photos from uploads, edits and the processor's events; pages read it one query a page.

A page is ordered by (sort_name, key) and continues after a cursor, the last row's pair: a photo
added or changed meanwhile never shifts the pages already read (no OFFSET).
"""

from __future__ import annotations

from psycopg import sql
from psycopg.types.json import Jsonb

COLUMNS = ("key", "folder", "path", "name", "sort_name", "size", "uploaded_at", "version", "job_id", "status", "error",
           "spec", "outputs", "shown_job_id")
STATES = ("processing", "processed", "failed")


def get(conn, key: str, lock: bool = False) -> dict | None:
    """The row; with `lock`, held until the transaction ends (two changes of one photo wait in turn)."""
    if lock:
        return conn.execute("SELECT * FROM photos WHERE key = %s FOR UPDATE", (key,)).fetchone()
    return conn.execute("SELECT * FROM photos WHERE key = %s", (key,)).fetchone()


def get_many(conn, keys: list[str]) -> list[dict]:
    return conn.execute("SELECT * FROM photos WHERE key = ANY(%s)", (keys,)).fetchall()


def put(conn, row: dict) -> None:
    """Write the row as it is (insert or replace)."""
    values = [Jsonb(row[c]) if c in ("error", "spec", "outputs") and row[c] is not None else row[c] for c in COLUMNS]
    updates = sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in COLUMNS[1:])
    conn.execute(sql.SQL("INSERT INTO photos ({}) VALUES ({}) ON CONFLICT (key) DO UPDATE SET {}, updated_at = now()")
                 .format(sql.SQL(", ").join(map(sql.Identifier, COLUMNS)), sql.SQL(", ").join(sql.Placeholder() * len(COLUMNS)),
                         updates), values)


def delete(conn, key: str) -> None:
    conn.execute("DELETE FROM photos WHERE key = %s", (key,))


def _scope(folder: str | None) -> tuple[sql.Composable, list]:
    """A shoot's folder; or Unsorted (folder None): photos in no shoot's folder, or loose."""
    if folder is not None:
        return sql.SQL("p.folder = %s"), [folder]
    return sql.SQL("NOT EXISTS (SELECT 1 FROM shoots s WHERE s.id = p.folder)"), []


def page(conn, folder: str | None, limit: int, after: tuple[str, str] | None = None, status: str | None = None,
         favourites_only: bool = False, ready_with: str | None = None, chosen_by: int | None = None,
         counted: bool = True) -> list[dict]:
    """Up to `limit` photos of a folder (None: Unsorted) after the cursor, in order, each with how
    many of the shoot's links chose it. `status` keeps one state (processing also counts a photo
    showing an earlier look while its new one is made); `favourites_only` keeps those a link chose;
    `ready_with` keeps those with that rendition on offer (what a client's gallery shows);
    `chosen_by` keeps the favourites of that visitor; `counted`: with the links' favourites counted
    (the studio's view; a client's gallery never shows them, and is spared the count)."""
    where, params = _scope(folder)
    clauses = [where]
    if after is not None:
        clauses.append(sql.SQL("(p.sort_name, p.key) > (%s, %s)"))
        params += list(after)
    if status == "processing":
        clauses.append(sql.SQL("(p.status = 'processing' OR (p.shown_job_id IS NOT NULL AND p.shown_job_id <> p.job_id))"))
    elif status == "processed":
        clauses.append(sql.SQL("p.status = 'processed' AND p.shown_job_id = p.job_id"))
    elif status is not None:
        clauses.append(sql.SQL("p.status = %s"))
        params.append(status)
    if favourites_only:
        clauses.append(sql.SQL("f.chosen > 0"))
    if ready_with is not None:
        clauses.append(sql.SQL("p.outputs @> %s"))
        params.append(Jsonb([{"name": ready_with}]))
    if chosen_by is not None:
        clauses.append(sql.SQL("EXISTS (SELECT 1 FROM favourites c WHERE c.visitor_id = %s AND c.photo_key = p.key)"))
        params.append(chosen_by)
    if not counted and not favourites_only:
        query = sql.SQL("SELECT p.*, 0 AS favourites FROM photos p WHERE {} ORDER BY p.sort_name, p.key LIMIT %s")
        return conn.execute(query.format(sql.SQL(" AND ").join(clauses)), [*params, limit]).fetchall()
    query = sql.SQL(
        "SELECT p.*, coalesce(f.chosen, 0) AS favourites FROM photos p LEFT JOIN ("
        "  SELECT fv.photo_key, count(*) AS chosen FROM favourites fv JOIN share_links l ON l.id = fv.link_id"
        "  WHERE l.shoot_id = %s GROUP BY fv.photo_key) f ON f.photo_key = p.key "
        "WHERE {} ORDER BY p.sort_name, p.key LIMIT %s").format(sql.SQL(" AND ").join(clauses))
    return conn.execute(query, [folder or "", *params, limit]).fetchall()


def favourite_count(conn, shoot_id: str, key: str) -> int:
    """How many of the shoot's links chose the photo."""
    return conn.execute("SELECT count(*) AS n FROM favourites f JOIN share_links l ON l.id = f.link_id "
                        "WHERE l.shoot_id = %s AND f.photo_key = %s", (shoot_id, key)).fetchone()["n"]


def counts(conn, folders: list[str] | None = None) -> dict[str, dict[str, int]]:
    """{folder: {photos, processed, processing, failed}} for the given folders (or every folder);
    a photo showing an earlier look while its new one is made counts as processing."""
    rows = conn.execute(
        "SELECT folder, count(*) AS photos, "
        "count(*) FILTER (WHERE status = 'processed' AND shown_job_id = job_id) AS processed, "
        "count(*) FILTER (WHERE status = 'failed') AS failed FROM photos "
        "WHERE %s::text[] IS NULL OR folder = ANY(%s) GROUP BY folder", (folders, folders)).fetchall()
    return {r["folder"]: {"photos": r["photos"], "processed": r["processed"], "failed": r["failed"],
                          "processing": r["photos"] - r["processed"] - r["failed"]} for r in rows}


def unsorted_counts(conn) -> dict[str, int]:
    row = conn.execute(
        "SELECT count(*) AS photos, count(*) FILTER (WHERE status = 'processed' AND shown_job_id = job_id) AS processed, "
        "count(*) FILTER (WHERE status = 'failed') AS failed FROM photos p "
        "WHERE NOT EXISTS (SELECT 1 FROM shoots s WHERE s.id = p.folder)").fetchone()
    return {**row, "processing": row["photos"] - row["processed"] - row["failed"]}


def keys_in(conn, folder: str | None) -> list[str]:
    """Every key of a folder (None: Unsorted), in order: what "apply to the whole shoot" edits."""
    where, params = _scope(folder)
    return [r["key"] for r in conn.execute(sql.SQL("SELECT key FROM photos p WHERE {} ORDER BY sort_name, key")
                                           .format(where), params)]


def every_with(conn, folder: str, rendition: str) -> list[dict]:
    """Every photo of a folder with that rendition on offer, in order (an archive's entries)."""
    return conn.execute("SELECT * FROM photos WHERE folder = %s AND outputs @> %s ORDER BY sort_name, key",
                        (folder, Jsonb([{"name": rendition}]))).fetchall()


def waiting(conn, longer_than, limit: int) -> list[dict]:
    """Rows still processing, last changed longer ago than `longer_than` (a timedelta): oldest first."""
    return conn.execute("SELECT * FROM photos WHERE status = 'processing' AND updated_at < now() - %s "
                        "ORDER BY updated_at LIMIT %s", (longer_than, limit)).fetchall()


def all_rows(conn) -> list[dict]:
    return conn.execute("SELECT * FROM photos ORDER BY key").fetchall()


def built_at(conn, name: str = "photos"):
    row = conn.execute("SELECT built_at FROM projections WHERE name = %s", (name,)).fetchone()
    return row["built_at"] if row else None


def mark_built(conn, name: str = "photos") -> None:
    conn.execute("INSERT INTO projections (name, built_at) VALUES (%s, now()) "
                 "ON CONFLICT (name) DO UPDATE SET built_at = now()", (name,))
