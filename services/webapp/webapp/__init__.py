"""The VividArt studio web app: staff sign-in, shoots, uploads straight to S3, edits with a true
preview, live progress, downloads; client galleries.

routes/ (thin blueprints) call services/ (the rules), which use repositories/ (the SQL) and
adapters/ (S3, SQS, the processor, SES, the event hub). `create_app` only wires them."""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.middleware.proxy_fix import ProxyFix

from photo_jobs.settings import StackSource
from webapp import apispec, auth, credentials, logs, ratelimits, security
from webapp.adapters.catalog import Catalog
from webapp.adapters.hub import Hub
from webapp.db import Database
from webapp.routes import account, auth as sign_in, deliveries, edits, events, gallery, links, ops, pages, shoots, sns
from webapp.routes import studio, unsubscribe, uploads
from webapp.services import photos


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
        TRUST_PROXY=False,  # behind a load balancer: its X-Forwarded-For and -Proto are believed
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        # Staff sessions end after a working day without a request, and a week at most; a
        # client's (a gallery's PIN unlock) lasts longer: clients come back to choose.
        SESSION_IDLE_MINUTES=12 * 60,
        SESSION_MAX_HOURS=7 * 24,
        CLIENT_SESSION_IDLE_DAYS=14,
        CLIENT_SESSION_MAX_DAYS=60,
        HSTS_MAX_AGE=31_536_000,  # terraform/edge.json's, as the deployments set it
        ARCHIVE_PART_BYTES=4 * 1024 ** 3,  # Download all: ZIP files of at most this (photo_jobs.archives)
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
    secure = str(app.config["PUBLIC_URL"]).startswith("https://")
    app.config["SESSION_COOKIE_SECURE"] = secure
    # __Host-: a cookie only this exact origin can set (https, no Domain, path /).
    app.config["SESSION_COOKIE_NAME"] = "__Host-vividart" if secure else "vividart"
    if app.config["TRUST_PROXY"]:
        # The load balancer sets X-Forwarded-For and -Proto; it passes a client's X-Forwarded-Host
        # through untouched, so that one is never believed (the Host header is the site's).
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=0, x_port=0, x_prefix=0)

    database = Database(app.config["DATABASE_URL"],
                        credentials=credentials.database_secret(aws_location, app.config["DATABASE_SECRET"])).open()
    database.migrate()
    app.extensions["db"] = database
    app.extensions["stack"] = stacks
    app.extensions["catalog"] = Catalog()
    app.extensions["hub"] = hub = Hub(database, max_streams=int(app.config["MAX_STREAMS"]))
    if app.config["START_EVENTS"]:
        hub.start()

    logs.init_app(app)
    ratelimits.init_app(app, database)
    security.init_app(app)
    auth.init_app(app)
    apispec.init_app(app, [shoots.bp, uploads.bp, edits.bp, events.bp, links.bp, deliveries.bp, gallery.bp, ops.bp,
                           account.bp, studio.bp])
    for blueprint in (sign_in.bp, sns.bp, pages.bp, gallery.pages, ops.pages, studio.pages, unsubscribe.bp):
        app.register_blueprint(blueprint)
    if app.config["START_EVENTS"]:
        photos.build_once_in_the_background(database, stacks, app.extensions["catalog"])

    @app.get("/healthz")
    def healthz():
        return jsonify(ok=True, deployed=app.extensions["stack"].current().deployed, streams=hub.streams)

    return app
