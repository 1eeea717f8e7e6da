"""A client of the web app's API, as the browser uses it: ask to upload, send the bytes straight
to S3, follow the job. Used by the command line (`python -m photo_jobs upload`) and the tests."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests

CONTENT_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".tif": "image/tiff",
                 ".tiff": "image/tiff", ".webp": "image/webp", ".heic": "image/heic", ".heif": "image/heif"}


class UploadError(Exception):
    pass


@dataclass
class WebClient:
    base_url: str
    timeout: float = 10.0

    def job_url(self, key: str) -> str:
        return f"{self.base_url}/api/jobs/{quote(key, safe='/')}"

    def download_url(self, key: str, rendition: str = "full") -> str:
        return f"{self.base_url}/api/download/{quote(key, safe='/')}?rendition={rendition}"

    def upload(self, data: bytes, filename: str, content_type: str | None = None, spec: dict | None = None) -> str:
        """Upload one photo; returns its source key."""
        content_type = content_type or CONTENT_TYPES.get(Path(filename).suffix.lower(), "application/octet-stream")
        asked = requests.post(f"{self.base_url}/api/uploads", timeout=self.timeout, json={
            "filename": filename, "content_type": content_type, "size": len(data), "spec": spec})
        if asked.status_code != 201:
            raise UploadError(f"{filename}: {asked.json().get('error', asked.text)}")
        grant = asked.json()
        sent = requests.put(grant["url"], data=data, headers=grant["headers"], timeout=max(self.timeout, 60))
        if sent.status_code not in (200, 201, 204):
            raise UploadError(f"{filename}: storage refused the upload ({sent.status_code}): {sent.text[:200]}")
        return grant["key"]

    def job(self, key: str) -> dict:
        response = requests.get(self.job_url(key), timeout=self.timeout)
        response.raise_for_status()
        return response.json()

    def wait(self, key: str, timeout: float = 60.0, interval: float = 0.25) -> dict:
        """Poll until the job is processed or failed; raise TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.job(key)
            if status["status"] != "processing":
                return status
            if time.monotonic() > deadline:
                raise TimeoutError(f"{key} still processing after {timeout:.0f} s")
            time.sleep(interval)

    def download(self, key: str, rendition: str = "full") -> bytes:
        response = requests.get(self.download_url(key, rendition), timeout=max(self.timeout, 60))
        response.raise_for_status()
        return response.content
