"""Archives: a gallery's photos (or a shoot's full-size files) as ZIP files built in S3, never through
the web app. Defined here once: the web app asks for one (`Request`), the archiver (the processor
image, a function of its own with a long timeout) builds it and reports (`Status`), in S3 and as
an event on the processor's topic; the web app hands out presigned links to its parts.

An archive is named by what it holds (`archive_id`: each entry's rendition and the job that made
it), so it is built once and kept until the gallery changes. A big one is cut into parts of at
most `MAX_PART_BYTES`, each a ZIP of its own (ZIP64 entries: any size, readable by Python's
zipfile, unzip and every current OS).

    status (archives/<id>/status.json, and the event's message):
    {"schema": 1, "type": "archive", "archive_id": str, "state": "building" | "ready" | "failed",
     "bytes_done": int, "bytes_total": int, "error": str | null, "updated_at": ISO 8601,
     "parts": [{"key": str, "bytes": int, "entries": int}]}      (parts: when ready)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from photo_jobs import keys

SCHEMA_VERSION = 1
TYPE = "archive"
ACTION = "archive"
BUILDING, READY, FAILED = "building", "ready", "failed"
MAX_PART_BYTES = 4 * 1024 ** 3  # 4 GB: what FAT32 drives and older unzippers take in one file
# The processed bucket's lifecycle deletes archives/ this long after they are written
# (terraform/modules/storage; tests/unit/test_archives.py holds the two together): an archive older
# than this, less a day's margin, is built again when asked for.
KEEP_DAYS = 7
KEPT = timedelta(days=KEEP_DAYS - 1)  # a ready archive younger than this is handed out (a day's margin)
# Parts a build finished are taken up by the next build of the same archive this soon after (one
# that ran out of time or failed on a later part goes on from there, not from the first byte).
RESUME_WITHIN = timedelta(hours=1)
ENTRY_OVERHEAD = 200  # a ZIP64 entry's headers, its name aside: what a part's size estimate adds


@dataclass(frozen=True)
class Entry:
    """One file of an archive: a rendition in the processed bucket, named in the ZIP."""

    bucket: str
    key: str
    name: str
    bytes: int


@dataclass(frozen=True)
class Request:
    archive_id: str
    bucket: str  # where the archive's parts and status go (the processed bucket)
    title: str  # names the parts: "<title>.zip", or "<title> (part 2 of 3).zip"
    entries: list[Entry]
    part_bytes: int = MAX_PART_BYTES

    def dumps(self) -> str:
        return json.dumps({"action": ACTION, **asdict(self)})

    @classmethod
    def of(cls, event: dict) -> Request:
        return cls(event["archive_id"], event["bucket"], event["title"], [Entry(**e) for e in event["entries"]],
                   int(event.get("part_bytes") or MAX_PART_BYTES))

    @property
    def bytes_total(self) -> int:
        return sum(e.bytes for e in self.entries)


@dataclass
class Status:
    archive_id: str
    state: str
    bytes_total: int
    bytes_done: int = 0
    parts: list[dict] = field(default_factory=list)
    error: str | None = None
    updated_at: str = ""

    def to_dict(self) -> dict:
        return {"schema": SCHEMA_VERSION, "type": TYPE, **asdict(self),
                "updated_at": self.updated_at or datetime.now(UTC).isoformat(timespec="milliseconds")}

    def dumps(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"), sort_keys=True)

    @classmethod
    def of(cls, record: dict) -> Status:
        return cls(record["archive_id"], record["state"], record["bytes_total"], record.get("bytes_done", 0),
                   record.get("parts") or [], record.get("error"), record.get("updated_at", ""))

    def age(self, now: datetime) -> timedelta:
        """How long ago it was written (a status without a time: as old as can be)."""
        try:
            return now - datetime.fromisoformat(self.updated_at)
        except ValueError:
            return timedelta.max

    def usable(self, now: datetime) -> bool:
        """A ready archive whose parts the bucket still keeps for a while."""
        return self.state == READY and self.age(now) < KEPT

    def resumable_parts(self, now: datetime) -> dict[str, dict]:
        """The parts of a build that stopped moments ago, by key: the next build keeps them."""
        return {part["key"]: part for part in self.parts} if self.state != READY and self.age(now) < RESUME_WITHIN else {}


def archive_id(kind: str, entries: list[tuple[str, str]]) -> str:
    """The name of an archive of these (rendition key, job) pairs: the same photos at the same edits
    name the same archive; any change, another."""
    digest = hashlib.sha256(kind.encode())
    for key, job in entries:
        digest.update(f"\n{key}\n{job}".encode())
    return digest.hexdigest()[:24]


def status_key(archive: str) -> str:
    return f"{keys.ARCHIVES_PREFIX}{archive}/status.json"


def part_key(archive: str, number: int, count: int, title: str) -> str:
    """Where part `number` of `count` is kept; its file name is the one a browser saves."""
    return f"{keys.ARCHIVES_PREFIX}{archive}/{part_name(title, number, count)}"


def part_name(title: str, number: int, count: int) -> str:
    """The file name of a part: the title (path separators and control characters made "_")."""
    clean = "".join(c if c.isprintable() and c not in "/\\" else "_" for c in title).strip() or "photos"
    return f"{clean}.zip" if count == 1 else f"{clean} (part {number} of {count}).zip"


def unique_names(names: list[str]) -> list[str]:
    """The names an archive's entries get: the same name twice gets " (2)" before its extension."""
    taken, unique = set(), []
    for name in names:
        stem, dot, extension = name.rpartition(".")
        if not dot:
            stem, extension = name, ""
        candidate, n = name, 1
        while candidate.lower() in taken:
            n += 1
            candidate = f"{stem} ({n}).{extension}" if dot else f"{stem} ({n})"
        taken.add(candidate.lower())
        unique.append(candidate)
    return unique


def cut(entries: list[Entry], part_bytes: int) -> list[list[Entry]]:
    """The entries in parts of at most `part_bytes` each (counting each entry's headers), in order;
    an entry larger than a part is a part of its own."""
    parts: list[list[Entry]] = [[]]
    size = 0
    for entry in entries:
        weight = entry.bytes + ENTRY_OVERHEAD + 2 * len(entry.name.encode())
        if parts[-1] and size + weight > part_bytes:
            parts.append([])
            size = 0
        parts[-1].append(entry)
        size += weight
    return parts if parts[0] else []
