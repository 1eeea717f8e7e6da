"""The VividArt web app: uploads straight to S3, live job progress, downloads."""

from __future__ import annotations

from flask import Flask, jsonify

from photo_jobs import limits
from photo_jobs.settings import StackSource
from webapp.broker import Broker


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        MAX_UPLOAD_BYTES=limits.MAX_SOURCE_BYTES,
        # Topics whose SubscriptionConfirmation we accept (fnmatch patterns, comma-separated).
        SNS_ALLOWED_TOPICS="",
        SSE_HEARTBEAT_SECONDS=15,
    )
    app.config.from_prefixed_env("VIVIDART_WEB")
    if test_config:
        app.config.update(test_config)
    app.extensions["stack"] = app.config.get("STACK_SOURCE") or StackSource()
    app.extensions["broker"] = Broker()

    from webapp import jobs, notifications, pages

    app.register_blueprint(pages.bp)
    app.register_blueprint(jobs.bp)
    app.register_blueprint(notifications.bp)

    @app.get("/healthz")
    def healthz():
        return jsonify(ok=True, deployed=app.extensions["stack"].current().deployed)

    return app
