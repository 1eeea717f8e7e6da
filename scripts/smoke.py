#!/usr/bin/env python3
"""Smoke test of a deployed stack through its web app, as a client sees it: the health check,
the sign-in page, the API refusing a call without a token and answering one with a staff API
token, and with --upload a photo sent by the API's presigned URL and processed.

    scripts/smoke.py [--web URL] [--token TOKEN] [--upload] [--timeout SECONDS]
    scripts/deploy.sh outputs | scripts/smoke.py --outputs - --upload       (make smoke: the local stack)

Settings as the CLI's: --web or VIVIDART_WEB, --token or VIVIDART_TOKEN, else the outputs
(web_url, api_token). Python's standard library only, so it runs on any build image. One line per
check; the first failure ends the run with status 1.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import struct
import sys
import time
import urllib.error
import urllib.request
import zlib
from datetime import datetime, timezone
from urllib.parse import quote

SMOKE_SHOOT = "Smoke tests"  # where --upload puts its photos, one shoot for every run
REQUEST_SECONDS = 20
POLL_SECONDS = 2  # between looks at the uploaded photo's job


class SmokeFailure(Exception):
    """A check failed; the message says what was expected and what came."""


def photo_png(width: int = 320, height: int = 240) -> bytes:
    """A gradient photo as a PNG, made here with zlib alone (no imaging library on a build image)."""
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (x * 255 // (width - 1), y * 255 // (height - 1), 96))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class Site:
    """The web app at one base URL, with or without an API token."""

    def __init__(self, base_url: str, token: str | None) -> None:
        self.base_url, self.token = base_url.rstrip("/"), token

    def call(self, method: str, path: str, body: dict | None = None, token: bool = True) -> tuple[int, str, bytes]:
        """(status, content type, body) of one request; HTTP errors are answers too."""
        headers = {"Accept": "application/json, text/html"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if token and self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return send(urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers))

    def json(self, method: str, path: str, body: dict | None = None, expect: int = 200) -> dict:
        status, _, content = self.call(method, path, body)
        if status != expect:
            raise SmokeFailure(f"{method} {path}: expected {expect}, got {status}: {content[:200]!r}")
        try:
            return json.loads(content)
        except ValueError:
            raise SmokeFailure(f"{method} {path}: expected JSON, got {content[:200]!r}") from None


def send(request: urllib.request.Request) -> tuple[int, str, bytes]:
    if urllib.parse.urlsplit(request.full_url).scheme not in ("http", "https"):
        raise SystemExit(f"not a web address: {request.full_url}")
    try:  # bandit B310 (file:// and custom schemes) cannot happen: http(s) only, checked above
        with urllib.request.urlopen(request, timeout=REQUEST_SECONDS) as answer:  # nosec B310
            return answer.status, answer.headers.get("Content-Type", ""), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()
    except (urllib.error.URLError, OSError) as error:
        raise SmokeFailure(f"{request.get_method()} {request.full_url}: {error}") from None


# --- the checks: each returns what it saw, or raises SmokeFailure ---------------------------------

def healthy(site: Site) -> str:
    health = site.json("GET", "/healthz")
    if health.get("ok") is not True or health.get("deployed") is not True:
        raise SmokeFailure(f"/healthz: expected ok and deployed, got {health}")
    return "ok, deployed"


def sign_in_page(site: Site) -> str:
    status, kind, page = site.call("GET", "/signin", token=False)
    if status != 200 or not kind.startswith("text/html") or b'name="password"' not in page:
        raise SmokeFailure(f"/signin: expected an HTML page with a password field, got {status} {kind}")
    return "a form with a password field"


def refuses_strangers(site: Site) -> str:
    status, _, _ = site.call("GET", "/api/me", token=False)
    if status != 401:
        raise SmokeFailure(f"/api/me without a token: expected 401, got {status}")
    return "401 without a token"


def signed_in(site: Site) -> str:
    if not site.token:
        raise SmokeFailure("no API token: --token or VIVIDART_TOKEN (vividart-admin create-token EMAIL)")
    me = site.json("GET", "/api/me")
    if not me.get("email"):
        raise SmokeFailure(f"/api/me: expected the token's account, got {me}")
    shoots = site.json("GET", "/api/shoots")["shoots"]
    return f"signed in as {me['email']}; {len(shoots)} shoots"


def upload_processed(site: Site, timeout: float) -> str:
    shoot = next((s for s in site.json("GET", "/api/shoots")["shoots"] if s["name"] == SMOKE_SHOOT), None) \
        or site.json("POST", "/api/shoots", {"name": SMOKE_SHOOT}, expect=201)
    photo = photo_png()
    # a new name every run: an old photo's finished job must not pass for this one
    name = f"smoke-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}.png"
    grant = site.json("POST", f"/api/shoots/{shoot['id']}/uploads",
                      {"filename": name, "size": len(photo), "content_type": "image/png"}, expect=201)
    status, _, content = send(urllib.request.Request(grant["url"], data=photo, method=grant.get("method", "PUT"),
                                                     headers={**grant["headers"], "Content-Length": str(len(photo))}))
    if status not in (200, 201, 204):
        raise SmokeFailure(f"storage refused the upload: {status} {content[:200]!r}")
    site.json("POST", f"/api/shoots/{shoot['id']}/uploads/done", {"keys": [grant["key"]]})
    deadline = time.monotonic() + timeout
    while True:
        job = site.json("GET", f"/api/jobs/{quote(grant['key'], safe='/')}")
        if job["status"] == "processed" and job["outputs"]:
            return f"{name}: processed into {', '.join(o['name'] for o in job['outputs'])}"
        if job["status"] == "failed":
            raise SmokeFailure(f"{name} failed: {job.get('error')}")
        if time.monotonic() > deadline:
            raise SmokeFailure(f"{name} still {job['status']} after {timeout:.0f} s")
        time.sleep(POLL_SECONDS)


def settings(args, environ: dict[str, str]) -> tuple[str, str | None]:
    """The web app's URL and the token: flags, then the environment, then the outputs."""
    outputs = json.load(sys.stdin if args.outputs == "-" else open(args.outputs)) if args.outputs else {}
    web = args.web or environ.get("VIVIDART_WEB") or outputs.get("web_url")
    token = args.token or environ.get("VIVIDART_TOKEN") or outputs.get("api_token")
    if not web:
        raise SmokeFailure("where is the web app? --web, VIVIDART_WEB or --outputs")
    return web, token


