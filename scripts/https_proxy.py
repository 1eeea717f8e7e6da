#!/usr/bin/env python3
"""The local TLS proxy in front of the web app (`HTTPS=1 make up`), set as AWS's load balancer is.

What the app depends on at its edge comes from terraform/edge.json, the file the Terraform's
load balancer reads too: the idle timeout (above the event streams' heartbeat), the forwarded
headers (X-Forwarded-For appended, -Proto and -Port set; a client's X-Forwarded-Host passed
through untouched, as the ALB does, and never believed by the app), the TLS minimum. The proxy is
HAProxy from Debian; its certificate is made here, self-signed for 127.0.0.1 and localhost, in
the stack's run folder.

    https_proxy.py prepare DIR --https-port P --web-port P [--cert-dir PATH] [--drop-to-user]
        writes DIR/proxy.pem (certificate and key) once, DIR/cert.pem (the certificate alone,
        for clients to trust) and DIR/haproxy.cfg; --cert-dir is where the proxy sees DIR (a
        container's mount); --drop-to-user makes HAProxy read its files as root, then serve as
        the user `haproxy` (the container).
    https_proxy.py edge KEY
        prints one value of edge.json (the scripts set the app's heartbeat and keep-alive from it)
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

EDGE_FILE = Path(__file__).resolve().parent.parent / "terraform" / "edge.json"


def edge() -> dict:
    return json.loads(EDGE_FILE.read_text())


def certificate(days: int = 825) -> tuple[bytes, bytes]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key (PEM)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "VividArt local stack")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


# The request's path as the log shows it (HAProxy's regsub, arguments quoted so that the regex's
# parentheses are its own): the same redaction as webapp/logs.py.
LOGGED_PATH = ('path,regsub("^(/(api/)?g/[0-9]+g?-)[^/]*","\\1[token]"),'
               'regsub("^/unsubscribe/[^/]*","/unsubscribe/[token]")')
LOG_FORMAT = ('%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq '
              '\\"%HM %[var(txn.logged_path)] %HV\\"')


def haproxy_config(settings: dict, https_port: int, web_port: int, cert_dir: str, drop_to_user: bool) -> str:
    idle = int(settings["idle_timeout_seconds"])
    forwarded = set(settings["forwarded_headers"])
    tls_min = {"TLSv1.2": "TLSv1.2", "TLSv1.3": "TLSv1.3"}[settings["tls_min_version"]]
    lines = [
        "# Made by scripts/https_proxy.py from terraform/edge.json: the local stand-in for the AWS load balancer.",
        "global",
        "    log stderr format short local0 info",
        "    maxconn 4096",
        f"    ssl-default-bind-options ssl-min-ver {tls_min} no-tls-tickets",
        *(["    user haproxy", "    group haproxy"] if drop_to_user else []),
        "",
        "defaults",
        "    mode http",
        "    log global",
        # httplog's fields, but the path with its secrets cut out (a gallery's or an unsubscribe
        # link's token, as the app's own log does) and no query: nothing in the log opens a gallery
        f'    log-format "{LOG_FORMAT}"',
        "    timeout connect 5s",
        # the load balancer's idle timeout: a connection quiet for this long is closed (an event
        # stream's heartbeat keeps it open), and a keep-alive connection waits as long
        f"    timeout client {idle}s",
        f"    timeout server {idle}s",
        f"    timeout http-keep-alive {idle}s",
        "    timeout http-request 60s",
        "",
        "frontend https",
        f"    bind 127.0.0.1:{https_port} ssl crt {cert_dir}/proxy.pem alpn h2,http/1.1",
        f"    http-request set-var(txn.logged_path) '{LOGGED_PATH}'",
    ]
    if "X-Forwarded-For" in forwarded:
        lines.append("    option forwardfor")  # appended to what the client sent, as the ALB does
    if "X-Forwarded-Proto" in forwarded:
        lines.append("    http-request set-header X-Forwarded-Proto https")
    if "X-Forwarded-Port" in forwarded:
        lines.append(f"    http-request set-header X-Forwarded-Port {https_port}")
    lines += ["    default_backend web", "", "backend web", f"    server web 127.0.0.1:{web_port}", ""]
    return "\n".join(lines)


def prepare(folder: Path, https_port: int, web_port: int, cert_dir: str | None, drop_to_user: bool,
            settings: dict | None = None) -> None:
    """The proxy's files in `folder`, from edge.json's settings (or those given)."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    pem, public = folder / "proxy.pem", folder / "cert.pem"
    if not pem.exists() or not public.exists():
        cert, key = certificate()
        pem.write_bytes(b"")
        pem.chmod(0o600)  # the key: read by HAProxy as root (or as the developer) only
        pem.write_bytes(cert + key)
        public.write_bytes(cert)
        public.chmod(0o644)
    (folder / "haproxy.cfg").write_text(haproxy_config(settings or edge(), https_port, web_port, cert_dir or str(folder), drop_to_user))
    (folder / "haproxy.cfg").chmod(0o644)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="https_proxy.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    made = commands.add_parser("prepare")
    made.add_argument("folder", type=Path)
    made.add_argument("--https-port", type=int, required=True)
    made.add_argument("--web-port", type=int, required=True)
    made.add_argument("--cert-dir")
    made.add_argument("--drop-to-user", action="store_true")
    value = commands.add_parser("edge")
    value.add_argument("key")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(args.folder, args.https_port, args.web_port, args.cert_dir, args.drop_to_user)
    else:
        print(edge()[args.key])
    return 0


if __name__ == "__main__":
    sys.exit(main())
