import base64
import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from webapp.sns_signature import SignatureError, canonical_string, verify

CERT_URL = "http://127.0.0.1:4566/_aws/sns/SimpleNotificationService-test.pem"


@pytest.fixture(scope="module")
def signer():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return key, cert.public_bytes(serialization.Encoding.PEM)


def signed(key, message: dict, version: str = "1") -> dict:
    algorithm = hashes.SHA256() if version == "2" else hashes.SHA1()
    signature = key.sign(canonical_string(message), padding.PKCS1v15(), algorithm)
    return dict(message, SignatureVersion=version, SigningCertURL=CERT_URL,
                Signature=base64.b64encode(signature).decode())


NOTIFICATION = {"Type": "Notification", "MessageId": "m1", "TopicArn": "arn:aws:sns:us-east-1:0:t",
                "Message": '{"type":"processed"}', "Timestamp": "2026-11-24T00:00:00.000Z"}


@pytest.mark.parametrize("version", ["1", "2"])
def test_genuine_messages_pass(signer, version):
    key, pem = signer
    verify(signed(key, NOTIFICATION, version), ["http://127.0.0.1:4566/"], lambda url: pem)


def test_a_changed_message_fails(signer):
    key, pem = signer
    message = signed(key, NOTIFICATION)
    message["Message"] = '{"type":"failed"}'
    with pytest.raises(SignatureError, match="does not match"):
        verify(message, ["http://127.0.0.1:4566/"], lambda url: pem)


def test_a_certificate_from_elsewhere_is_not_fetched(signer):
    key, pem = signer
    fetched = []
    with pytest.raises(SignatureError, match="not trusted"):
        verify(signed(key, NOTIFICATION), ["https://sns.us-east-1.amazonaws.com/"], fetched.append)
    assert fetched == []


def test_subscription_confirmation_signs_its_own_fields():
    message = {"Type": "SubscriptionConfirmation", "Message": "m", "MessageId": "i", "SubscribeURL": "u",
               "Timestamp": "t", "Token": "k", "TopicArn": "a", "Subject": "ignored"}
    assert canonical_string(message) == b"Message\nm\nMessageId\ni\nSubscribeURL\nu\nTimestamp\nt\nToken\nk\nTopicArn\na\nType\nSubscriptionConfirmation\n"