def main(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web", help="the web app's base URL (or VIVIDART_WEB)")
    parser.add_argument("--token", help="a staff API token (or VIVIDART_TOKEN)")
    parser.add_argument("--outputs", help="a JSON file of the deployment's outputs (make outputs), - for stdin")
    parser.add_argument("--upload", action="store_true", help="also upload a photo and wait until it is processed")
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("SMOKE_TIMEOUT", 300)),
                        help="seconds the upload may take to be processed (default 300, or SMOKE_TIMEOUT)")
    args = parser.parse_args(argv)
    try:
        web, token = settings(args, os.environ if environ is None else environ)
        site = Site(web, token)
        checks = [("health", healthy), ("sign-in page", sign_in_page), ("API without a token", refuses_strangers),
                  ("API with a token", signed_in)]
        if args.upload:
            checks.append(("upload processed", lambda s: upload_processed(s, args.timeout)))
    except SmokeFailure as failure:
        print(f"smoke test: {failure}", file=sys.stderr)
        return 1
    print(f"smoke test of {web}")
    for name, check in checks:
        try:
            print(f"  ok   {name}: {check(site)}", flush=True)
        except (SmokeFailure, KeyError, TypeError) as failure:  # the last two: an answer of another shape
            print(f"  FAIL {name}: {failure!s}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
