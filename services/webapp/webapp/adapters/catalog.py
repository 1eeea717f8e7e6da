"""A shoot's photos and where each one's processing stands, read from S3 alone.

A photo is the current version of a key under the shoot's folder; its job is named by the key
and that version (keys.job_id), and its state is that job's record in the processed bucket, or
"processing" while there is none. Listing a shoot takes two LIST calls (the object versions and
the job records); a record is fetched once per ETag, since a record of a given ETag never
changes. While an edit is pending, the newest earlier result stays on offer.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from botocore.exceptions import ClientError

from photo_jobs import keys, records, spec as edit_spec
from photo_jobs.aws import is_missing
from photo_jobs.settings import Stack

UNSORTED = "unsorted"
_FETCHES = ThreadPoolExecutor(16, thread_name_prefix="catalog")


@dataclass
class Photo:
    key: str
    shoot: str
    path: str  # the key within its shoot's folder (within the upload prefix for Unsorted)
    size: int
    uploaded_at: datetime
    version: str
    job_id: str
    record: dict | None = None  # the current job's
    earlier: dict | None = None  # the newest earlier processed record, offered while this one runs
    extra: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return keys.file_name(self.key)

    @property
    def status(self) -> str:
        return self.record["type"] if self.record else records.PROCESSING

    @property
    def shown(self) -> dict | None:
        """The record whose renditions are on offer: the current one, or the earlier while it runs."""
        if self.record and self.record["type"] == records.PROCESSED:
            return self.record
        return self.earlier if self.record is None else None

    def output(self, name: str) -> dict | None:
        shown = self.shown
        return next((o for o in shown["outputs"] if o["name"] == name), None) if shown else None

    def view(self) -> dict:
        """What a page or an API client is told: no bucket names, keys or URLs."""
        shown = self.shown
        full = self.output("full")
        spec = (self.record or self.earlier or {}).get("spec")
        preset = spec.get("preset") if isinstance(spec, dict) else None
        return {
            "key": self.key, "shoot": self.shoot, "path": self.path, "name": self.name, "size": self.size,
            "uploaded_at": self.uploaded_at.isoformat(), "job_id": self.job_id, "status": self.status,
            "error": self.record["error"] if self.record else None,
            "renditions": [o["name"] for o in shown["outputs"]] if shown else [],
            "width": full["width"] if full else None, "height": full["height"] if full else None,
            "outdated": shown is not None and shown is not self.record,
            "preset": preset, "look": edit_spec.PRESETS[preset][0] if preset in edit_spec.PRESETS else None,
            **self.extra,
        }


class Catalog:
    """Reads photos from a stack's buckets; caches job records by ETag (safe across threads)."""

    def __init__(self, max_records: int = 50_000) -> None:
        self._records: OrderedDict[tuple[str, str], dict] = OrderedDict()
        self._max = max_records
        self._lock = threading.Lock()

    def folder(self, s3, stack: Stack, shoot: str, prefix: str) -> list[Photo]:
        """Every photo under `prefix` (a folder, ending in "/"), sub-folders included, as the shoot `shoot`."""
        return self._photos(s3, stack, shoot, prefix, nested=True)

    def loose(self, s3, stack: Stack) -> list[Photo]:
        """Photos straight under the upload prefix, in no folder: part of Unsorted."""
        return self._photos(s3, stack, UNSORTED, stack.upload_prefix, nested=False)

    def folders(self, s3, stack: Stack) -> list[str]:
        """The folder names straight under the upload prefix."""
        names = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=stack.source_bucket, Prefix=stack.upload_prefix,
                                                                  Delimiter="/"):
            names += [p["Prefix"][len(stack.upload_prefix):-1] for p in page.get("CommonPrefixes", [])]
        return names

    def photo(self, s3, stack: Stack, key: str, shoot: str) -> Photo | None:
        """One photo, by its key: the current version's head and that key's job records."""
        try:
            head = s3.head_object(Bucket=stack.source_bucket, Key=key)
        except ClientError as error:
            if is_missing(error):
                return None
            raise
        version = keys.job_version(head.get("VersionId"), head["ETag"])
        photo = Photo(key, shoot, _path_in(stack, shoot, key), head["ContentLength"], head["LastModified"], version,
                      keys.job_id(key, version))
        self._attach(s3, stack, [photo], self._record_keys(s3, stack, keys.job_records_prefix(key)))
        return photo

    # --- listing ---------------------------------------------------------------------------

    def _photos(self, s3, stack: Stack, shoot: str, prefix: str, nested: bool) -> list[Photo]:
        delimiter = {} if nested else {"Delimiter": "/"}
        photos = []
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=stack.source_bucket, Prefix=prefix,
                                                                       **delimiter):
            for entry in page.get("Versions", []):
                if not entry["IsLatest"] or entry["Key"].endswith("/"):
                    continue
                version = keys.job_version(entry.get("VersionId"), entry["ETag"])
                photos.append(Photo(entry["Key"], shoot, _path_in(stack, shoot, entry["Key"]), entry["Size"],
                                    entry["LastModified"], version, keys.job_id(entry["Key"], version)))
        if nested:
            found = self._record_keys(s3, stack, keys.job_records_prefix(prefix))
        else:  # the records of loose photos sit among every other folder's: list them one by one
            found = {}
            for photo in photos:
                found.update(self._record_keys(s3, stack, keys.job_records_prefix(photo.key)))
        self._attach(s3, stack, photos, found)
        photos.sort(key=lambda p: (_natural(p.name), p.key))
        return photos

    def _record_keys(self, s3, stack: Stack, prefix: str) -> dict[str, list[dict]]:
        """{source key: [{"job", "key", "etag", "modified"}...]} of the job records under `prefix`."""
        found: dict[str, list[dict]] = defaultdict(list)
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=stack.processed_bucket, Prefix=prefix):
            for entry in page.get("Contents", []):
                source_key, job = keys.source_of_record_key(entry["Key"])
                found[source_key].append({"job": job, "key": entry["Key"], "etag": entry["ETag"],
                                          "modified": entry["LastModified"]})
        return found

    def _attach(self, s3, stack: Stack, photos: list[Photo], found: dict[str, list[dict]]) -> None:
        wanted = []
        for photo in photos:
            mine = found.get(photo.key, [])
            current = next((r for r in mine if r["job"] == photo.job_id), None)
            earlier = sorted((r for r in mine if r["job"] != photo.job_id), key=lambda r: r["modified"], reverse=True)
            wanted.append((photo, current, earlier))
        needed = {r["key"]: r for _, current, earlier in wanted for r in ([current] if current else []) + earlier[:3]}
        fetched = dict(zip(needed, _FETCHES.map(lambda r: self._record(s3, stack, r), needed.values())))
        for photo, current, earlier in wanted:
            photo.record = fetched.get(current["key"]) if current else None
            photo.earlier = next((fetched[r["key"]] for r in earlier[:3]
                                  if fetched.get(r["key"]) and fetched[r["key"]]["type"] == records.PROCESSED), None)

    def _record(self, s3, stack: Stack, entry: dict) -> dict | None:
        cache_key = (entry["key"], entry["etag"])
        with self._lock:
            if cache_key in self._records:
                self._records.move_to_end(cache_key)
                return self._records[cache_key]
        try:
            record = json.loads(s3.get_object(Bucket=stack.processed_bucket, Key=entry["key"])["Body"].read())
        except ClientError as error:
            if is_missing(error):
                return None
            raise
        with self._lock:
            self._records[cache_key] = record
            while len(self._records) > self._max:
                self._records.popitem(last=False)
        return record


def _natural(name: str) -> list:
    """File-name order as a photographer reads it: IMG_2 before IMG_10."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


def _path_in(stack: Stack, shoot: str, key: str) -> str:
    inside = key[len(stack.upload_prefix):]
    return inside if shoot == UNSORTED else inside[len(shoot) + 1:]
