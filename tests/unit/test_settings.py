"""The stack's settings (photo_jobs.settings) and the web app's secrets (webapp.credentials):
parsing, where each value comes from, when the SSM parameter is read again, and a rotated
database password. A fake clock and reader stand in for time and SSM (the real SSM is in
tests/integration/test_settings_from_aws.py); the password rotation uses a real PostgreSQL."""

import json
import os
import re
import uuid
from dataclasses import fields
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from photo_jobs.settings import REFRESH_SECONDS, RETRY_SECONDS, Stack, StackSource, parse_settings
from support import REPO
from webapp.credentials import DatabaseSecret, parse_database_secret
from webapp.db import CredentialedConnection, Database

DEPLOYED = {"source_bucket": "src", "processed_bucket": "out", "region": "eu-west-1", "queue_url": "https://q"}
PARAMETER = "/vividart/test/stack"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Parameter:
    """SSM as the source sees it: a value or None (missing), or an error; counts the reads."""

    def __init__(self, value: str | None = None) -> None:
        self.value, self.error, self.reads = value, None, 0

    def __call__(self, name: str) -> str | None:
        assert name == PARAMETER
        self.reads += 1
        if self.error:
            raise self.error
        return self.value


def source(parameter: Parameter, clock: Clock, **environ) -> StackSource:
    return StackSource({"VIVIDART_STACK_PARAMETER": PARAMETER, **environ}, read_parameter=parameter, clock=clock)


# --- parsing -----------------------------------------------------------------------------------

def test_settings_keep_the_stacks_names_only_as_text():
    assert parse_settings(json.dumps({"source_bucket": "b", "max_concurrency": 4, "dashboard_name": "d",
                                      "studio_name": None})) == {"source_bucket": "b"}
    assert parse_settings(json.dumps({"region": 7})) == {"region": "7"}
    assert parse_settings("") == {}
    with pytest.raises(ValueError):
        parse_settings("[1, 2]")
    with pytest.raises(ValueError):
        parse_settings("{not json")


# --- the outputs file (the local web app) ----------------------------------------------------------

def test_the_file_is_read_again_when_it_changes_and_the_environment_overrides_it(tmp_path):
    file = tmp_path / "outputs.json"
    stacks = StackSource({"VIVIDART_STACK_FILE": str(file), "VIVIDART_STUDIO_NAME": "From the environment"})
    assert not stacks.current().deployed  # before the first deploy
    file.write_text(json.dumps({**DEPLOYED, "studio_name": "From the file"}))
    assert stacks.current().deployed and stacks.current().studio_name == "From the environment"
    file.write_text(json.dumps({**DEPLOYED, "processed_bucket": "out-2"}))
    os.utime(file, (1, 1))  # a different mtime whatever the clock's resolution
    assert stacks.current().processed_bucket == "out-2"


# --- the SSM parameter (the web app on AWS) --------------------------------------------------------

def test_a_missing_parameter_is_tried_again_soon_and_picked_up_when_it_appears():
    parameter, clock = Parameter(None), Clock()
    stacks = source(parameter, clock)
    assert not stacks.current().deployed
    assert not stacks.current().deployed and parameter.reads == 1  # not once per call
    parameter.value = json.dumps(DEPLOYED)
    clock.now += RETRY_SECONDS - 0.1
    assert not stacks.current().deployed and parameter.reads == 1
    clock.now += 0.1
    current = stacks.current()
    assert current.deployed and current.region == "eu-west-1" and parameter.reads == 2


def test_a_found_parameter_is_read_again_only_after_the_refresh_interval():
    parameter, clock = Parameter(json.dumps(DEPLOYED)), Clock()
    stacks = source(parameter, clock)
    first = stacks.current()
    parameter.value = json.dumps({**DEPLOYED, "queue_url": "https://q-2"})
    clock.now += REFRESH_SECONDS - 1
    assert stacks.current() is first and parameter.reads == 1
    clock.now += 1
    assert stacks.current().queue_url == "https://q-2" and parameter.reads == 2


def test_the_environment_overrides_the_parameter():
    stacks = source(Parameter(json.dumps(DEPLOYED)), Clock(), VIVIDART_QUEUE_URL="https://mine",
                    AWS_REGION="ap-south-1")
    assert stacks.current().queue_url == "https://mine"
    assert stacks.current().region == "eu-west-1"  # AWS_REGION only where no source names one


def test_a_failed_read_keeps_what_was_known_and_tries_again_soon():
    parameter, clock = Parameter(json.dumps(DEPLOYED)), Clock()
    stacks = source(parameter, clock)
    assert stacks.current().deployed
    for trouble in (RuntimeError("throttled"), None):
        parameter.error = trouble
        parameter.value = "{garbled" if trouble is None else parameter.value
        clock.now += REFRESH_SECONDS
        assert stacks.current().processed_bucket == "out"
    parameter.error, parameter.value = None, json.dumps({**DEPLOYED, "processed_bucket": "out-3"})
    clock.now += RETRY_SECONDS
    assert stacks.current().processed_bucket == "out-3"


def test_a_deleted_parameter_means_nothing_is_deployed():
    parameter, clock = Parameter(json.dumps(DEPLOYED)), Clock()
    stacks = source(parameter, clock)
    assert stacks.current().deployed
    parameter.value = None
    clock.now += REFRESH_SECONDS
    assert not stacks.current().deployed


