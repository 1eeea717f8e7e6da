import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from stacks import RunningStack, stack_env, web_env

# Ports apart from a developer's `make up` (4566/8080/5433), so both can run at once.
LOCALSTACK_PORT, WEB_PORT, POSTGRES_PORT = 4666, 8180, 5533


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The embedded-mode stack (no Docker), started and deployed by scripts/stack.sh.

    VIVIDART_TEST_STACK_DIR names the run folder of an embedded stack already up (to iterate on
    the tests), on whatever ports it was started with: it is used as it is, and left running.
    """
    if reuse := os.environ.get("VIVIDART_TEST_STACK_DIR"):
        run_dir = Path(reuse)
        yield RunningStack(stack_env(run_dir, "embedded", *ports_of(run_dir), "vividart-it"), run_dir)
        return
    run_dir = tmp_path_factory.mktemp("embedded-stack")
    running = RunningStack(stack_env(run_dir, "embedded", LOCALSTACK_PORT, WEB_PORT, POSTGRES_PORT, "vividart-it"), run_dir)
    up = running.script("stack.sh", "up", check=False)
    if up.returncode != 0:
        running.script("stack.sh", "down", check=False)
        pytest.fail(f"make up (embedded) failed:\n{up.stdout[-3000:]}\n{up.stderr[-5000:]}")
    yield running
    running.script("stack.sh", "down", check=False)


def ports_of(run_dir: Path) -> tuple[int, int, int]:
    """LocalStack's, the web app's and PostgreSQL's ports of a running stack, from its outputs and
    the web app's settings (web.env), falling back to this suite's own."""
    outputs = json.loads((run_dir / "stack" / "outputs.json").read_text())
    database = web_env(run_dir).get("VIVIDART_WEB_DATABASE_URL", "")
    return (urlsplit(outputs["localstack_endpoint"]).port or LOCALSTACK_PORT,
            urlsplit(outputs["web_url"]).port or WEB_PORT,
            urlsplit(database).port or POSTGRES_PORT)
