"""A client of the studio's API, as the pages use it: ask to upload, send the bytes straight to
S3, follow the photos, download. Used by the command line (`vividart`) and the tests.

Every call carries an API token (`Authorization: Bearer ...`).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import quote

import requests

from photo_jobs import limits

CHUNK = 1 << 20
STORAGE_SECONDS = 300  # one request to storage: a part or a whole file


class ApiError(Exception):
    """The web app refused; the message says why."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _quote(path: str) -> str:
    return quote(path, safe="/")


class _Progress:
    """A range of a file (or of bytes) read by requests in chunks, reporting each chunk sent."""

    def __init__(self, source: Path | bytes, report: Callable[[int], None] | None, start: int = 0,
                 size: int | None = None) -> None:
        self._source, self._report, self._start = source, report, start
        whole = source.stat().st_size if isinstance(source, Path) else len(source)
        self.size = whole - start if size is None else size

    def __len__(self) -> int:
        return self.size

    def __iter__(self):
        left = self.size
        with (self._source.open("rb") if isinstance(self._source, Path) else _Bytes(self._source)) as source:
            source.seek(self._start)
            while left > 0:
                chunk = source.read(min(CHUNK, left))
                if not chunk:
                    return
                left -= len(chunk)
                if self._report:
                    self._report(len(chunk))
                yield chunk


class _Bytes:
    """Bytes read like a file."""

    def __init__(self, data: bytes) -> None:
        self._data, self._at = data, 0

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def seek(self, at: int) -> None:
        self._at = at

    def read(self, n: int) -> bytes:
        chunk = self._data[self._at:self._at + n]
        self._at += len(chunk)
        return chunk


SLOWED_DOWN_TRIES, MAX_WAIT_S = 5, 30.0


