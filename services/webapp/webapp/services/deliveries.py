"""Deliveries: "Download all" as archives built in S3 by the archiver (photo_jobs.archives), for
a client's gallery (its proofs, or the files its link delivers) and for the studio's own full-size
export of a shoot. The web app never carries the bytes: it asks for an archive, follows its
progress from the archiver's reports, and hands out presigned links to its parts (resumable by
ranges, as any S3 object).

An archive is named by what it holds, so asking again for an unchanged gallery gets the archive
already built (or being built); any change of the gallery names a new one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from photo_jobs import archives
from webapp.adapters import processor
from webapp.repositories import archives as rows, lifecycle as email_rows, photos as photo_rows
from webapp.services import lifecycle, links
from webapp.services.letters import Mailer

STALE = timedelta(minutes=15)  # a build that has said nothing for this long is asked for again


class DeliveryError(ValueError):
    """No archive can be made like that; the message says why."""


@dataclass
class Part:
    name: str
    bytes: int
    entries: int
    key: str = field(repr=False)


@dataclass
class Delivery:
    """An archive as a page sees it."""

    id: str
    title: str
    state: str
    bytes_done: int
    bytes_total: int
    entries: int
    parts: list[Part]
    error: str | None
    rendition: str | None = field(default=None, repr=False)  # what its entries are (None: made before it was kept)

    @classmethod
    def of(cls, row: dict) -> Delivery:
        count = len(row["parts"])
        return cls(row["id"], row["title"], row["state"], row["bytes_done"], row["bytes_total"], row["entries"],
                   [Part(archives.part_name(row["title"], n, count), p["bytes"], p["entries"], p["key"])
                    for n, p in enumerate(row["parts"], 1)], row["error"], row.get("rendition"))


def plan(conn, bucket: str, shoot_id: str, rendition: str, title: str, part_bytes: int) -> archives.Request:
    """What an archive of the shoot's photos at this rendition holds (those that have it, in order)."""
    found = photo_rows.every_with(conn, shoot_id, rendition)
    if not found:
        raise DeliveryError("there is nothing to download yet: no photo is ready")
    outputs = [(row, next(o for o in row["outputs"] if o["name"] == rendition)) for row in found]
    names = archives.unique_names([f"{row['name'].rsplit('.', 1)[0]}.{o['key'].rsplit('.', 1)[-1]}" for row, o in outputs])
    entries = [archives.Entry(o["bucket"], o["key"], name, o["bytes"]) for (row, o), name in zip(outputs, names)]
    archive = archives.archive_id(f"{rendition}\n{title}\n{part_bytes}", [(o["key"], row["shown_job_id"]) for row, o in outputs])
    return archives.Request(archive, bucket, title, entries, part_bytes)


def usable(row: dict, now: datetime) -> bool:
    """Whether an archive's row stands for files that are (or will be) there."""
    age = now - row["updated_at"]
    return (row["state"] == archives.READY and age < archives.KEPT) or (row["state"] == archives.BUILDING and age < STALE)


def ask(database, s3, lambda_client, stack, request: archives.Request, shoot_id: str, rendition: str,
        link_id: int | None = None, role: str | None = None, staff_id: int | None = None,
        email: str | None = None) -> Delivery:
    """The archive of this request (of the shoot's photos at `rendition`): ready already, being
    built, or started now (asynchronously). A link asks as one of its roles (the couple or a
    guest): its email, if any, links back to that address."""
    with database.transaction() as conn:
        row = rows.get(conn, request.archive_id, lock=True)
        fresh = row is not None and usable(row, datetime.now(UTC))
        if not fresh:
            row = rows.start(conn, request.archive_id, shoot_id, request.title, rendition, request.bytes_total,
                             len(request.entries))
        if row["state"] != archives.READY:
            rows.add_request(conn, request.archive_id, link_id, role, staff_id, email)
    if not fresh:
        request_key = f"{archives.status_key(request.archive_id).rsplit('/', 1)[0]}/request.json"
        s3.put_object(Bucket=request.bucket, Key=request_key, Body=request.dumps().encode(), ContentType="application/json")
        processor.build_archive(lambda_client, stack.archiver_name or stack.function_name, request.bucket, request_key)
    return Delivery.of(row)


def building(database, link_id: int) -> int:
    with database.transaction() as conn:
        return rows.building_for_link(conn, link_id)


def get(database, archive_id: str, shoot_id: str) -> Delivery | None:
    with database.transaction() as conn:
        row = rows.get(conn, archive_id)
    if row is None or row["shoot_id"] != shoot_id:
        return None
    if row["state"] == archives.READY and not usable(row, datetime.now(UTC)):
        return None  # its files are gone (or about to be): asking again builds it anew
    return Delivery.of(row)


def reported(database, status: archives.Status) -> tuple[Delivery | None, str | None, list[dict]]:
    """The archiver's report: the archive now, its shoot, and (once ready) the emails to send."""
    with database.transaction() as conn:
        row = rows.update(conn, status.archive_id, status.state, status.bytes_done, status.parts, status.error)
        if row is None:
            return None, None, []
        told = rows.to_tell(conn, status.archive_id) if status.state == archives.READY else []
    return Delivery.of(row), row["shoot_id"], told


def tell(database, mailer: Mailer, delivery: Delivery, shoot_id: str, told: list[dict]) -> None:
    """The emails of those who asked to hear when the archive is ready, each linking back to
    where they asked: a link's address for the role that asked (a guest never gets the couple's),
    or the studio's shoot page. None for a link withdrawn since, or an address unsubscribed from it."""
    files = f"{len(delivery.parts)} ZIP file{'s' if len(delivery.parts) != 1 else ''}"
    for request in told:
        scope = None
        if request["link_id"]:
            scope = lifecycle.link_scope(request["link_id"])
            with database.transaction() as conn:
                link = links.get(conn, None, request["link_id"])
                stopped = (scope, request["email"]) in email_rows.unsubscribed(conn, [scope])
            if link is None or link.state != "active" or stopped:
                continue
            where = mailer.gallery(link, request["role"] or links.GUEST)  # asked before roles were kept: the least
        else:
            where = f"{mailer.base_url.rstrip('/')}/shoots/{shoot_id}"
        mailer.send(request["email"], f"Your photos are ready: {delivery.title}",
                    f"The {delivery.entries} photos of {delivery.title} are ready to download, as {files}:\n\n{where}\n",
                    scope=scope)


def of_record(message: str) -> archives.Status | None:
    """An archiver's report, if the topic's message is one."""
    record = json.loads(message)
    return archives.Status.of(record) if isinstance(record, dict) and record.get("type") == archives.TYPE else None


def asked_by_link(database, archive_id: str, link_id: int) -> bool:
    with database.transaction() as conn:
        return rows.requested_by_link(conn, archive_id, link_id)


def links_asking(database, archive_id: str) -> list[int]:
    with database.transaction() as conn:
        return rows.links_of(conn, archive_id)
