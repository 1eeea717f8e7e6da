"""The web app as the unit tests build it: a real PostgreSQL, a stack given by settings (presigning
is local computation: no AWS is called), and the ways a caller proves who it is."""

from __future__ import annotations

import re

from photo_jobs.settings import StackSource
from webapp import create_app

DEPLOYED = {
    "VIVIDART_SOURCE_BUCKET": "src", "VIVIDART_PROCESSED_BUCKET": "out", "VIVIDART_UPLOAD_PREFIX": "uploads/",
    "VIVIDART_LOCALSTACK_ENDPOINT": "http://127.0.0.1:4566", "VIVIDART_REGION": "us-east-1",
    "VIVIDART_QUEUE_URL": "http://127.0.0.1:4566/000000000000/jobs", "VIVIDART_TOPIC_ARN": "arn:aws:sns:us-east-1:000000000000:t",
}
PASSWORD = "correct horse battery"
EMAIL = "ana@studio.example"


def make_app(database_url: str, **config):
    return create_app({"TESTING": True, "SECRET_KEY": "test secret", "DATABASE_URL": database_url,
                       "STACK_SOURCE": StackSource(DEPLOYED), "START_EVENTS": False, **config})


def app_with_staff(database_url: str, tables: str):
    """A fresh app whose database holds one staff account (Ana) with an API token (config TOKEN):
    `tables` (and what refers to them) are emptied first, and the rate limits' counts with them."""
    from webapp.ratelimits import limiter
    from webapp.services import accounts

    app = make_app(database_url)
    limiter.reset()  # the counts are the database's: each test starts with none
    with app.extensions["db"].transaction() as conn:
        conn.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
        staff = accounts.create_staff(conn, EMAIL, PASSWORD, "Ana")
        app.config["TOKEN"] = accounts.create_token(conn, staff.id, "tests")
    return app


def staff_app(database_url: str, monkeypatch, tables: str):
    """A fixture's body around app_with_staff: stand-in AWS credentials for the SDK's clients
    (nothing here reaches AWS), the app's database closed after the test."""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "test")
    app = app_with_staff(database_url, tables)
    yield app
    app.extensions["db"].close()


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def csrf_token(client, path="/signin", **options) -> str:
    page = client.get(path, **options).get_data(as_text=True)
    return (re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(r'name="csrf-token" content="([^"]+)"', page))[1]


def sign_in(client, password=PASSWORD, email="Ana@Studio.example", **options):
    return client.post("/signin", data={"email": email, "password": password,
                                        "csrf_token": csrf_token(client, **options)}, **options)
