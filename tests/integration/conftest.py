import pytest

from stacks import RunningStack, stack_env

# Ports apart from a developer's `make up` (4566/8080), so both can run at once.
LOCALSTACK_PORT, WEB_PORT = 4666, 8180


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The embedded-mode stack (no Docker), started and deployed by scripts/stack.sh."""
    run_dir = tmp_path_factory.mktemp("embedded-stack")
    env = stack_env(run_dir, "embedded", LOCALSTACK_PORT, WEB_PORT, "vividart-it")
    # A failed job comes back after 15 s instead of 12 minutes: the retry test takes one minute.
    env.update(TF_VAR_lambda_timeout_s="15", TF_VAR_retry_delay_s="15")
    running = RunningStack(env, run_dir)
    up = running.script("stack.sh", "up", check=False)
    if up.returncode != 0:
        running.script("stack.sh", "down", check=False)
        pytest.fail(f"make up (embedded) failed:\n{up.stdout[-3000:]}\n{up.stderr[-5000:]}")
    yield running
    running.script("stack.sh", "down", check=False)
