import socket

import pytest

from localpg import LocalPostgres


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """A PostgreSQL of the test session's own (Debian's server, loopback, removed at the end)."""
    server = LocalPostgres(tmp_path_factory.mktemp("postgres") / "data", free_port()).start()
    yield server.url
    server.stop(remove=True)
