import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from testcontainers.compose import DockerCompose

from browser import CHROMIUM, CHROMIUM_FLAGS
from stacks import RunningStack, stack_env
from support import REPO

LOCALSTACK_PORT, WEB_PORT, POSTGRES_PORT, PROJECT = 4766, 8280, 5633, "vividart-e2e"


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The compose-mode stack, started by testcontainers from compose.yaml, deployed by tflocal,
    with the local staff account `make up` would make."""
    run_dir = tmp_path_factory.mktemp("compose-stack")
    (run_dir / "mode").write_text("compose")
    (run_dir / "secrets").mkdir(mode=0o700)
    (run_dir / "stack").mkdir(mode=0o755)  # the outputs, read by the web app's container (not root)
    keys = {}
    for name in ("database-password", "web-secret-key"):  # where scripts/stack.sh keeps them
        keys[name] = secrets.token_urlsafe(24)
        (run_dir / "secrets" / name).write_text(keys[name] + "\n")
    env_file = run_dir / "compose.env"
    env_file.write_text(f"LOCALSTACK_PORT={LOCALSTACK_PORT}\nWEB_PORT={WEB_PORT}\nPOSTGRES_PORT={POSTGRES_PORT}\n"
                        f"VIVIDART_RUN_DIR={run_dir}\nCOMPOSE_PROJECT_NAME={PROJECT}\n"
                        f"VIVIDART_DB_PASSWORD={keys['database-password']}\nVIVIDART_WEB_SECRET_KEY={keys['web-secret-key']}\n")
    compose = DockerCompose(REPO, compose_file_name="compose.yaml", env_file=str(env_file), wait=True, pull=False)
    running = RunningStack(stack_env(run_dir, "compose", LOCALSTACK_PORT, WEB_PORT, POSTGRES_PORT, PROJECT), run_dir)
    compose.start()
    try:
        deploy = running.script("deploy.sh", "apply", check=False)
        if deploy.returncode != 0:
            pytest.fail(f"deploy failed:\n{deploy.stdout[-3000:]}\n{deploy.stderr[-5000:]}")
        database = f"postgresql://vividart:{keys['database-password']}@127.0.0.1:{POSTGRES_PORT}/vividart"
        subprocess.run([str(Path(sys.executable).parent / "vividart-admin"), "ensure-local-staff", str(run_dir / "staff.json")],
                       env=dict(os.environ, VIVIDART_WEB_DATABASE_URL=database), check=True, timeout=60)
        running.compose = compose
        yield running
    finally:
        compose.stop()
        subprocess.run(f"docker ps -aq --filter label=vividart.stack={PROJECT} | xargs -r docker rm -f",
                       shell=True, check=False)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (no browser is downloaded)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshots(stack):
    """Where the browser tests keep their screenshots (the run folder: looked at, never committed)."""
    folder = stack.run_dir / "screenshots"
    folder.mkdir(exist_ok=True)
    return folder