def test_without_a_parameter_name_ssm_is_never_read():
    parameter = Parameter(json.dumps(DEPLOYED))
    stacks = StackSource({"VIVIDART_SOURCE_BUCKET": "s", "VIVIDART_PROCESSED_BUCKET": "p"}, read_parameter=parameter)
    assert stacks.current().deployed and parameter.reads == 0


def test_where_aws_is_comes_from_the_environment_alone():
    where = StackSource({"VIVIDART_LOCALSTACK_ENDPOINT": "http://127.0.0.1:4566", "AWS_REGION": "eu-west-1",
                         "VIVIDART_STACK_PARAMETER": PARAMETER}).from_environment()
    assert (where.region, where.localstack_endpoint, where.deployed) == ("eu-west-1", "http://127.0.0.1:4566", False)
    assert StackSource({"VIVIDART_REGION": "us-west-2", "AWS_REGION": "eu-west-1"}).from_environment().region == "us-west-2"


# --- Terraform writes what the code reads -----------------------------------------------------------

def _terraform(path: str) -> dict:
    import hcl2

    with open(REPO / "terraform" / path) as config:
        return hcl2.load(config)


def test_terraform_writes_every_setting_the_stack_reads_under_its_output_names():
    [stack] = [block['"stack"'] for block in _terraform("modules/settings/variables.tf")["variable"] if '"stack"' in block]
    written = set(re.findall(r"(\w+)\s*=\s*string", stack["type"])) | {"studio_email"}  # the module adds the email
    outputs = {name.strip('"') for block in _terraform("environments/local/outputs.tf")["output"] for name in block}
    assert written == {f.name for f in fields(Stack)}
    assert written <= outputs  # the local stack's outputs.json carries them by the same names


def test_the_heartbeat_the_edge_promises_is_the_apps_own_default(database_url):
    """terraform/edge.json tells the app on AWS its heartbeat (and the local proxy and the load
    balancer their idle timeout around it): the app's default is the same, so a stack that is told
    nothing agrees too."""
    from webapp import create_app

    heartbeat = json.loads((REPO / "terraform" / "edge.json").read_text())["sse_heartbeat_seconds"]
    app = create_app({"TESTING": True, "SECRET_KEY": "s", "DATABASE_URL": database_url, "START_EVENTS": False,
                      "STACK_SOURCE": StackSource({})})
    try:
        assert heartbeat == app.config["SSE_HEARTBEAT_SECONDS"]
    finally:
        app.extensions["db"].close()


# --- the database's credentials from a secret, rotated --------------------------------------------

def test_a_database_secret_is_rds_shaped():
    assert parse_database_secret('{"username": "u", "password": "p", "engine": "postgres"}') == {"user": "u", "password": "p"}
    for bad in ('{"username": "u"}', '"p"', '{"username": "", "password": "p"}'):
        with pytest.raises(ValueError):
            parse_database_secret(bad)


@pytest.fixture
def rotating_role(database_url):
    """A role of its own in the test database, and its URL without a password."""
    name = f"rotating_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(database_url, autocommit=True) as admin:
        admin.execute(f"CREATE ROLE {name} LOGIN PASSWORD 'first-password'")
        parts = urlsplit(database_url)
        url = urlunsplit(parts._replace(netloc=f"{name}@{parts.hostname}:{parts.port}"))
        yield name, url, admin
        admin.execute(f"DROP ROLE {name}")


class Secret:
    """The secret's value as Secrets Manager would give it; counts the reads."""

    def __init__(self, name: str, password: str) -> None:
        self.name, self.password, self.reads = name, password, 0

    def __call__(self) -> str:
        self.reads += 1
        return json.dumps({"username": self.name, "password": self.password})


def test_a_rotated_password_is_read_again_when_the_database_refuses_the_old_one(rotating_role):
    name, url, admin = rotating_role
    secret = Secret(name, "first-password")
    credentials = DatabaseSecret(secret)
    before = Database(url, max_size=1, credentials=credentials).open()
    before.close()
    # RDS rotates: the role's password and the secret change together, while the app still
    # holds the first one
    admin.execute(f"ALTER ROLE {name} PASSWORD 'second-password'")
    secret.password = "second-password"
    database = Database(url, max_size=2, credentials=credentials).open()
    try:
        with database.transaction() as conn:
            assert conn.execute("SELECT current_user AS who").fetchone()["who"] == name
        assert secret.reads == 2  # once at the start, once when the old password was refused
        listening = database.listen("rotation_test", timeout=0.1)
        assert next(listening) is None  # LISTEN's own connection takes the same credentials
        listening.close()
        assert secret.reads == 2
    finally:
        database.close()


def test_a_rotation_another_connection_noticed_first_still_counts(rotating_role):
    name, url, admin = rotating_role
    secret = Secret(name, "first-password")

    class ReadMeanwhile(DatabaseSecret):
        def current(self):
            tried = super().current()
            super().refresh()  # another connection, refused too, read the new password meanwhile
            return tried

    credentials = ReadMeanwhile(secret)
    assert credentials.current()["password"] == "first-password"
    admin.execute(f"ALTER ROLE {name} PASSWORD 'second-password'")
    secret.password = "second-password"
    with CredentialedConnection.connect(url, credentials=credentials) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0] == name


def test_a_wrong_password_that_did_not_change_is_not_tried_forever(rotating_role):
    name, url, _ = rotating_role
    secret = Secret(name, "not-the-password")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        CredentialedConnection.connect(url, credentials=DatabaseSecret(secret))
    assert secret.reads == 2  # read, refused, read again: the same, so the error stands
