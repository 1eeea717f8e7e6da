"""Amazon SNS messages: is this HTTP POST really from the topic it names, and fresh?

https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html

Pure checks; fetching certificates and remembering message ids are the caller's.
"""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta
from typing import Callable
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

MAX_AGE = timedelta(hours=1)
MAX_CLOCK_SKEW = timedelta(minutes=5)
# Where LocalStack serves its signing certificate (its constant name, whatever the instance).
LOCALSTACK_CERT_PATH = "/_aws/sns/SimpleNotificationService-6c6f63616c737461636b69736e696365.pem"
_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}
_REQUIRED = ("Type", "MessageId", "TopicArn", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL")


class SignatureError(Exception):
    pass


class SnsEndpoint:
    """Where the messages of one stack's SNS come from: AWS's regional endpoint, or LocalStack's."""

    def __init__(self, region: str, localstack_endpoint: str = "") -> None:
        self.region = region
        self.local = localstack_endpoint.rstrip("/")

    def trusts_certificate(self, url: str) -> bool:
        parts = urlsplit(url)
        if self.local:
            return url == self.local + LOCALSTACK_CERT_PATH
        return (parts.scheme == "https" and parts.hostname == f"sns.{self.region}.amazonaws.com"
                and parts.port is None and parts.path.endswith(".pem") and not parts.query and not parts.fragment)

    def trusts_subscribe_url(self, url: str) -> bool:
        parts = urlsplit(url)
        if self.local:
            local = urlsplit(self.local)
            return (parts.scheme, parts.netloc) == (local.scheme, local.netloc) and "Action=ConfirmSubscription" in parts.query
        return (parts.scheme == "https" and parts.hostname == f"sns.{self.region}.amazonaws.com" and parts.port is None
                and "Action=ConfirmSubscription" in parts.query)


def check_shape(message) -> dict:
    if not isinstance(message, dict):
        raise SignatureError("an SNS message is a JSON object")
    missing = [f for f in _REQUIRED if not isinstance(message.get(f), str)]
    if missing:
        raise SignatureError(f"not an SNS message: {', '.join(missing)} missing")
    if message["Type"] not in _FIELDS:
        raise SignatureError(f"unknown message type {message['Type']!r}")
    return message


def canonical_string(message: dict) -> bytes:
    fields = _FIELDS[message["Type"]]
    return "".join(f"{f}\n{message[f]}\n" for f in fields if f in message).encode()


def check_fresh(message: dict, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    try:
        sent = datetime.fromisoformat(message["Timestamp"].replace("Z", "+00:00"))
    except ValueError:
        raise SignatureError("the message's Timestamp is not a time") from None
    if sent.tzinfo is None:
        raise SignatureError("the message's Timestamp has no time zone")
    if now - sent > MAX_AGE or sent - now > MAX_CLOCK_SKEW:
        raise SignatureError(f"the message was sent at {message['Timestamp']}: more than an hour from now")


def verify(message: dict, endpoint: SnsEndpoint, certificate: Callable[[str, bool], bytes]) -> None:
    """Raise SignatureError unless the message is signed (SHA256, SignatureVersion 2) by the
    certificate at a location this endpoint trusts. `certificate(url, fresh)` returns its PEM;
    `fresh` asks for it again rather than from memory (after a mismatch: certificates rotate)."""
    if message["SignatureVersion"] != "2":
        raise SignatureError(f"SignatureVersion {message['SignatureVersion']!r} refused: only 2 (SHA256) is accepted")
    url = message["SigningCertURL"]
    if not endpoint.trusts_certificate(url):
        raise SignatureError(f"signing certificate URL is not trusted: {url!r}")
    try:
        signature = base64.b64decode(message["Signature"], validate=True)
    except ValueError:
        raise SignatureError("malformed Signature") from None
    text = canonical_string(message)
    for fresh in (False, True):
        pem = certificate(url, fresh)
        if pem is None:
            break
        try:
            x509.load_pem_x509_certificate(pem).public_key().verify(signature, text, padding.PKCS1v15(), hashes.SHA256())
            return
        except (InvalidSignature, ValueError):
            continue
    raise SignatureError("signature does not match the message")


class CertificateCache:
    """Certificates by URL; one fetched again at most once a minute, however many bad signatures come."""

    REFETCH_AFTER = 60.0

    def __init__(self, fetch: Callable[[str], bytes], clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch, self._clock = fetch, clock
        self._held: dict[str, tuple[bytes, float]] = {}

    def __call__(self, url: str, fresh: bool) -> bytes | None:
        held = self._held.get(url)
        if held and not fresh:
            return held[0]
        if held and fresh and self._clock() - held[1] < self.REFETCH_AFTER:
            return None  # fetched moments ago: another fetch would only tell the same
        pem = self._fetch(url)
        self._held[url] = (pem, self._clock())
        return pem
