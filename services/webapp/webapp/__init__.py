"""The VividArt studio web app: staff sign-in, shoots, uploads straight to S3, edits with a true
preview, live progress, downloads; client galleries. See api.py for the JSON API."""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.middleware.proxy_fix import ProxyFix

from photo_jobs.settings import StackSource
from webapp import api, apispec, auth, gallery, pages, security, sharing, sns
from webapp.catalog import Catalog
from webapp.db import Database
from webapp.events import Hub


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=None,
        DATABASE_URL=None,
        # Topics whose messages are taken before the stack's own is known (fnmatch patterns,
        # comma-separated): the local web app confirms its subscription during the first deploy.
        SNS_ALLOWED_TOPICS="",
        SSE_HEARTBEAT_SECONDS=15,
        MAX_STREAMS=1000,
        MAX_CONTENT_LENGTH=1 << 20,  # JSON only: photos go straight to S3
        PUBLIC_URL="",
        TRUST_PROXY=False,  # behind a load balancer: its X-Forwarded-* headers are believed
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        START_EVENTS=True,
    )
    app.config.from_prefixed_env("VIVIDART_WEB")
    if test_config:
        app.config.update(test_config)
    for required in ("SECRET_KEY", "DATABASE_URL"):
        if not app.config[required]:
            raise RuntimeError(f"set VIVIDART_WEB_{required}")
    app.config["SESSION_COOKIE_SECURE"] = str(app.config["PUBLIC_URL"]).startswith("https://")
    if app.config["TRUST_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    database = Database(app.config["DATABASE_URL"]).open()
    database.migrate()
    app.extensions["db"] = database
    app.extensions["stack"] = app.config.get("STACK_SOURCE") or StackSource()
    app.extensions["catalog"] = Catalog()
    app.extensions["hub"] = hub = Hub(database, max_streams=int(app.config["MAX_STREAMS"]))
    if app.config["START_EVENTS"]:
        hub.start()

    security.init_app(app)
    auth.init_app(app)
    apispec.init_app(app, [api.bp, sharing.bp, gallery.bp])
    app.register_blueprint(sns.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(gallery.pages)

    @app.get("/healthz")
    def healthz():
        return jsonify(ok=True, deployed=app.extensions["stack"].current().deployed, streams=hub.streams)

    return app
