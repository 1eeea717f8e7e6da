"""End to end in compose mode: LocalStack built from the pinned core, PostgreSQL and the web app
as containers; the processor runs as its own image in a container, started by the executor."""

import docker
import pytest

from support import photo

pytestmark = pytest.mark.e2e


def test_containers_are_the_project_images_and_the_app_is_not_root(stack):
    assert {c.Service for c in stack.compose.get_containers()} == {"localstack", "database", "web"}
    running = docker.from_env().containers.list(filters={"label": "com.docker.compose.project=vividart-e2e"})
    images = {c.labels["com.docker.compose.service"]: c.image.tags[0] for c in running}
    assert images == {"localstack": "vividart/localstack:2026.3.0", "database": "vividart/postgres:local",
                      "web": "vividart/web:local"}
    users = {c.labels["com.docker.compose.service"]: c.exec_run("id -u").output.decode().strip() for c in running}
    assert users["web"] != "0" and users["database"] != "0"


def test_a_photo_is_processed_by_the_processor_image(stack):
    key = stack.upload(photo(640, 480, orientation=8, seed=21), "compose mode.jpg")
    status = stack.studio.wait(key, timeout=60)
    assert status["status"] == "processed", status
    full = next(o for o in status["outputs"] if o["name"] == "full")
    assert (full["width"], full["height"]) == (480, 640)
    lambdas = docker.from_env().containers.list(filters={"label": "vividart.stack=vividart-e2e"})
    assert lambdas and all(c.image.tags[0].startswith("vividart/photo-processor:src-") for c in lambdas)
    # the function's memory setting buys its CPU, as on AWS: 2048 MB is 1.16 vCPUs
    assert {c.attrs["HostConfig"]["NanoCpus"] for c in lambdas} == {int(2048 / 1769 * 1e9)}
