"""Amazon SNS message signatures: is this HTTP POST really from the topic it names?

https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
"""

from __future__ import annotations

import base64
from typing import Callable

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}


class SignatureError(Exception):
    pass


def canonical_string(message: dict) -> bytes:
    fields = _FIELDS.get(message.get("Type", ""))
    if fields is None:
        raise SignatureError(f"unknown message type {message.get('Type')!r}")
    return "".join(f"{f}\n{message[f]}\n" for f in fields if f in message).encode()


def verify(message: dict, trusted_cert_prefixes: list[str], fetch: Callable[[str], bytes]) -> None:
    """Raise SignatureError unless the message is signed by a certificate from a trusted URL."""
    cert_url = message.get("SigningCertURL", "")
    if not any(cert_url.startswith(prefix) for prefix in trusted_cert_prefixes):
        raise SignatureError(f"signing certificate URL is not trusted: {cert_url!r}")
    version = message.get("SignatureVersion")
    if version not in ("1", "2"):
        raise SignatureError(f"unsupported SignatureVersion {version!r}")
    try:
        signature = base64.b64decode(message["Signature"])
    except (KeyError, ValueError):
        raise SignatureError("missing or malformed Signature") from None
    certificate = x509.load_pem_x509_certificate(fetch(cert_url))
    algorithm = hashes.SHA256() if version == "2" else hashes.SHA1()
    try:
        certificate.public_key().verify(signature, canonical_string(message), padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        raise SignatureError("signature does not match the message") from None
