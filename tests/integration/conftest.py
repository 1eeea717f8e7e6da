import pytest

from stacks import RunningStack, stack_env

# Ports apart from a developer's `make up` (4566/8080), so both can run at once.
LOCALSTACK_PORT, WEB_PORT = 4666, 8180


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The embedded-mode stack (no Docker), started and deployed by scripts/stack.sh."""
    run_dir = tmp_path_factory.mktemp("embedded-stack")
    running = RunningStack(stack_env(run_dir, "embedded", LOCALSTACK_PORT, WEB_PORT, "vividart-it"), run_dir)
    up = running.script("stack.sh", "up", check=False)
    if up.returncode != 0:
        running.script("stack.sh", "down", check=False)
        pytest.fail(f"make up (embedded) failed:\n{up.stdout[-3000:]}\n{up.stderr[-5000:]}")
    yield running
    running.script("stack.sh", "down", check=False)
