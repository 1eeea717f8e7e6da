"""Archives built in S3: a gallery's photos as ZIP files, made by this image when invoked
(asynchronously) as the archiver function, never through the web app. See photo_jobs.archives.

Each part is one S3 multipart upload, written as the ZIP is generated: the photos are read from S3
a few ahead of the writer, the parts uploaded a few at a time, so reading, zipping and writing
overlap and memory stays bounded (a few photos and a few parts). Progress is written to the
archive's status (S3) and announced on the topic every few seconds; a failure too, once.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import quote

from botocore.exceptions import ClientError
from zipstream import ZIP_STORED, ZipStream

from photo_jobs import archives
from photo_jobs.aws import is_missing
from photo_processor.telemetry import logger

PART_BUFFER = 64 * 1024 * 1024  # an S3 part: large enough to keep requests few, small enough to hold 3
READ_AHEAD = 4  # photos being fetched while one is written
WRITES_AT_ONCE = 3
REPORT_EVERY_S = 2.0
_READS = ThreadPoolExecutor(READ_AHEAD, thread_name_prefix="archive-read")
_WRITES = ThreadPoolExecutor(WRITES_AT_ONCE, thread_name_prefix="archive-write")


class Parts:
    """A multipart upload written as a stream: bytes in, parts of PART_BUFFER out (at most
    WRITES_AT_ONCE being sent), joined at close."""

    def __init__(self, s3, bucket: str, key: str, disposition: str) -> None:
        self.s3, self.bucket, self.key = s3, bucket, key
        self.upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ContentType="application/zip",
                                                    ContentDisposition=disposition)["UploadId"]
        self._buffer, self._sending, self._done, self._number, self.size = bytearray(), deque(), [], 0, 0

    def write(self, data: bytes) -> None:
        self._buffer += data
        self.size += len(data)
        if len(self._buffer) >= PART_BUFFER:
            self._send()

    def _send(self) -> None:
        self._number += 1
        body, number, self._buffer = bytes(self._buffer), self._number, bytearray()
        while len(self._sending) >= WRITES_AT_ONCE:
            self._done.append(self._sending.popleft().result())
        self._sending.append(_WRITES.submit(self._part, number, body))

    def _part(self, number: int, body: bytes) -> dict:
        answer = self.s3.upload_part(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=body)
        return {"PartNumber": number, "ETag": answer["ETag"]}

    def close(self) -> None:
        if self._buffer or not self._number:
            self._send()
        while self._sending:
            self._done.append(self._sending.popleft().result())
        self.s3.complete_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id,
                                          MultipartUpload={"Parts": sorted(self._done, key=lambda p: p["PartNumber"])})

    def abort(self) -> None:
        for sending in self._sending:
            sending.cancel()
        try:
            self.s3.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)
        except ClientError:
            logger.warning("could not abort an archive's multipart upload; the bucket's lifecycle rule will")


class Progress:
    """What has been read of an archive's photos, written to its status every few seconds."""

    def __init__(self, report, status: archives.Status) -> None:
        self.report, self.status, self.last = report, status, time.monotonic()

    def add(self, count: int) -> None:
        self.status.bytes_done += count
        if time.monotonic() - self.last >= REPORT_EVERY_S:
            self.report(self.status)
            self.last = time.monotonic()


def _read(s3, entry: archives.Entry) -> bytes:
    return s3.get_object(Bucket=entry.bucket, Key=entry.key)["Body"].read()


def _zip(s3, entries: list[archives.Entry], progress: Progress):
    """The ZIP of these entries as it is generated (ZIP64 entries), the photos read ahead."""
    reading: deque[Future] = deque(_READS.submit(_read, s3, e) for e in entries[:READ_AHEAD])
    following = iter(entries[READ_AHEAD:])

    def content():
        data = reading.popleft().result()
        nxt = next(following, None)
        if nxt is not None:
            reading.append(_READS.submit(_read, s3, nxt))
        progress.add(len(data))
        yield data

    zipped = ZipStream(compress_type=ZIP_STORED, sized=False)  # unsized: every entry has ZIP64 extensions
    for entry in entries:
        zipped.add(content(), arcname=entry.name)
    yield from zipped


def build(s3, publish, request: archives.Request) -> archives.Status:
    """Build the archive (unless it is built already, and not so long ago that the bucket is about
    to delete it); its final status. Parts a build of it finished moments ago are kept."""
    existing = read_status(s3, request.bucket, request.archive_id)
    now = datetime.now(UTC)
    if existing is not None and existing.usable(now):
        publish(existing)
        return existing
    kept = existing.resumable_parts(now) if existing is not None else {}
    status = archives.Status(request.archive_id, archives.BUILDING, request.bytes_total)

    def report(current: archives.Status) -> None:
        s3.put_object(Bucket=request.bucket, Key=archives.status_key(request.archive_id), Body=current.dumps().encode(),
                      ContentType="application/json")
        publish(current)

    report(status)
    progress = Progress(report, status)
    groups = archives.cut(request.entries, request.part_bytes)
    started, parts = time.monotonic(), []
    try:
        for number, entries in enumerate(groups, 1):
            key = archives.part_key(request.archive_id, number, len(groups), request.title)
            if key in kept and _holds(s3, request.bucket, kept[key]):
                parts.append(kept[key])
                progress.add(sum(e.bytes for e in entries))
                continue
            name = archives.part_name(request.title, number, len(groups))
            writer = Parts(s3, request.bucket, key, f"attachment; filename*=UTF-8''{quote(name, safe='')}")
            try:
                for chunk in _zip(s3, entries, progress):
                    writer.write(chunk)
                writer.close()
            except BaseException:
                writer.abort()
                raise
            parts.append({"key": writer.key, "bytes": writer.size, "entries": len(entries)})
            status.parts = list(parts)
            report(status)  # a build stopped after this part goes on from the next
    except Exception as error:  # noqa: BLE001 - recorded and announced: the client may ask again
        logger.exception("archive failed", extra={"archive_id": request.archive_id})
        status.state, status.error = archives.FAILED, f"{type(error).__name__}: {error}"[:300]
        report(status)
        return status
    status.state, status.parts = archives.READY, parts
    report(status)
    seconds = time.monotonic() - started
    logger.info("archive built", extra={"archive_id": request.archive_id, "bytes": status.bytes_total,
                                        "parts": len(parts), "seconds": round(seconds, 2),
                                        "mb_per_s": round(status.bytes_total / max(seconds, 1e-6) / 1e6, 1)})
    return status


def _holds(s3, bucket: str, part: dict) -> bool:
    """Whether the part a build finished is there, whole."""
    try:
        return s3.head_object(Bucket=bucket, Key=part["key"])["ContentLength"] == part["bytes"]
    except ClientError as error:
        if is_missing(error):
            return False
        raise


def request_of(s3, event: dict) -> archives.Request:
    """The archive asked for: in the event, or (a big gallery's) in the S3 object it names."""
    if "request_key" in event:
        event = json.loads(s3.get_object(Bucket=event["request_bucket"], Key=event["request_key"])["Body"].read())
    return archives.Request.of(event)


def read_status(s3, bucket: str, archive: str) -> archives.Status | None:
    try:
        body = s3.get_object(Bucket=bucket, Key=archives.status_key(archive))["Body"].read()
    except ClientError as error:
        if is_missing(error):
            return None
        raise
    return archives.Status.of(json.loads(body))
