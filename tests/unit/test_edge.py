"""One source for the edge: terraform/edge.json holds what the app depends on at its edge (idle
timeout above the event streams' heartbeat, forwarded headers, HTTPS only, minimum TLS, HSTS).
The AWS load balancer serves exactly it (a plan of each AWS environment with the mock provider:
terraform/tests/edge.tftest.hcl); the local HTTPS proxy (HAProxy, configured by
scripts/https_proxy.py from the same file) is run here and asked what it does."""

import json
import shutil
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler
from types import SimpleNamespace

import https_proxy
import pytest
import requests

from support import REPO, QuietHTTPServer, terraform, wait_for

EDGE = json.loads((REPO / "terraform" / "edge.json").read_text())


def test_the_edge_settings_hold_together():
    assert EDGE["idle_timeout_seconds"] >= 2 * EDGE["sse_heartbeat_seconds"]  # an idle stream is never cut
    assert EDGE["http_redirects_to_https"] and EDGE["tls_min_version"] in ("TLSv1.2", "TLSv1.3")
    assert {"X-Forwarded-For", "X-Forwarded-Proto"} <= set(EDGE["forwarded_headers"])


@pytest.fixture(scope="module")
def plans_of_the_load_balancer(tmp_path_factory):
    """terraform/tests/edge.tftest.hcl run on a copy of terraform/, with this edge.json (or another)."""
    def run(edge: dict):
        work = tmp_path_factory.mktemp("edge") / "terraform"
        for part in ("modules", "environments/staging", "environments/production", "tests/mocks"):
            shutil.copytree(REPO / "terraform" / part, work / part, ignore=shutil.ignore_patterns(".terraform", "terraform.tfstate*"))
        for part in ("tests.tf", ".terraform.lock.hcl", "tests/edge.tftest.hcl", "state/naming.json"):
            (work / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / "terraform" / part, work / part)
        (work / "edge.json").write_text(json.dumps(edge))
        init = terraform("init", "-backend=false", "-input=false", "-no-color", cwd=work)
        assert init.returncode == 0, init.stdout + init.stderr
        return terraform("test", "-no-color", "-filter=tests/edge.tftest.hcl", cwd=work)
    return run


