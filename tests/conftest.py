import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from stacks import RunningStack, stack_env, start_compose_stack, stop_compose_stack, web_env
from support import PORT_SHIFT, REPO, ports

# Ports apart from a developer's `make up` (4566/8080/5433), so both can run at once.
LOCALSTACK_PORT, WEB_PORT, POSTGRES_PORT = ports(4666, 8180, 5533)
COMPOSE_PORTS = ports(4766, 8280, 5633, 8643)  # LocalStack, web app, PostgreSQL, HTTPS proxy
COMPOSE_PROJECT = f"vividart-e2e{PORT_SHIFT or ''}"
STACK_SUITES = (REPO / "tests" / "integration", REPO / "tests" / "e2e")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """The integration and end-to-end suites share their stacks: under pytest-xdist (make test runs
    `--dist loadgroup`) they go to one worker as one group, in order, while the others take the
    unit suite."""
    for item in items:
        if item.path.is_relative_to(STACK_SUITES[0]) or item.path.is_relative_to(STACK_SUITES[1]):
            item.add_marker(pytest.mark.xdist_group("stacks"))


def end_to_end_follows(session) -> bool:
    return any(item.path.is_relative_to(STACK_SUITES[1]) for item in session.items)


@pytest.fixture(scope="session")
def embedded_stack(request, tmp_path_factory):
    """The embedded-mode stack (no Docker), over plain HTTP as developers run it, started and
    deployed by scripts/stack.sh. The integration suite's `stack`; the browser journeys run on it
    as well as on the compose stack over HTTPS. When the end-to-end suite follows, the compose
    stack starts beside this one and the integration suite (compose_stack_start).

    VIVIDART_TEST_STACK_DIR names the run folder of an embedded stack already up (to iterate on
    the tests), on whatever ports it was started with: it is used as it is, and left running.
    """
    if end_to_end_follows(request.session):
        request.getfixturevalue("compose_stack_start")
    if reuse := os.environ.get("VIVIDART_TEST_STACK_DIR"):
        run_dir = Path(reuse)
        yield RunningStack(stack_env(run_dir, "embedded", *ports_of(run_dir), "vividart-it"), run_dir)
        return
    run_dir = tmp_path_factory.mktemp("embedded-stack")
    env = stack_env(run_dir, "embedded", LOCALSTACK_PORT, WEB_PORT, POSTGRES_PORT, "vividart-it")
    env["VIVIDART_WEB_ARCHIVE_PART_BYTES"] = str(10 * 1024 * 1024)  # Download all cut in parts a test can see
    running = RunningStack(env, run_dir)
    up = running.script("stack.sh", "up", check=False)
    if up.returncode != 0:
        running.script("stack.sh", "down", check=False)
        pytest.fail(f"make up (embedded) failed:\n{up.stdout[-3000:]}\n{up.stderr[-5000:]}")
    yield running
    running.script("stack.sh", "down", check=False)


@pytest.fixture(scope="session")
def compose_stack_start(tmp_path_factory):
    """The compose stack's start (images, containers, deploy), under way in a thread so that the
    tests before the end-to-end suite run meanwhile; stopped at the end of the session."""
    run_dir = tmp_path_factory.mktemp("compose-stack")
    with ThreadPoolExecutor(1, thread_name_prefix="compose-stack") as pool:
        start: Future = pool.submit(start_compose_stack, run_dir, COMPOSE_PORTS, COMPOSE_PROJECT)
        yield start
        if start.exception() is None:
            stop_compose_stack(start.result())


@pytest.fixture(scope="session")
def compose_stack(compose_stack_start):
    """The compose-mode stack as deployed (tests/stacks.py: start_compose_stack)."""
    try:
        return compose_stack_start.result()
    except Exception as error:  # noqa: BLE001 - the start's own words, as the failure
        pytest.fail(f"the compose stack did not start: {error}")


def ports_of(run_dir: Path) -> tuple[int, int, int]:
    """LocalStack's, the web app's and PostgreSQL's ports of a running stack, from its outputs and
    the web app's settings (web.env), falling back to this suite's own."""
    outputs = json.loads((run_dir / "stack" / "outputs.json").read_text())
    database = web_env(run_dir).get("VIVIDART_WEB_DATABASE_URL", "")
    return (urlsplit(outputs["localstack_endpoint"]).port or LOCALSTACK_PORT,
            urlsplit(outputs["web_url"]).port or WEB_PORT,
            urlsplit(database).port or POSTGRES_PORT)
