"""SNS message checks, with a signing key and certificate made here."""

import base64
import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from webapp.sns_signature import (LOCALSTACK_CERT_PATH, CertificateCache, SignatureError, SnsEndpoint, canonical_string,
                                  check_fresh, check_shape, verify)

LOCAL = SnsEndpoint("us-east-1", "http://127.0.0.1:4566")
AWS = SnsEndpoint("eu-west-1")
LOCAL_CERT = "http://127.0.0.1:4566" + LOCALSTACK_CERT_PATH


def keypair():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return key, cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def signer():
    return keypair()


def now_stamp(delta=datetime.timedelta()) -> str:
    return (datetime.datetime.now(datetime.UTC) + delta).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def signed(key, message: dict, version: str = "2", cert_url: str = LOCAL_CERT) -> dict:
    algorithm = hashes.SHA256() if version == "2" else hashes.SHA1()
    signature = key.sign(canonical_string(message), padding.PKCS1v15(), algorithm)
    return dict(message, SignatureVersion=version, SigningCertURL=cert_url, Signature=base64.b64encode(signature).decode())


def notification(**changes) -> dict:
    return {"Type": "Notification", "MessageId": "m1", "TopicArn": "arn:aws:sns:us-east-1:0:t",
            "Message": '{"type":"processed"}', "Timestamp": now_stamp(), **changes}


def test_a_genuine_v2_message_passes(signer):
    key, pem = signer
    message = check_shape(signed(key, notification()))
    check_fresh(message)
    verify(message, LOCAL, lambda url, fresh: pem)


def test_sha1_signatures_are_refused(signer):
    key, pem = signer
    with pytest.raises(SignatureError, match="only 2"):
        verify(signed(key, notification(), version="1"), LOCAL, lambda url, fresh: pem)


def test_a_changed_message_fails(signer):
    key, pem = signer
    message = signed(key, notification())
    message["Message"] = '{"type":"failed"}'
    with pytest.raises(SignatureError, match="does not match"):
        verify(message, LOCAL, lambda url, fresh: pem)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:4566/src-bucket/SimpleNotificationService-6c6f63616c737461636b69736e696365.pem",  # a file in a bucket
    "http://127.0.0.1:4566/_aws/sns/other.pem",
    "http://127.0.0.1:4567" + LOCALSTACK_CERT_PATH,
    "http://evil.example" + LOCALSTACK_CERT_PATH,
])
def test_locally_only_localstacks_own_certificate_is_trusted(signer, url):
    key, pem = signer
    with pytest.raises(SignatureError, match="not trusted"):
        verify(signed(key, notification(), cert_url=url), LOCAL, lambda u, fresh: pem)


@pytest.mark.parametrize("url, trusted", [
    ("https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem", True),
    ("https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem", False),  # not the form of SNS's names
    ("http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem", False),
    ("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem", False),
    ("https://sns.eu-west-1.amazonaws.com.evil.example/x.pem", False),
    ("https://sns.eu-west-1.amazonaws.com:8443/x.pem", False),
    ("https://sns.eu-west-1.amazonaws.com/x.txt", False),
    ("https://evil.example/sns.eu-west-1.amazonaws.com/x.pem", False),
])
def test_on_aws_only_https_certificates_of_the_regions_sns(url, trusted):
    assert AWS.trusts_certificate(url) is trusted


@pytest.mark.parametrize("url, trusted", [
    ("http://127.0.0.1:4566/?Action=ConfirmSubscription&Token=x", True),
    ("http://127.0.0.1:45660/?Action=ConfirmSubscription&Token=x", False),  # a prefix of the host, not the host
    ("http://127.0.0.1:4566.evil.example/?Action=ConfirmSubscription", False),
    ("http://127.0.0.1:4566/?Action=DeleteTopic", False),
])
def test_subscribe_urls_are_checked_by_their_parts(url, trusted):
    assert LOCAL.trusts_subscribe_url(url) is trusted


@pytest.mark.parametrize("delta, fresh", [(datetime.timedelta(minutes=-59), True), (datetime.timedelta(minutes=-61), False),
                                          (datetime.timedelta(minutes=10), False)])
def test_messages_older_than_an_hour_are_refused(delta, fresh):
    message = notification(Timestamp=now_stamp(delta))
    if fresh:
        check_fresh(message)
    else:
        with pytest.raises(SignatureError, match="more than an hour"):
            check_fresh(message)


ENVELOPE = {"SignatureVersion": "2", "SigningCertURL": LOCAL_CERT, "Signature": "AAAA"}


@pytest.mark.parametrize("body, why", [
    ([], "JSON object"), (None, "JSON object"), ("text", "JSON object"),
    ({"Type": "Notification"}, "missing"),
    ({**notification(), **ENVELOPE, "Type": "Other"}, "unknown message type"),
    ({**notification(), **ENVELOPE, "Signature": 5}, "Signature missing"),
])
def test_bodies_that_are_not_sns_messages_are_refused(body, why):
    with pytest.raises(SignatureError, match=why):
        check_shape(body)


def test_a_rotated_certificate_is_fetched_again_but_at_most_once_a_minute(signer):
    old_key, old_pem = keypair()
    new_key, new_pem = signer
    served, fetches, clock = [old_pem], [], [1000.0]

    def fetch(url):
        fetches.append(url)
        return served[0]

    cache = CertificateCache(fetch, clock=lambda: clock[0])
    verify(signed(old_key, notification()), LOCAL, cache)
    served[0] = new_pem  # LocalStack restarted: a new key
    clock[0] += 120
    verify(signed(new_key, notification()), LOCAL, cache)  # mismatch, fetched again, fine
    assert len(fetches) == 2
    for _ in range(5):  # forged messages: no new fetch within the minute
        with pytest.raises(SignatureError):
            verify(signed(old_key, notification()), LOCAL, cache)
    assert len(fetches) == 2
