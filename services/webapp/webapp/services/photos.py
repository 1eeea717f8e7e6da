"""Photos as rows: the rules of the projection, and the photo as pages and the API see it.

A row follows what S3 holds (the key's current version names the job the row waits for) and what
the processor said of that job (its record, carried whole by its event). Three things move a row:

- `known`: S3's current version of the key (an upload completed, an edit made a new version, or
  an event named a job the row did not expect): a new version resets the row to processing and
  keeps the renditions it had on offer, so the old look stays visible until the new one is ready;
- `finished`: the record of the row's own job: processed (its renditions on offer) or failed;
- nothing else: a record of another job (an earlier version's, late) changes nothing, and the
  same record twice changes nothing twice.

So events may come twice and in any order: a record that arrives before the row knows its version
makes the service ask S3 which version is current (one HEAD) and then apply it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from photo_jobs import keys, records, spec as edit_spec
from photo_jobs.aws import read_job_record
from webapp.adapters import queue, storage
from webapp.adapters.storage import Version
from webapp.repositories import photos as rows

PROCESSING, PROCESSED, FAILED = records.PROCESSING, records.PROCESSED, records.FAILED


def folder_of(upload_prefix: str, key: str) -> str:
    """The folder under the upload prefix that holds the key ('' for a photo straight under it)."""
    inside = key[len(upload_prefix):]
    return inside.split("/", 1)[0] if "/" in inside else ""


def path_in(upload_prefix: str, key: str) -> str:
    inside = key[len(upload_prefix):]
    folder = folder_of(upload_prefix, key)
    return inside[len(folder) + 1:] if folder else inside


def sort_name(name: str) -> str:
    """File-name order as a photographer reads it, as text the database sorts: IMG_2 before IMG_10."""
    return re.sub(r"\d+", lambda m: m[0].lstrip("0").rjust(12, "0") if len(m[0]) <= 12 else m[0], name.lower())


def known(row: dict | None, current: Version, upload_prefix: str) -> dict:
    """The row once the key's current version is known. A version older than the row's is not
    news: it is what S3 said before the row learnt of a newer one (a HEAD that raced an edit)."""
    job_id = keys.job_id(current.key, current.version)
    if row is not None and (row["version"] == current.version or current.uploaded_at < row["uploaded_at"]):
        return row  # already this version (its job may be done), or a later one: nothing to learn
    name = keys.file_name(current.key)
    earlier = row if row is not None and row["status"] == PROCESSED else None
    return {"key": current.key, "folder": folder_of(upload_prefix, current.key), "path": path_in(upload_prefix, current.key),
            "name": name, "sort_name": sort_name(name), "size": current.size, "uploaded_at": current.uploaded_at,
            "version": current.version, "job_id": job_id, "status": PROCESSING, "error": None,
            "spec": row["spec"] if row else None,
            "outputs": earlier["outputs"] if earlier else [], "shown_job_id": earlier["job_id"] if earlier else None}


def finished(row: dict, record: dict) -> dict | None:
    """The row once its job's record is known; None when the record is of another job."""
    if record["job_id"] != row["job_id"]:
        return None
    processed = record["type"] == PROCESSED
    return {**row, "status": record["type"], "error": record.get("error"), "spec": record.get("spec"),
            "outputs": record["outputs"] if processed else [], "shown_job_id": record["job_id"] if processed else None}


