"""Amazon SNS messages: is this HTTP POST really from the topic it names, and fresh?

https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html

Pure checks; fetching certificates and remembering message ids are the caller's.
"""

from __future__ import annotations

import base64
import re
import time
from collections import OrderedDict, deque
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
# Where AWS's are: SimpleNotificationService-<32 hex>.pem at the region's SNS host, nothing else
# (any other .pem path on that host would make the app fetch whatever an attacker names).
AWS_CERT_PATH = re.compile(r"/SimpleNotificationService-[0-9a-f]{32}\.pem")
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
                and parts.port is None and AWS_CERT_PATH.fullmatch(parts.path) is not None and not parts.query
                and not parts.fragment and not parts.username and not parts.password)

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
    """Certificates by URL; one fetched again at most once a minute, however many bad signatures
    come; at most MAX_HELD kept (SNS signs with one or two at a time), the least used dropped.
    Fetches are few whatever the senders say: a URL that failed is not fetched again for a minute,
    and at most MAX_FETCHES happen a minute in all (a forger naming a new certificate with every
    message gets refusals, not fetches)."""

    REFETCH_AFTER = 60.0
    MAX_HELD = 8
    MAX_FETCHES = 10

    def __init__(self, fetch: Callable[[str], bytes], clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch, self._clock = fetch, clock
        self._held: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        self._failed: OrderedDict[str, float] = OrderedDict()
        self._fetched: deque[float] = deque()

    def __call__(self, url: str, fresh: bool) -> bytes | None:
        held = self._held.get(url)
        if held:
            self._held.move_to_end(url)
        if held and not fresh:
            return held[0]
        now = self._clock()
        if held and fresh and now - held[1] < self.REFETCH_AFTER:
            return None  # fetched moments ago: another fetch would only tell the same
        if url in self._failed and now - self._failed[url] < self.REFETCH_AFTER:
            raise SignatureError("the signing certificate could not be fetched a moment ago")
        while self._fetched and now - self._fetched[0] >= self.REFETCH_AFTER:
            self._fetched.popleft()
        if len(self._fetched) >= self.MAX_FETCHES:
            raise SignatureError("too many signing certificates asked for just now")
        self._fetched.append(now)
        try:
            pem = self._fetch(url)
        except SignatureError:
            self._failed[url] = now
            while len(self._failed) > self.MAX_FETCHES:
                self._failed.popitem(last=False)
            raise
        self._held[url] = (pem, now)
        while len(self._held) > self.MAX_HELD:
            self._held.popitem(last=False)
        return pem

    def __len__(self) -> int:
        return len(self._held)
