"""Headers every response carries.

The Content-Security-Policy allows scripts, styles and fetches from this site only, plus the
storage endpoint: browsers upload to it and show images from it (presigned, made per request).

Referrer-Policy is same-origin: a share link's token is in its path, so no referrer may leave
the site; but on https Flask-WTF checks that a form or API call comes from a page of this site
by its Referer (a CSRF defence that holds even if a token leaked), and no-referrer left browsers
nothing to send, so nobody could sign in over https.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, request


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
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = f"max-age={current_app.config['HSTS_MAX_AGE']}; includeSubDomains"
    if request.path.startswith("/api/") and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app) -> None:
    app.after_request(add_headers)