@dataclass
class Photo:
    """A photo as the studio's pages and API see it (routes/photos.PhotoOut serialises it): no
    bucket names, no keys of renditions, no URLs."""

    key: str
    shoot: str  # the folder: the shoot's id, or Unsorted's
    path: str
    name: str
    size: int
    uploaded_at: datetime
    version: str
    job_id: str
    status: str
    error: dict | None
    outputs: list[dict] = field(repr=False)
    shown_job_id: str | None
    spec: dict | None
    favourites: int = 0

    @classmethod
    def of(cls, row: dict, shoot: str | None = None) -> Photo:
        return cls(row["key"], shoot or row["folder"], row["path"], row["name"], row["size"], row["uploaded_at"],
                   row["version"], row["job_id"], row["status"], row["error"], row["outputs"] or [], row["shown_job_id"], row["spec"],
                   row.get("favourites", 0))

    def output(self, name: str) -> dict | None:
        return next((o for o in self.outputs if o["name"] == name), None)

    @property
    def renditions(self) -> list[str]:
        return [o["name"] for o in self.outputs]

    @property
    def width(self) -> int | None:
        full = self.output("full")
        return full["width"] if full else None

    @property
    def height(self) -> int | None:
        full = self.output("full")
        return full["height"] if full else None

    @property
    def outdated(self) -> bool:
        """The renditions on offer are an earlier edit's, until this one's are done."""
        return bool(self.outputs) and self.shown_job_id != self.job_id

    @property
    def preset(self) -> str | None:
        return self.spec.get("preset") if isinstance(self.spec, dict) else None

    @property
    def look(self) -> str | None:
        return edit_spec.PRESETS[self.preset][0] if self.preset in edit_spec.PRESETS else None

    @property
    def state(self) -> str:
        """What a page shows: processing while an earlier look stands in for the new one."""
        return PROCESSING if self.outdated else self.status


# --- the projection, with its database and S3 ----------------------------------------------------

def sync(database, s3, stack, key: str) -> dict | None:
    """Bring a photo's row to the key's current version in S3 (after an upload or an edit, or
    for an event the row did not expect); None, and no row, when the key holds nothing."""
    now = storage.current(s3, stack.source_bucket, key)
    with database.transaction() as conn:
        row = rows.get(conn, key, lock=True)
        if now is None:
            if row is not None:
                rows.delete(conn, key)
            return None
        updated = known(row, now, stack.upload_prefix)
        if updated is not row:
            rows.put(conn, updated)
        return updated


def recorded(database, s3, stack, record: dict) -> dict | None:
    """A job's record (the processor's event): the row of its photo once it is applied."""
    key = record["source"]["key"]
    with database.transaction() as conn:
        row = rows.get(conn, key, lock=True)
        done = finished(row, record) if row is not None else None
        if done is not None:
            if done != row:
                rows.put(conn, done)
            return done
    synced = sync(database, s3, stack, key)  # a job the row did not expect: which version is current?
    if synced is None:
        return None
    with database.transaction() as conn:
        row = rows.get(conn, key, lock=True)
        done = finished(row, record) if row is not None else None
        if done is not None and done != row:
            rows.put(conn, done)
        return done or row


def versioned(database, stack, version: Version) -> dict:
    """A new version the app made itself (an edit, a completed upload): its row, no HEAD needed."""
    with database.transaction() as conn:
        row = rows.get(conn, version.key, lock=True)
        updated = known(row, version, stack.upload_prefix)
        if updated is not row:
            rows.put(conn, updated)
        return updated


# A row processing this long is asked of S3 at the next tick: its job's event may have been lost
# on the way (an HTTP delivery refused or timed out), and no page may wait for it forever.
SETTLE_AFTER = timedelta(minutes=5)
SETTLE_AT_ONCE = 200


def settle(database, s3, stack) -> list[dict]:
    """The rows that waited long for their job, brought to what its record in S3 says (the source
    of truth), if it has one by now; the rows that changed."""
    with database.transaction() as conn:
        stale = rows.waiting(conn, SETTLE_AFTER, SETTLE_AT_ONCE)
    changed = []
    for row in stale:
        record = read_job_record(s3, stack, row["key"], row["job_id"])
        if record is not None and (settled := recorded(database, s3, stack, record)) is not None \
                and settled["status"] != PROCESSING:
            changed.append(settled)
    return changed


class NotRetried(ValueError):
    """A photo that trying again cannot help; the message says why."""


def retry(database, s3, sqs, stack, photo: Photo) -> None:
    """Run a photo's job again (Try again): for one that gave up after failing for reasons outside
    the photo, or one still waiting. A record that says "given up" is deleted, so that the job is
    done anew, and the row waits for it; the upload's notification goes to the queue again."""
    if photo.status == records.PROCESSED:
        raise NotRetried(f"{photo.name} is processed; apply an edit to make a new version")
    if photo.status == records.FAILED and photo.error["reason"] != records.GAVE_UP:
        raise NotRetried(f"{photo.name} failed for good ({photo.error['reason']}): trying again cannot help")
    if photo.status == records.FAILED:
        storage.delete(s3, stack.processed_bucket, keys.job_record_key(photo.key, photo.job_id))
        with database.transaction() as conn:
            row = rows.get(conn, photo.key, lock=True)
            if row is not None:
                rows.put(conn, {**row, "status": PROCESSING, "error": None})
    queue.redrive(sqs, stack.queue_url, stack.source_bucket, photo.key, photo.version)


