"""Headers every response carries, and the rate limiter the routes use.

The Content-Security-Policy allows scripts, styles and fetches from this site only, plus the
storage endpoint: browsers upload to it and show images from it (presigned, made per request).
No referrer ever leaves a page, since a share link's token is in its path.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, storage_uri="memory://", headers_enabled=True)


def storage_origin() -> str:
    """Where presigned URLs point: LocalStack's endpoint, or S3's regional one (path-style)."""
    stack = current_app.extensions["stack"].current()
    if stack.localstack_endpoint:
        parts = urlsplit(stack.localstack_endpoint)
        return f"{parts.scheme}://{parts.netloc}"
    return f"https://s3.{stack.region}.amazonaws.com"


def add_headers(response):
    storage = storage_origin()
    response.headers.setdefault("Content-Security-Policy", "; ".join((
        "default-src 'self'", "script-src 'self'", "style-src 'self'", f"img-src 'self' data: blob: {storage}",
        f"connect-src 'self' {storage}", "object-src 'none'", "base-uri 'self'", "form-action 'self'",
        "frame-ancestors 'none'")))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.path.startswith("/api/") and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app) -> None:
    limiter.init_app(app)
    app.after_request(add_headers)
