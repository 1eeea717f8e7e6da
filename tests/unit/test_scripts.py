"""The shell scripts parse, and the AWS deploy refuses clearly what it cannot do (no AWS needed)."""

import os
import subprocess
from pathlib import Path

import pytest

from support import REPO

SCRIPTS = sorted((REPO / "scripts").glob("*.sh")) + [REPO / ".ci" / "run"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_script_parses(script: Path):
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_deploy_to_aws_asks_for_the_web_url_first():
    env = {k: v for k, v in os.environ.items() if k != "WEB_URL"}
    result = subprocess.run([str(REPO / "scripts" / "deploy_aws.sh")], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "set WEB_URL" in result.stderr


def test_deploy_to_aws_refuses_localstack_credentials():
    env = dict(os.environ, WEB_URL="https://studio.example", AWS_ACCESS_KEY_ID="test")
    result = subprocess.run([str(REPO / "scripts" / "deploy_aws.sh")], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "real AWS credentials" in result.stderr