class StudioClient:
    def __init__(self, base_url: str, token: str, timeout: float = 30.0, verify: bool | str = True) -> None:
        """`verify`: True, or the certificate to trust (a local stack's own, over https)."""
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.verify = verify  # given on each call: REQUESTS_CA_BUNDLE would override a session's own
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, **options):
        """A call of the web app's API: a path of it, or a whole URL it gave (the same site). Told
        to slow down (429), it waits as long as the app says and asks again, a few times."""
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        timeout = options.pop("timeout", self.timeout)
        for attempt in range(SLOWED_DOWN_TRIES):
            response = self.session.request(method, url, timeout=timeout, verify=self.verify, **options)
            if response.status_code != 429 or attempt == SLOWED_DOWN_TRIES - 1:
                break
            time.sleep(min(MAX_WAIT_S, float(response.headers.get("Retry-After") or 1)))
        if response.status_code >= 400:
            try:
                body = response.json()
                message = body.get("message") or str(body.get("errors", body))
            except ValueError:
                message = response.text[:200]
            raise ApiError(f"{method} {path}: {response.status_code} {message}", response.status_code)
        return response

    # --- shoots -------------------------------------------------------------------------------

    def shoots(self) -> list[dict]:
        return self._call("GET", "/api/shoots").json()["shoots"]

    def create_shoot(self, name: str, spec: dict | None = None) -> dict:
        return self._call("POST", "/api/shoots", json={"name": name, "default_spec": spec}).json()

    def shoot(self, shoot_id: str) -> dict:
        return self._call("GET", f"/api/shoots/{shoot_id}").json()

    def find_shoot(self, name_or_id: str) -> dict | None:
        wanted = name_or_id.strip().casefold()
        return next((s for s in self.shoots() if s["id"] == name_or_id or s["name"].casefold() == wanted), None)

    # --- photos -------------------------------------------------------------------------------

    def upload(self, shoot_id: str, source: Path | bytes, filename: str | None = None, content_type: str | None = None,
               spec: dict | None = None, sent: Callable[[int], None] | None = None) -> str:
        """Upload one photo (a file, or bytes) into a shoot; returns its key. `sent` hears of each
        chunk. A file asked for again (same name, size and last change) is not sent twice: if it
        is in, nothing is sent; if its multipart upload was cut short, only the missing parts are."""
        size = source.stat().st_size if isinstance(source, Path) else len(source)
        filename = filename or source.name
        modified = int(source.stat().st_mtime * 1000) if isinstance(source, Path) else None
        grant = self._call("POST", f"/api/shoots/{shoot_id}/uploads", json={
            "filename": filename, "size": size, "content_type": content_type, "spec": spec, "modified": modified}).json()
        if grant["status"] == "uploaded":
            if sent:
                sent(size)
            return grant["key"]
        if grant["status"] == "resume" or size > limits.MULTIPART_BYTES:
            self._multipart(shoot_id, source, grant, sent)
        else:
            headers = dict(grant["headers"], **{"Content-Length": str(size)})
            self._store("PUT", grant["url"], _Progress(source, sent), headers, filename)
        self._call("POST", f"/api/shoots/{shoot_id}/uploads/done", json={"keys": [grant["key"]]})
        return grant["key"]

    def _sign(self, shoot_id: str, grant: dict, **request) -> dict:
        return self._call("POST", f"/api/shoots/{shoot_id}/uploads/sign",
                          json={"key": grant["key"], "grant": grant["grant"], **request}).json()

    def _store(self, method: str, url: str, body, headers: dict, filename: str) -> requests.Response:
        stored = requests.request(method, url, data=body, headers=headers, timeout=max(self.timeout, STORAGE_SECONDS))
        if stored.status_code not in (200, 201, 204):
            raise ApiError(f"{filename}: storage refused the upload ({stored.status_code}): {stored.text[:200]}",
                           stored.status_code)
        return stored

    def _multipart(self, shoot_id: str, source: Path | bytes, grant: dict, sent: Callable[[int], None] | None) -> None:
        """S3 multipart, part by part, each of the size the grant says; a resumed upload sends only
        the parts S3 does not hold yet."""
        filename = grant["key"].rsplit("/", 1)[-1]
        upload_id, held = grant.get("upload_id"), {p["PartNumber"] for p in grant.get("parts", [])}
        if upload_id is None:
            created = self._sign(shoot_id, grant, method="POST")
            answer = self._store("POST", created["url"], b"", created["headers"], filename)
            upload_id = re.search(r"<UploadId>([^<]+)</UploadId>", answer.text)[1]
        at = 0
        for number, length in enumerate(grant["part_sizes"], 1):
            if number in held:
                if sent:
                    sent(length)
            else:
                url = self._sign(shoot_id, grant, method="PUT", uploadId=upload_id, partNumber=number)["url"]
                self._store("PUT", url, _Progress(source, sent, at, length), {"Content-Length": str(length)}, filename)
            at += length
        done = self._sign(shoot_id, grant, method="POST", uploadId=upload_id)
        self._call("POST", done["url"], headers=done["headers"])  # the web app's own: it checks the parts

    def job(self, key: str) -> dict:
        return self._call("GET", f"/api/jobs/{_quote(key)}").json()

    def wait(self, key: str, timeout: float = 60.0, interval: float = 0.25) -> dict:
        """Poll until the photo is processed or failed; raise TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.job(key)
            if status["status"] != "processing":
                return status
            if time.monotonic() > deadline:
                raise TimeoutError(f"{key} still processing after {timeout:.0f} s")
            time.sleep(interval)

    def photos(self, shoot_id: str, status: str | None = None, page: int = 500) -> Iterator[dict]:
        """Every photo of a shoot, page by page, in file-name order."""
        after = None
        while True:
            params = {"limit": page, **({"after": after} if after else {}), **({"status": status} if status else {})}
            answer = self._call("GET", f"/api/shoots/{shoot_id}/photos", params=params).json()
            yield from answer["photos"]
            after = answer["next"]
            if after is None:
                return

    def wait_for_shoot(self, shoot_id: str, keys: set[str], timeout: float,
                       done: Callable[[int], None] | None = None, interval: float = 1.0) -> dict[str, dict]:
        """Poll the shoot (a request a page of its photos) until every key is processed or failed."""
        deadline, finished = time.monotonic() + timeout, {}
        while True:
            for photo in self.photos(shoot_id):
                if photo["key"] in keys and photo["key"] not in finished and photo["status"] != "processing" \
                        and not photo["outdated"]:
                    finished[photo["key"]] = photo
                    if done:
                        done(1)
            if len(finished) == len(keys):
                return finished
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(keys) - len(finished)} photos still processing after {timeout:.0f} s")
            time.sleep(interval)

    def download(self, shoot_id: str, path: str, rendition: str = "full") -> bytes:
        return self._call("GET", f"/api/shoots/{shoot_id}/downloads/{rendition}/{_quote(path)}", timeout=300).content

    def apply(self, shoot_id: str, spec: dict, photos: list[str] | None = None) -> dict:
        return self._call("POST", f"/api/shoots/{shoot_id}/edits", json={"spec": spec, "photos": photos}).json()

    def retry(self, shoot_id: str, path: str) -> dict:
        return self._call("POST", f"/api/shoots/{shoot_id}/retries/{_quote(path)}").json()

    def preview(self, key: str, spec: dict) -> dict:
        return self._call("POST", "/api/previews", json={"key": key, "spec": spec}).json()
