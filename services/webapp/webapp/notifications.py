"""POST /sns: the topic's HTTP subscription. GET /api/events: the live stream for open pages."""

from __future__ import annotations

import fnmatch
import json
import queue
import urllib.request
from functools import lru_cache

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context

from webapp.sns_signature import SignatureError, verify

bp = Blueprint("notifications", __name__)


@lru_cache(maxsize=8)
def _fetch_certificate(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read()


def _verify(message: dict, stack) -> None:
    try:
        verify(message, _trusted_prefixes(stack), _fetch_certificate)
    except SignatureError:
        # The signer may have rotated its certificate (a restarted LocalStack does): fetch anew once.
        _fetch_certificate.cache_clear()
        verify(message, _trusted_prefixes(stack), _fetch_certificate)


def _trusted_prefixes(stack) -> list[str]:
    if stack.localstack_endpoint:
        return [stack.localstack_endpoint.rstrip("/") + "/"]
    return [f"https://sns.{stack.region}.amazonaws.com/"]


def _topic_allowed(topic_arn: str, stack) -> bool:
    patterns = [p.strip() for p in current_app.config["SNS_ALLOWED_TOPICS"].split(",") if p.strip()]
    if stack.topic_arn:
        patterns.append(stack.topic_arn)
    return any(fnmatch.fnmatchcase(topic_arn, p) for p in patterns)


@bp.post("/sns")
def sns_endpoint():
    stack = current_app.extensions["stack"].current()
    try:
        message = json.loads(request.get_data(as_text=True))
        _verify(message, stack)
    except (ValueError, SignatureError) as error:
        current_app.logger.warning("rejected SNS message: %s", error)
        return jsonify(error=str(error)), 400
    topic = message.get("TopicArn", "")
    if not _topic_allowed(topic, stack):
        current_app.logger.warning("SNS message from a topic not ours: %s", topic)
        return jsonify(error="topic not allowed"), 403
    kind = message["Type"]
    if kind == "SubscriptionConfirmation":
        subscribe_url = message["SubscribeURL"]
        if not any(subscribe_url.startswith(p.rstrip("/")) for p in _trusted_prefixes(stack)):
            return jsonify(error="SubscribeURL host is not trusted"), 400
        with urllib.request.urlopen(subscribe_url, timeout=10) as response:
            response.read()
        current_app.logger.info("confirmed subscription to %s", topic)
        return jsonify(confirmed=topic)
    if kind == "Notification":
        try:
            event = json.loads(message["Message"])
        except ValueError:
            return jsonify(error="notification message is not JSON"), 400
        current_app.extensions["broker"].publish(event)
        return jsonify(received=message["MessageId"])
    return jsonify(ignored=kind)


@bp.get("/api/events")
def event_stream():
    broker = current_app.extensions["broker"]
    heartbeat = current_app.config["SSE_HEARTBEAT_SECONDS"]
    subscriber = broker.subscribe()

    def stream():
        try:
            yield ": connected\n\n"
            while True:
                try:
                    event = subscriber.get(timeout=heartbeat)
                    yield f"event: job\ndata: {json.dumps(event)}\n\n"
                except queue.Empty:
                    yield ": heartbeat\n\n"
        finally:
            broker.unsubscribe(subscriber)

    return Response(stream_with_context(stream()), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@bp.get("/api/events/recent")
def recent_events():
    return jsonify(events=current_app.extensions["broker"].recent())
