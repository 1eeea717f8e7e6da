"""One accessor per resource the request handlers use, each registered by create_app."""

from __future__ import annotations

from flask import abort, current_app

from photo_jobs.aws import client
from photo_jobs.settings import Stack


def stack() -> Stack:
    """The deployed stack, or 503 while there is none (the local web app starts before the deploy)."""
    current = current_app.extensions["stack"].current()
    if not current.deployed:
        abort(503, description="the stack is not deployed yet")
    return current


def aws(service: str):
    return client(service, stack())


def db():
    return current_app.extensions["db"]


def catalog():
    return current_app.extensions["catalog"]


def hub():
    return current_app.extensions["hub"]
