"""One accessor per resource the request handlers use, each registered by create_app."""

from __future__ import annotations

from flask import abort, current_app

from photo_jobs.aws import client
from photo_jobs.settings import Stack
from webapp.services import letters, studio


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


def mailer() -> letters.Mailer:
    """Emails as this deployment sends them: from the studio's address, in its brand as its
    settings give it (its name, accent and logo), linking to its public address."""
    current = stack()
    with db().transaction() as conn:
        settings = studio.current(conn)
    brand = studio.brand(settings, current.studio_name)
    return letters.Mailer(aws("ses"), current.studio_email, brand["name"], current_app.config["SECRET_KEY"],
                          current_app.config["PUBLIC_URL"] or current.web_url, settings.accent_colour(), brand["logo"])
