"""The database: PostgreSQL, locally and on AWS (RDS). One pool per process; migrations applied
at start, once, under an advisory lock (several instances may start at once); LISTEN/NOTIFY
carries live events between instances.

Psycopg is imported here, after gunicorn's gevent worker has patched the standard library, so
its waits yield to other requests instead of blocking the process.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from importlib import resources
from typing import Iterator, Protocol

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

MIGRATION_LOCK = 727_001  # pg_advisory_xact_lock key: one migrating instance at a time
INVALID_PASSWORD = "28P01"


class Credentials(Protocol):
    """A user and password kept outside the URL (webapp.credentials.DatabaseSecret)."""

    def current(self) -> dict[str, str]: ...

    def refresh(self) -> dict[str, str]: ...


def refused_password(error: psycopg.OperationalError) -> bool:
    # A refused connection has no result to carry the SQLSTATE, only the server's message.
    return getattr(error, "sqlstate", None) == INVALID_PASSWORD or "password authentication failed" in str(error)


class CredentialedConnection(psycopg.Connection):
    """A connection that takes its user and password from `credentials` (when given), and reads
    them again once if the server refuses them: a rotated password must not stop the app."""

    @classmethod
    def connect(cls, conninfo: str = "", *, credentials: Credentials | None = None, **kwargs):
        if credentials is None:
            return super().connect(conninfo, **kwargs)
        tried = credentials.current()
        try:
            return super().connect(conninfo, **kwargs, **tried)
        except psycopg.OperationalError as error:
            # Compared with what was tried, not with what is cached: another connection may have
            # read the rotated password meanwhile. The same again is a wrong password: give up.
            if not refused_password(error) or (fresh := credentials.refresh()) == tried:
                raise
        return super().connect(conninfo, **kwargs, **fresh)


class Database:
    def __init__(self, url: str, max_size: int = 10, credentials: Credentials | None = None) -> None:
        self.url = url
        self.credentials = credentials
        self.pool = ConnectionPool(url, min_size=1, max_size=max_size, open=False,
                                   connection_class=CredentialedConnection,
                                   kwargs={"row_factory": dict_row, "autocommit": False, "credentials": credentials})

    def open(self) -> Database:
        self.pool.open(wait=True, timeout=30)
        return self

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def transaction(self) -> Iterator[psycopg.Connection]:
        """A connection in a transaction: committed when the block ends, rolled back on error."""
        with self.pool.connection() as connection:
            yield connection

    def migrate(self) -> list[str]:
        """Apply the migrations this code has and the database lacks, in order; returns them."""
        applied = []
        with self.transaction() as connection:
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            connection.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                               "name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
            done = {row["name"] for row in connection.execute("SELECT name FROM schema_migrations")}
            for migration in sorted(resources.files("webapp.migrations").iterdir(), key=lambda p: p.name):
                if migration.name.endswith(".sql") and migration.name not in done:
                    connection.execute(migration.read_text())
                    connection.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (migration.name,))
                    applied.append(migration.name)
        return applied

    def notify(self, channel: str, payload: dict) -> None:
        with self.transaction() as connection:
            connection.execute("SELECT pg_notify(%s, %s)", (channel, json.dumps(payload, separators=(",", ":"))))

    def listen(self, channel: str, timeout: float = 5.0) -> Iterator[dict | None]:
        """Each notification on `channel`, or None every `timeout` seconds without one (a chance
        to stop). A connection of its own, not the pool's: it is held for as long as it listens."""
        with CredentialedConnection.connect(self.url, credentials=self.credentials, autocommit=True) as connection:
            connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            while True:
                got = False
                for notification in connection.notifies(timeout=timeout):
                    got = True
                    yield json.loads(notification.payload)
                if not got:
                    yield None
