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
from typing import Iterator

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

MIGRATION_LOCK = 727_001  # pg_advisory_xact_lock key: one migrating instance at a time


class Database:
    def __init__(self, url: str, max_size: int = 10) -> None:
        self.url = url
        self.pool = ConnectionPool(url, min_size=1, max_size=max_size, open=False,
                                   kwargs={"row_factory": dict_row, "autocommit": False})

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
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
            while True:
                got = False
                for notification in connection.notifies(timeout=timeout):
                    got = True
                    yield json.loads(notification.payload)
                if not got:
                    yield None
