"""End to end in compose mode: LocalStack built from the pinned core and the web app as
containers; the processor runs as its own image in a container, started by the executor."""

import io
import time

import docker
import pytest
from PIL import Image
from playwright.sync_api import expect, sync_playwright

from support import photo

pytestmark = pytest.mark.e2e
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


def test_containers_are_the_project_images(stack):
    assert {c.Service for c in stack.compose.get_containers()} == {"localstack", "web"}
    running = docker.from_env().containers.list(filters={"label": "com.docker.compose.project=vividart-e2e"})
    images = {c.labels["com.docker.compose.service"]: c.image.tags[0] for c in running}
    assert images == {"localstack": "vividart/localstack:2026.3.0", "web": "vividart/web:local"}


def test_skeleton_flow_runs_the_processor_image(stack):
    started = time.monotonic()
    key = stack.web.upload(photo(640, 480, orientation=8, seed=21), "compose mode.jpg")
    status = stack.web.wait(key, timeout=60)
    latency = time.monotonic() - started
    assert status["status"] == "processed", status
    full = next(o for o in status["outputs"] if o["name"] == "full")
    assert (full["width"], full["height"]) == (480, 640)
    assert latency < 30
    lambdas = docker.from_env().containers.list(filters={"label": "vividart.stack=vividart-e2e"})
    assert lambdas and all(c.image.tags[0].startswith("vividart/photo-processor:src-") for c in lambdas)


def test_browser_upload_progress_and_download(stack, tmp_path):
    web_url = stack.outputs["web_url"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(accept_downloads=True)
            page.goto(web_url)
            expect(page.get_by_role("heading", name="VividArt Studio")).to_be_visible()
            page.set_input_files("#files", files=[{"name": "First dance.jpg", "mimeType": "image/jpeg",
                                                   "buffer": photo(800, 600, seed=22)}])
            page.get_by_role("button", name="Upload").click()
            expect(page.locator("#form-message")).to_have_text("Uploaded 1 photo(s) successfully.")
            item = page.locator("#jobs li", has_text="First dance.jpg")
            expect(item.locator(".status")).to_have_text("Ready", timeout=45_000)
            expect(page.locator("#events li", has_text="First dance.jpg")).to_contain_text("processed", timeout=10_000)
            page.screenshot(path=str(stack.run_dir / "browser-ready.png"), full_page=True)
            with page.expect_download() as download_info:
                item.get_by_role("link", name="Download").click()
            download = download_info.value
            saved = tmp_path / download.suggested_filename
            download.save_as(saved)
            assert saved.name.startswith("First_dance-full")
            assert Image.open(io.BytesIO(saved.read_bytes())).size == (800, 600)
        finally:
            browser.close()


def test_browser_shows_a_clear_error_for_a_refused_file(stack):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page()
            page.goto(stack.outputs["web_url"])
            page.set_input_files("#files", files=[{"name": "animation.gif", "mimeType": "image/gif",
                                                   "buffer": b"GIF89a"}])
            page.get_by_role("button", name="Upload").click()
            expect(page.locator("#form-message")).to_contain_text("animation.gif: content_type must be one of")
        finally:
            browser.close()
