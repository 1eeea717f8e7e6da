"""POST /sns: the SNS topic's HTTPS (locally HTTP) subscription. Every message is checked
(sns_signature.py): signed with SHA256 by the certificate at SNS's own location, at most an hour
old, from this stack's topic, never seen before; then a job's record updates its photo's row
(services.photos) and the row becomes a live event for the pages of its shoot, on every instance;
an archive's status goes to who asked for it; a tick (the schedule's) sends the lifecycle emails due.
"""

from __future__ import annotations

import fnmatch
import json
import logging
from datetime import UTC, datetime

import requests
from flask import Blueprint, current_app, jsonify, request

from photo_jobs import ticks
from webapp.context import aws, db, mailer
from webapp.ratelimits import limiter
from webapp.routes.deliveries import reported as archive_reported
from webapp.routes.events import announce
from webapp.repositories import messages
from webapp.services import deliveries, photos, schedule
from webapp.sns_signature import CertificateCache, SignatureError, SnsEndpoint, check_fresh, check_shape, verify

bp = Blueprint("sns", __name__)
LOG = logging.getLogger(__name__)
MAX_BODY = 300 * 1024  # SNS messages are at most 256 KiB, plus their envelope
MAX_CERTIFICATE = 64 * 1024


def _fetch(url: str) -> bytes:
    """A signing certificate (its URL already checked to be SNS's own); a failure to get one is
    the sender's problem (400), not the app's (500)."""
    try:
        with requests.get(url, timeout=5, stream=True, allow_redirects=False) as response:
            response.raise_for_status()
            pem = response.raw.read(MAX_CERTIFICATE + 1, decode_content=True)
    except requests.RequestException as error:
        raise SignatureError(f"the signing certificate could not be fetched ({type(error).__name__})") from None
    if len(pem) > MAX_CERTIFICATE:
        raise SignatureError("the signing certificate is too large to be one")
    return pem


def certificates() -> CertificateCache:
    return current_app.extensions.setdefault("sns_certificates", CertificateCache(_fetch))


def _topic_allowed(topic_arn: str, stack) -> bool:
    patterns = [p.strip() for p in current_app.config["SNS_ALLOWED_TOPICS"].split(",") if p.strip()]
    return topic_arn == stack.topic_arn or any(fnmatch.fnmatchcase(topic_arn, p) for p in patterns)


def _refuse(status: int, why: str):
    LOG.warning("refused an SNS message: %s", why)
    return jsonify(code=status, message=why), status


@bp.post("/sns")
# Refusals counted per address, never deliveries: a wedding's thousand events a minute come from
# a few SNS addresses (locally one), and none may be turned away; a forger gets 429 after 600 refusals.
@limiter.limit("600 per minute", deduct_when=lambda response: response.status_code >= 400)
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
        first = messages.first_time(conn, message["MessageId"])
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
        tick = ticks.of_message(message["Message"])
        if tick is not None:  # the schedule: what is due now (by this app's clock)
            sent = schedule.tick(db(), mailer(), datetime.now(UTC), limiter.storage)
            for row in schedule.settle(db(), aws("s3"), stack):  # what a lost event would have said
                announce(row)
            LOG.info("tick of %s: %d emails sent", tick.isoformat(), sent)
            return jsonify(received=message["MessageId"], type=ticks.TYPE, sent=sent)
        archive = deliveries.of_record(message["Message"])
        if archive is not None:  # an archive's progress, not a job's end
            archive_reported(archive)
            return jsonify(received=message["MessageId"], archive_id=archive.archive_id, state=archive.state)
        record = json.loads(message["Message"])
        source_key, job_id, kind = record["source"]["key"], record["job_id"], record["type"]
    except (ValueError, KeyError, TypeError):
        return _refuse(400, "the notification is not a job record or an archive's status")
    announce(photos.recorded(db(), aws("s3"), stack, record))
    return jsonify(received=message["MessageId"], job_id=job_id, type=kind, key=source_key)
