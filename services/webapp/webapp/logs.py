"""Logs without secrets: a share link's token is in its URL and an API token is a password, so
neither may reach a log line (on AWS, whoever reads CloudWatch could open every gallery). Every
handler of the app's, gunicorn's error and access logs passes records through `Redact`, which
keeps the link's id (`/g/12-[token]`) so that a line still says which gallery was asked for.
"""

from __future__ import annotations

import logging
import re

_SECRETS = (
    (re.compile(r"/g/(\d{1,18}g?)-[A-Za-z0-9_-]{8,}"), r"/g/\1-[token]"),  # g: a link's guests' address
    (re.compile(r"vat_[A-Za-z0-9_-]{8,}"), "vat_[token]"),
    (re.compile(r"/unsubscribe/[A-Za-z0-9_.-]{8,}"), "/unsubscribe/[token]"),  # it unsubscribes whoever holds it
)
LOGGERS = ("", "gunicorn.error", "gunicorn.access")


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def init_app(app) -> None:
    """Every handler there is (gunicorn's, made before the app) redacts; the app's own loggers,
    which gunicorn leaves without one, write to stderr at INFO."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    for name in LOGGERS:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, Redact) for f in handler.filters):
                handler.addFilter(Redact())