def test_the_load_balancer_serves_edge_json(plans_of_the_load_balancer):
    result = plans_of_the_load_balancer(EDGE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert 'run "staging_serves_edge_json"... pass' in result.stdout and 'run "production_serves_edge_json"... pass' in result.stdout


def test_a_changed_edge_json_reaches_the_load_balancer(plans_of_the_load_balancer):
    """The load balancer follows the file: no second copy of a value anywhere in the Terraform."""
    changed = {**EDGE, "idle_timeout_seconds": EDGE["idle_timeout_seconds"] + 60, "tls_min_version": "TLSv1.3",
               "hsts_max_age_seconds": EDGE["hsts_max_age_seconds"] * 2}
    result = plans_of_the_load_balancer(changed)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_edge_json_the_load_balancer_cannot_serve_is_refused(plans_of_the_load_balancer):
    result = plans_of_the_load_balancer({**EDGE, "idle_timeout_seconds": EDGE["sse_heartbeat_seconds"]})
    assert result.returncode != 0 and "at least twice sse_heartbeat_seconds" in result.stdout + result.stderr


# --- the local HTTPS proxy's half: HAProxy from Debian, run from the configuration it is given ---

class _Backend(BaseHTTPRequestHandler):
    """The web app's place: answers every request with the headers it arrived with."""

    def do_GET(self):  # noqa: N802 - http.server's name
        seen: dict[str, str] = {}
        for name, value in self.headers.items():  # repeated lines as one list, as WSGI servers join them
            seen[name.lower()] = f"{seen[name.lower()]},{value}" if name.lower() in seen else value
        body = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def proxies(tmp_path_factory):
    """HAProxy in front of a backend that echoes headers, as `HTTPS=1 make up` starts it, from
    edge.json's settings (or others)."""
    backend = QuietHTTPServer(("127.0.0.1", 0), _Backend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    running = []

    def start(settings: dict) -> SimpleNamespace:
        folder = tmp_path_factory.mktemp("https")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            https_port = probe.getsockname()[1]
        https_proxy.prepare(folder, https_port, backend.server_address[1], None, drop_to_user=False, settings=settings)
        log = (folder / "proxy.log").open("w")
        running.append(subprocess.Popen(["haproxy", "-db", "-f", str(folder / "haproxy.cfg")], stdout=log,
                                        stderr=subprocess.STDOUT))
        url = f"https://127.0.0.1:{https_port}"
        wait_for(lambda: _answers(url, folder / "cert.pem"), timeout=15)
        return SimpleNamespace(url=url, cert=folder / "cert.pem", log=folder / "proxy.log", config=folder / "haproxy.cfg")
    yield start
    for process in running:
        process.terminate()
        process.wait(10)
    backend.shutdown()


@pytest.fixture(scope="module")
def proxy(proxies):
    return proxies(EDGE)


def _answers(url: str, cert) -> bool:
    try:
        return requests.get(url, verify=str(cert), timeout=2).ok
    except requests.RequestException:
        return False


def test_the_proxy_keeps_connections_as_long_as_the_load_balancer(proxy):
    config = proxy.config.read_text()
    idle = EDGE["idle_timeout_seconds"]
    for line in (f"timeout client {idle}s", f"timeout server {idle}s", f"timeout http-keep-alive {idle}s",
                 f"ssl-min-ver {EDGE['tls_min_version']}"):
        assert line in config


def test_the_proxy_forwards_what_the_load_balancer_forwards(proxy):
    seen = requests.get(f"{proxy.url}/shoots", verify=str(proxy.cert), timeout=10,
                        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "evil.example"}).json()
    assert seen["x-forwarded-proto"] == "https"
    assert seen["x-forwarded-port"] == proxy.url.rsplit(":", 1)[1]
    assert seen["x-forwarded-for"].replace(" ", "") == "203.0.113.9,127.0.0.1"  # appended to, as the ALB does
    assert seen["x-forwarded-host"] == "evil.example"  # passed through untouched: the app never believes it


def _handshake(proxy, version: ssl.TLSVersion) -> str:
    """The TLS version a client offering only `version` ends up with."""
    context = ssl.create_default_context(cafile=str(proxy.cert))
    context.minimum_version = context.maximum_version = version
    host, port = proxy.url.removeprefix("https://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as raw, \
            context.wrap_socket(raw, server_hostname=host) as tls:
        return tls.version()


def test_the_proxy_speaks_tls_from_the_edges_minimum_only(proxy, proxies):
    assert _handshake(proxy, ssl.TLSVersion.TLSv1_2) == "TLSv1.2" == EDGE["tls_min_version"]
    stricter = proxies({**EDGE, "tls_min_version": "TLSv1.3"})  # the file's minimum is what the proxy holds to
    assert _handshake(stricter, ssl.TLSVersion.TLSv1_3) == "TLSv1.3"
    with pytest.raises(ssl.SSLError, match="(?i)version"):  # the proxy's "protocol version" alert
        _handshake(stricter, ssl.TLSVersion.TLSv1_2)


def test_no_token_reaches_the_proxys_log(proxy):
    token, unsubscribe = "12g-" + "A" * 32, "bGluazoxMgphQGIuY29t." + "B" * 32
    for path in (f"/g/{token}", f"/api/g/{token}/photos?after=x", f"/unsubscribe/{unsubscribe}"):
        assert requests.get(proxy.url + path, verify=str(proxy.cert), timeout=10).ok
    logged = wait_for(lambda: (text := proxy.log.read_text()).count("[token]") >= 3 and text, timeout=10)
    assert "A" * 32 not in logged and "B" * 32 not in logged
    assert "GET /g/12g-[token] HTTP/1.1" in logged and "GET /unsubscribe/[token] HTTP/1.1" in logged
