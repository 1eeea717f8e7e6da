"""A client of the studio's API, as the pages use it: ask to upload, send the bytes straight to
S3, follow the photos, download. Used by the command line (`vividart`) and the tests.

Every call carries an API token (`Authorization: Bearer ...`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import requests

CHUNK = 1 << 20


class ApiError(Exception):
    """The web app refused; the message says why."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _quote(path: str) -> str:
    return quote(path, safe="/")


class _Progress:
    """A file (or bytes) read by requests in chunks, reporting each chunk sent."""

    def __init__(self, source: Path | bytes, report: Callable[[int], None] | None) -> None:
        self._file = source.open("rb") if isinstance(source, Path) else None
        self._data, self._at, self._report = source if isinstance(source, bytes) else None, 0, report
        self.size = source.stat().st_size if isinstance(source, Path) else len(source)

    def __len__(self) -> int:
        return self.size

    def __iter__(self):
        try:
            while True:
                chunk = self._file.read(CHUNK) if self._file else self._data[self._at:self._at + CHUNK]
                self._at += len(chunk)
                if not chunk:
                    return
                if self._report:
                    self._report(len(chunk))
                yield chunk
        finally:
            if self._file:
                self._file.close()


class StudioClient:
    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, **options):
        response = self.session.request(method, self.base_url + path, timeout=options.pop("timeout", self.timeout),
                                        **options)
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
        """Upload one photo (a file, or bytes) into a shoot; returns its key. `sent` hears of each chunk."""
        body = _Progress(source, sent)
        filename = filename or source.name
        grant = self._call("POST", f"/api/shoots/{shoot_id}/uploads", json={
            "filename": filename, "size": body.size, "content_type": content_type, "spec": spec}).json()
        headers = dict(grant["headers"], **{"Content-Length": str(body.size)})
        stored = requests.put(grant["url"], data=body, headers=headers, timeout=max(self.timeout, 300))
        if stored.status_code not in (200, 201, 204):
            raise ApiError(f"{filename}: storage refused the upload ({stored.status_code}): {stored.text[:200]}",
                           stored.status_code)
        return grant["key"]

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

    def wait_for_shoot(self, shoot_id: str, keys: set[str], timeout: float,
                       done: Callable[[int], None] | None = None, interval: float = 1.0) -> dict[str, dict]:
        """Poll the shoot (one request for all its photos) until every key is processed or failed."""
        deadline, finished = time.monotonic() + timeout, {}
        while True:
            for photo in self.shoot(shoot_id)["photos"]:
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
