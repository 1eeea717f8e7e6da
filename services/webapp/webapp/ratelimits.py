"""Rate limits counted in PostgreSQL, so that every instance of the app counts in one place.

Why PostgreSQL and not Redis or memory: the app already has it locally and on AWS (RDS), so the
limits need no new service to run, pay for or secure; one upsert per limited request is cheap
beside the request itself; and the count is atomic (INSERT ... ON CONFLICT), so requests sent
together cannot all slip under a limit. Memory counted per process: with two workers and two
tasks a limit let four times through.

`PostgresStorage` is a storage of the `limits` library (flask-limiter's), fixed windows;
`spend` limits a key known only inside a view (a link's id, once its token is checked).
"""

from __future__ import annotations

import time

import psycopg
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_smorest import abort
from limits import parse
from limits.storage import Storage

SCHEME = "vividart-postgresql"


def client_address() -> str:
    """The caller's address (behind the load balancer, the one it saw: ProxyFix)."""
    return get_remote_address() or "unknown"


# The limits of every route; its storage is the app's database (init_app).
limiter = Limiter(key_func=client_address, headers_enabled=True)


def init_app(app, database) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = f"{SCHEME}://"
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {"database": database}
    limiter.init_app(app)


class PostgresStorage(Storage):
    """The `limits` storage `vividart-postgresql://`; takes the app's Database as `database`."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, database=None, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if database is None:
            raise ValueError("PostgresStorage needs the app's database (RATELIMIT_STORAGE_OPTIONS={'database': ...})")
        self.database = database

    @property
    def base_exceptions(self):
        return psycopg.Error

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        with self.database.transaction() as conn:
            return conn.execute(
                "INSERT INTO rate_limits (key, hits, expires_at) VALUES (%(key)s, %(n)s, now() + make_interval(secs => %(s)s)) "
                "ON CONFLICT (key) DO UPDATE SET "
                "hits = CASE WHEN rate_limits.expires_at <= now() THEN EXCLUDED.hits ELSE rate_limits.hits + EXCLUDED.hits END, "
                "expires_at = CASE WHEN rate_limits.expires_at <= now() THEN EXCLUDED.expires_at ELSE rate_limits.expires_at END "
                "RETURNING hits", {"key": key, "n": amount, "s": float(expiry)}).fetchone()["hits"]

    def get(self, key: str) -> int:
        with self.database.transaction() as conn:
            row = conn.execute("SELECT hits FROM rate_limits WHERE key = %s AND expires_at > now()", (key,)).fetchone()
        return row["hits"] if row else 0

    def get_expiry(self, key: str) -> float:
        with self.database.transaction() as conn:
            row = conn.execute("SELECT extract(epoch FROM expires_at) AS at FROM rate_limits "
                               "WHERE key = %s AND expires_at > now()", (key,)).fetchone()
        return float(row["at"]) if row else time.time()

    def check(self) -> bool:
        with self.database.transaction() as conn:
            conn.execute("SELECT 1")
        return True

    def reset(self) -> int | None:
        with self.database.transaction() as conn:
            return conn.execute("DELETE FROM rate_limits").rowcount

    def clear(self, key: str) -> None:
        with self.database.transaction() as conn:
            conn.execute("DELETE FROM rate_limits WHERE key = %s", (key,))

    def forget_expired(self) -> int:
        with self.database.transaction() as conn:
            return conn.execute("DELETE FROM rate_limits WHERE expires_at <= now()").rowcount


def spend(limit: str, key: str, what: str) -> None:
    """Count one request against `limit` (e.g. "30 per minute") for `key`; 429 with Retry-After
    once it is spent. For limits on something a route learns only inside the view."""
    item = parse(limit)
    strategy = limiter.limiter  # the app limiter's strategy over the shared storage
    if not strategy.hit(item, "spend", key):
        reset_at, _ = strategy.get_window_stats(item, "spend", key)
        retry_after = max(1, int(reset_at - time.time()) + 1)
        abort(429, message=f"too many {what}: try again in {retry_after} s", headers={"Retry-After": str(retry_after)})