@dataclass
class Difference:
    missing: list[str] = field(default_factory=list)  # in S3, not in the table
    extra: list[str] = field(default_factory=list)  # in the table, not in S3
    changed: list[str] = field(default_factory=list)  # both, told apart

    @property
    def total(self) -> int:
        return len(self.missing) + len(self.extra) + len(self.changed)


COMPARED = ("version", "job_id", "status", "error", "outputs", "shown_job_id", "size", "folder", "path")


def from_catalog(found, upload_prefix: str) -> dict:
    """The row a photo read from S3 alone (adapters.catalog) comes to: its current version, then its
    job's record, or the newest earlier result still on offer while it runs."""
    row = known(None, Version(found.key, found.size, found.uploaded_at, found.version), upload_prefix)
    if found.earlier is not None:
        row = {**row, "outputs": found.earlier["outputs"], "shown_job_id": found.earlier["job_id"],
               "spec": found.earlier.get("spec")}
    if found.record is not None:
        row = finished(row, found.record) or row
    return row


def rebuild(database, s3, stack, catalog, repair: bool) -> Difference:
    """Compare every row with what S3's records say (they are the source of truth); with `repair`,
    make the table say it too. Returns the difference found."""
    with database.transaction() as conn:
        started = conn.execute("SELECT now() AS at").fetchone()["at"]  # rows changed after this are newer than S3's read
    truth = {}
    for folder in catalog.folders(s3, stack):
        for found in catalog.folder(s3, stack, folder, f"{stack.upload_prefix}{folder}/"):
            truth[found.key] = from_catalog(found, stack.upload_prefix)
    for found in catalog.loose(s3, stack):
        truth[found.key] = from_catalog(found, stack.upload_prefix)
    with database.transaction() as conn:
        held = {row["key"]: row for row in rows.all_rows(conn)}
        difference = Difference(
            missing=sorted(set(truth) - set(held)), extra=sorted(set(held) - set(truth)),
            changed=sorted(k for k in set(truth) & set(held) if any(truth[k][c] != held[k][c] for c in COMPARED)))
        if repair:
            meanwhile = {key for key, row in held.items() if row["updated_at"] > started}  # events since: left as they are
            for key in difference.missing + difference.changed:
                if key not in meanwhile:
                    rows.put(conn, truth[key])
            for key in difference.extra:
                if key not in meanwhile:
                    rows.delete(conn, key)
            rows.mark_built(conn)
    return difference


def build_once_in_the_background(database, stacks, catalog) -> None:
    """The first start of this version on a deployment that has photos builds their rows from S3,
    once, whichever instance gets there first (until then, pages show what the rows hold)."""
    import logging
    import threading

    from photo_jobs.aws import client

    def build():
        try:
            with database.transaction() as conn:
                if not conn.execute("SELECT pg_try_advisory_lock(%s) AS got", (PROJECTION_LOCK,)).fetchone()["got"]:
                    return
                try:
                    if rows.built_at(conn) is not None:
                        return
                    current = stacks.current()
                    if not current.deployed:
                        return
                    found = rebuild(database, client("s3", current), current, catalog, repair=True)
                    logging.getLogger(__name__).info("built the photos' rows from S3: %d added", len(found.missing))
                finally:
                    conn.execute("SELECT pg_advisory_unlock(%s)", (PROJECTION_LOCK,))
        except Exception:  # noqa: BLE001 - `vividart-admin photos rebuild` does the same by hand
            logging.getLogger(__name__).exception("could not build the photos' rows from S3")

    threading.Thread(target=build, daemon=True, name="photos-build").start()


PROJECTION_LOCK = 727_002  # pg_advisory_lock key: one instance builds the rows
