"""The web app's secrets from AWS Secrets Manager, when the environment names them instead of
holding them (on AWS the task definition carries only names): the key that signs sessions
(VIVIDART_WEB_SECRET_KEY_SECRET), and the database's user and password (VIVIDART_WEB_DATABASE_SECRET,
the secret RDS keeps for its master user, {"username": ..., "password": ...}), read again when
the database refuses them because RDS rotated the password.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Callable

from photo_jobs.aws import read_secret
from photo_jobs.settings import Stack

LOG = logging.getLogger(__name__)


def secret_key(where: Stack, secret_id: str) -> str:
    """The session-signing key: the secret's whole string."""
    key = read_secret(where, secret_id)
    if not key:
        raise RuntimeError(f"the secret {secret_id} is empty")
    return key


def parse_database_secret(text: str) -> dict[str, str]:
    """psycopg's connection options from an RDS-style secret: its user and password."""
    values = json.loads(text)
    if not isinstance(values, dict) or not values.get("username") or not values.get("password"):
        raise ValueError("a database secret is a JSON object with a username and a password")
    return {"user": values["username"], "password": values["password"]}


def database_secret(where: Stack, secret_id: str) -> DatabaseSecret | None:
    """The database's credentials from the secret of that name; None without a name (the
    database URL holds them)."""
    return DatabaseSecret(lambda: read_secret(where, secret_id)) if secret_id else None


class DatabaseSecret:
    """The database's credentials from a secret: read once, and again on refresh() (after the
    database refused them)."""

    def __init__(self, read: Callable[[], str]) -> None:
        self._read = read
        self._lock = threading.Lock()
        self._current: dict[str, str] | None = None

    def current(self) -> dict[str, str]:
        with self._lock:
            if self._current is None:
                self._current = parse_database_secret(self._read())
            return self._current

    def refresh(self) -> dict[str, str]:
        """The credentials read again (after the database refused them: a rotated password)."""
        fresh = parse_database_secret(self._read())
        with self._lock:
            if fresh != self._current:
                LOG.info("the database's credentials changed (rotated): connecting with the new ones")
            self._current = fresh
        return fresh
