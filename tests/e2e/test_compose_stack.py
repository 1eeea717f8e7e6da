"""End to end in compose mode: LocalStack built from the pinned core, PostgreSQL and the web app
as containers; the processor runs as its own image in a container, started by the executor."""

import os

import docker
import pytest

from support import photo

pytestmark = pytest.mark.e2e


def test_containers_are_the_project_images_and_the_app_is_not_root(stack):
    assert {c.Service for c in stack.compose.get_containers()} == {"localstack", "database", "web", "proxy"}
    running = docker.from_env().containers.list(filters={"label": f"com.docker.compose.project={stack.env['COMPOSE_PROJECT_NAME']}"})
    images = {c.labels["com.docker.compose.service"]: c.image.tags[0] for c in running}
    # scripts/lib.sh names them (VIVIDART_IMAGE_TAG moves a checkout's images apart)
    assert images == {"localstack": os.environ.get("VIVIDART_LOCALSTACK_IMAGE", "vividart/localstack:2026.3.0"),
                      "database": os.environ.get("VIVIDART_DATABASE_IMAGE", "vividart/postgres:local"),
                      "web": os.environ.get("VIVIDART_WEB_IMAGE", "vividart/web:local"),
                      "proxy": os.environ.get("VIVIDART_PROXY_IMAGE", "vividart/proxy:local")}
    users = {c.labels["com.docker.compose.service"]: c.exec_run("id -u").output.decode().strip() for c in running}
    assert users["web"] != "0" and users["database"] != "0"
    # the proxy reads its key as root, then serves as the user haproxy (HAProxy's own setuid)
    serving = next(c for c in running if c.labels["com.docker.compose.service"] == "proxy")
    uid = serving.exec_run("python3 -c \"print(open('/proc/1/status').read().split('Uid:')[1].split()[0])\"").output.decode()
    assert uid.strip() not in ("", "0")


def test_a_photo_is_processed_by_the_processor_image(stack):
    key = stack.upload(photo(640, 480, orientation=8, seed=21), "compose mode.jpg")
    status = stack.studio.wait(key, timeout=60)
    assert status["status"] == "processed", status
    full = next(o for o in status["outputs"] if o["name"] == "full")
    assert (full["width"], full["height"]) == (480, 640)
    lambdas = docker.from_env().containers.list(filters={"label": f"vividart.stack={stack.env['COMPOSE_PROJECT_NAME']}"})
    assert lambdas and all(c.image.tags[0].startswith("vividart/photo-processor:src-") for c in lambdas)
    # the function's memory setting buys its CPU, as on AWS: 2048 MB is 1.16 vCPUs (the processor's
    # sandboxes; the image's other functions, the archiver and the tick, have settings of their own)
    processors = [c for c in lambdas if f"{stack.outputs['function_name']}-" in c.name]
    assert processors and {c.attrs["HostConfig"]["NanoCpus"] for c in processors} == {int(2048 / 1769 * 1e9)}
