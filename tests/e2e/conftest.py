import base64
import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import sync_playwright

from browser import CHROMIUM, CHROMIUM_FLAGS


@pytest.fixture(scope="session")
def stack(compose_stack):
    """The end-to-end tests' stack: compose mode, over HTTPS as deployed."""
    return compose_stack


@pytest.fixture(params=["https", "http"])
def site(request):
    """Where a browser journey runs: over HTTPS as deployed (the compose stack behind its TLS
    proxy), and over plain HTTP as developers run it (the embedded stack)."""
    return request.getfixturevalue("compose_stack" if request.param == "https" else "embedded_stack")


def spki_hash(certificate: Path) -> str:
    """What Chromium's --ignore-certificate-errors-spki-list takes: trust this one key, no other."""
    key = x509.load_pem_x509_certificate(certificate.read_bytes()).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


@pytest.fixture(scope="session")
def browser(compose_stack):
    """Debian's Chromium, driven by Playwright (no browser is downloaded), trusting the compose
    stack's own certificate as a browser trusts a load balancer's."""
    trust = f"--ignore-certificate-errors-spki-list={spki_hash(compose_stack.run_dir / 'https' / 'cert.pem')}"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_FLAGS, trust])
        yield chromium
        chromium.close()


@pytest.fixture
def screenshots(request):
    """Where the browser tests keep their screenshots (the run folder of the stack they ran on:
    looked at, never committed)."""
    stack = request.getfixturevalue("site" if "site" in request.fixturenames else "stack")
    folder = stack.run_dir / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder
