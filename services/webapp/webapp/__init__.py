"""The VividArt studio web app: staff sign-in, shoots, uploads straight to S3, edits with a true
preview, live progress, downloads; client galleries. See api.py for the JSON API."""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.middleware.proxy_fix import ProxyFix

from photo_jobs.settings import StackSource
from webapp import api, apispec, auth, credentials, gallery, ops, pages, security, sharing, sns
from webapp.catalog import Catalog
from webapp.db import Database
from webapp.events import Hub


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=None,
        SECRET_KEY_SECRET="",  # or the name of a secret holding it (Secrets Manager)
        DATABASE_URL=None,
        DATABASE_SECRET="",  # a secret with the database's user and password (RDS's), for a URL without them
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
    stacks = app.config.get("STACK_SOURCE") or StackSource()
    aws_location = stacks.from_environment()  # the secrets are read before the stack's settings
    if not app.config["SECRET_KEY"] and app.config["SECRET_KEY_SECRET"]:
        app.config["SECRET_KEY"] = credentials.secret_key(aws_location, app.config["SECRET_KEY_SECRET"])
    if not app.config["SECRET_KEY"]:
        raise RuntimeError("set VIVIDART_WEB_SECRET_KEY, or VIVIDART_WEB_SECRET_KEY_SECRET to a secret holding it")
    if not app.config["DATABASE_URL"]:
        raise RuntimeError("set VIVIDART_WEB_DATABASE_URL")
    app.config["SESSION_COOKIE_SECURE"] = str(app.config["PUBLIC_URL"]).startswith("https://")
    if app.config["TRUST_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    database = Database(app.config["DATABASE_URL"],
                        credentials=credentials.database_secret(aws_location, app.config["DATABASE_SECRET"])).open()
    database.migrate()
    app.extensions["db"] = database
    app.extensions["stack"] = stacks
    app.extensions["catalog"] = Catalog()
    app.extensions["hub"] = hub = Hub(database, max_streams=int(app.config["MAX_STREAMS"]))
    if app.config["START_EVENTS"]:
        hub.start()

    security.init_app(app)
    auth.init_app(app)
    apispec.init_app(app, [api.bp, sharing.bp, gallery.bp, ops.bp])
    app.register_blueprint(sns.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(gallery.pages)
    app.register_blueprint(ops.pages)

    @app.get("/healthz")
    def healthz():
        return jsonify(ok=True, deployed=app.extensions["stack"].current().deployed, streams=hub.streams)

    return app
