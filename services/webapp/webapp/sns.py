"""POST /sns: the SNS topic's HTTPS (locally HTTP) subscription. Every message is checked
(sns_signature.py): signed with SHA256 by the certificate at SNS's own location, at most an hour
old, from this stack's topic, never seen before; then a job's end becomes a live event for the
pages of its shoot, on every instance.
"""

from __future__ import annotations

import fnmatch
import json
import logging

import requests
from flask import Blueprint, current_app, jsonify, request

from photo_jobs import keys
from webapp import studio
from webapp.catalog import UNSORTED
from webapp.context import db, hub
from webapp.sns_signature import CertificateCache, SignatureError, SnsEndpoint, check_fresh, check_shape, verify

bp = Blueprint("sns", __name__)
LOG = logging.getLogger(__name__)
MAX_BODY = 300 * 1024  # SNS messages are at most 256 KiB, plus their envelope


def _fetch(url: str) -> bytes:
    response = requests.get(url, timeout=5)
    response.raise_for_status()
    return response.content


def certificates() -> CertificateCache:
    return current_app.extensions.setdefault("sns_certificates", CertificateCache(_fetch))


def _topic_allowed(topic_arn: str, stack) -> bool:
    patterns = [p.strip() for p in current_app.config["SNS_ALLOWED_TOPICS"].split(",") if p.strip()]
    return topic_arn == stack.topic_arn or any(fnmatch.fnmatchcase(topic_arn, p) for p in patterns)


def _refuse(status: int, why: str):
    LOG.warning("refused an SNS message: %s", why)
    return jsonify(code=status, message=why), status


@bp.post("/sns")
def receive():
    if (request.content_length or 0) > MAX_BODY:
        return _refuse(413, f"an SNS message is at most {MAX_BODY} bytes")
    body = request.stream.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _refuse(413, f"an SNS message is at most {MAX_BODY} bytes")
    stack = current_app.extensions["stack"].current()
    try:
        message = check_shape(json.loads(body))
        check_fresh(message)
        verify(message, SnsEndpoint(stack.region, stack.localstack_endpoint), certificates())
    except (ValueError, SignatureError) as error:  # ValueError: not JSON, or not UTF-8
        return _refuse(400, str(error))
    if not _topic_allowed(message["TopicArn"], stack):
        return _refuse(403, f"topic not ours: {message['TopicArn']}")
    with db().transaction() as conn:
        first = conn.execute("INSERT INTO sns_messages (message_id) VALUES (%s) ON CONFLICT DO NOTHING",
                             (message["MessageId"],)).rowcount
        conn.execute("DELETE FROM sns_messages WHERE received_at < now() - interval '2 hours'")
    if not first:
        return _refuse(409, f"message {message['MessageId']} was received before: a replay")

    if message["Type"] == "SubscriptionConfirmation":
        if not SnsEndpoint(stack.region, stack.localstack_endpoint).trusts_subscribe_url(message.get("SubscribeURL", "")):
            return _refuse(400, "SubscribeURL is not SNS's")
        requests.get(message["SubscribeURL"], timeout=10).raise_for_status()
        LOG.info("confirmed the subscription to %s", message["TopicArn"])
        return jsonify(confirmed=message["TopicArn"])
    if message["Type"] != "Notification":
        return jsonify(ignored=message["Type"])
    try:
        record = json.loads(message["Message"])
        source_key, job_id, kind = record["source"]["key"], record["job_id"], record["type"]
    except (ValueError, KeyError, TypeError):
        return _refuse(400, "the notification is not a job record")
    announce(stack, record)
    return jsonify(received=message["MessageId"], job_id=job_id, type=kind, key=source_key)


def announce(stack, record: dict) -> None:
    """A job's end, for the pages of its shoot: what happened, never where its files are."""
    key = record["source"]["key"]
    folder = keys.shoot_folder(stack.upload_prefix, key)
    with db().transaction() as conn:
        shoot = folder if "/" in key[len(stack.upload_prefix):] and studio.get(conn, folder) else UNSORTED
    hub().publish(shoot, "job", {"key": key, "job_id": record["job_id"], "status": record["type"],
                                 "error": record.get("error")})
