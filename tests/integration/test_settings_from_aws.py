"""Settings and secrets from SSM and Secrets Manager, on the local stack (LocalStack's core has
both, so the code the web app runs on AWS runs here): the parameter Terraform writes, the
session key's secret, and database credentials read again after a rotation."""

import json
import subprocess
import sys
import uuid
from dataclasses import asdict, fields
from urllib.parse import urlsplit, urlunsplit

import pytest

from photo_jobs.settings import Stack, StackSource
from webapp import create_app
from webapp.credentials import DatabaseSecret, database_secret, secret_key
from webapp.db import Database

pytestmark = pytest.mark.integration


@pytest.fixture
def aws_environment(stack, monkeypatch):
    """This process as the web app sees AWS: LocalStack's endpoint, its test credentials."""
    environ = {"VIVIDART_LOCALSTACK_ENDPOINT": stack.outputs["localstack_endpoint"], "VIVIDART_REGION": "us-east-1",
               "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return environ


@pytest.fixture
def database_url(stack) -> str:
    """The local stack's database, as the web app is told it (web.env)."""
    url = stack.web_env.get("VIVIDART_WEB_DATABASE_URL")
    assert url, f"{stack.run_dir / 'web.env'} names no VIVIDART_WEB_DATABASE_URL"
    return url


def without_password(url: str) -> tuple[str, dict]:
    parts = urlsplit(url)
    bare = urlunsplit(parts._replace(netloc=f"{parts.username}@{parts.hostname}:{parts.port}"))
    return bare, {"username": parts.username, "password": parts.password, "engine": "postgres"}


@pytest.fixture
def made_secrets(stack):
    """Secrets this test makes (unique names), deleted at the end."""
    client, made = stack.aws("secretsmanager"), []

    def make(value: str) -> str:
        made.append(client.create_secret(Name=f"it-settings-{uuid.uuid4().hex[:10]}", SecretString=value)["ARN"])
        return made[-1]

    yield make
    for arn in made:
        client.delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)


def test_the_settings_parameter_holds_the_deployments_outputs(stack):
    outputs = stack.outputs
    value = stack.aws("ssm").get_parameter(Name=outputs["stack_parameter"])["Parameter"]
    settings = json.loads(value["Value"])
    assert value["Type"] == "String"
    assert set(settings) == {f.name for f in fields(Stack)}
    assert settings == {name: outputs[name] for name in settings}


def test_the_stack_source_reads_the_deployed_parameter(stack, aws_environment):
    outputs = stack.outputs
    current = StackSource({**aws_environment, "VIVIDART_STACK_PARAMETER": outputs["stack_parameter"]}).current()
    assert current.deployed
    assert asdict(current) == {f.name: outputs[f.name] for f in fields(Stack)}


def test_a_parameter_that_appears_later_is_picked_up(stack, aws_environment):
    ssm, name = stack.aws("ssm"), f"/vividart-it/settings-{uuid.uuid4().hex[:10]}/stack"
    clock = [0.0]
    stacks = StackSource({**aws_environment, "VIVIDART_STACK_PARAMETER": name, "VIVIDART_STUDIO_NAME": "Env Studio"},
                         clock=lambda: clock[0])
    try:
        assert not stacks.current().deployed  # the web app started before the first deploy
        ssm.put_parameter(Name=name, Type="String",
                          Value=json.dumps({"source_bucket": "a", "processed_bucket": "b", "studio_name": "P"}))
        assert not stacks.current().deployed  # not read again at once
        clock[0] += 5
        current = stacks.current()
        assert (current.source_bucket, current.studio_name) == ("a", "Env Studio")  # the environment wins
        ssm.put_parameter(Name=name, Type="String", Overwrite=True,
                          Value=json.dumps({"source_bucket": "a2", "processed_bucket": "b"}))
        clock[0] += 31
        assert stacks.current().source_bucket == "a2"  # a redeploy reaches a running app
    finally:
        ssm.delete_parameter(Name=name)


def test_the_session_key_comes_from_its_secret(stack, aws_environment, database_url):
    arn = stack.outputs["web_secret_key_secret"]
    value = stack.aws("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
    assert len(value) == 64 and value.isalnum()  # made by Secrets Manager at deploy
    assert secret_key(StackSource(aws_environment).from_environment(), arn) == value

    app = create_app({"TESTING": True, "SECRET_KEY_SECRET": arn, "DATABASE_URL": database_url, "START_EVENTS": False,
                      "STACK_SOURCE": StackSource(aws_environment)})
    try:
        assert app.config["SECRET_KEY"] == value
    finally:
        app.extensions["db"].close()


def test_database_credentials_are_read_again_after_a_rotation(stack, aws_environment, database_url, made_secrets):
    bare_url, credentials = without_password(database_url)
    client = stack.aws("secretsmanager")
    arn = made_secrets(json.dumps({**credentials, "password": "the-password-before-rotation"}))
    where = StackSource(aws_environment).from_environment()
    reader = database_secret(where, arn)
    assert isinstance(reader, DatabaseSecret) and database_secret(where, "") is None
    assert reader.current()["password"] == "the-password-before-rotation"  # what a running app holds

    client.put_secret_value(SecretId=arn, SecretString=json.dumps(credentials))  # rotated
    database = Database(bare_url, max_size=1, credentials=reader).open()
    try:
        with database.transaction() as conn:
            assert conn.execute("SELECT current_user AS who").fetchone()["who"] == credentials["username"]
    finally:
        database.close()
    assert reader.current()["password"] == credentials["password"]


def test_vividart_admin_connects_with_the_secret_alone(stack, aws_environment, database_url, made_secrets):
    bare_url, credentials = without_password(database_url)
    arn = made_secrets(json.dumps(credentials))
    environ = {**aws_environment, "VIVIDART_WEB_DATABASE_URL": bare_url, "VIVIDART_WEB_DATABASE_SECRET": arn,
               "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "webapp.admin", "revoke-token", f"no-such-token-{uuid.uuid4().hex}"],
                            env=environ, capture_output=True, text=True, timeout=60)
    # it reached the database (which refuses a URL without a password) and found no such token
    assert result.returncode == 1 and "no such token" in result.stderr, result.stderr
