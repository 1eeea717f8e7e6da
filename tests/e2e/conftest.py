import subprocess

import pytest
from testcontainers.compose import DockerCompose

from stacks import RunningStack, stack_env
from support import REPO

LOCALSTACK_PORT, WEB_PORT, PROJECT = 4766, 8280, "vividart-e2e"


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The compose-mode stack, started by testcontainers from compose.yaml, deployed by tflocal."""
    run_dir = tmp_path_factory.mktemp("compose-stack")
    env_file = run_dir / "compose.env"
    env_file.write_text(f"LOCALSTACK_PORT={LOCALSTACK_PORT}\nWEB_PORT={WEB_PORT}\n"
                        f"VIVIDART_RUN_DIR={run_dir}\nCOMPOSE_PROJECT_NAME={PROJECT}\n")
    compose = DockerCompose(REPO, compose_file_name="compose.yaml", env_file=str(env_file), wait=True, pull=False)
    running = RunningStack(stack_env(run_dir, "compose", LOCALSTACK_PORT, WEB_PORT, PROJECT), run_dir)
    compose.start()
    try:
        deploy = running.script("deploy.sh", "apply", check=False)
        if deploy.returncode != 0:
            pytest.fail(f"deploy failed:\n{deploy.stdout[-3000:]}\n{deploy.stderr[-5000:]}")
        running.compose = compose
        yield running
    finally:
        compose.stop()
        subprocess.run(f"docker ps -aq --filter label=vividart.stack={PROJECT} | xargs -r docker rm -f",
                       shell=True, check=False)
