"""On-call's page, in Debian's Chromium on the compose stack: staff open Operations from the
navigation and see the photos just processed, the time per stage, the queue; the range changes;
nobody else gets in."""

import re

import pytest
from playwright.sync_api import expect

from browser import sign_in
from support import photo

pytestmark = pytest.mark.e2e


def test_staff_see_the_pipeline_charted_and_can_change_the_range(stack, browser, screenshots):
    shoot = stack.studio.create_shoot("Operations page")
    keys = [stack.upload(photo(1200, 800, seed=120 + n), f"ops {n}.jpg", shoot=shoot["id"]) for n in range(3)]
    for key in keys:
        assert stack.studio.wait(key, timeout=120)["status"] == "processed"

    page = browser.new_page(viewport={"width": 1440, "height": 900})
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    sign_in(page, stack)
    page.get_by_role("link", name="Operations", exact=True).click()
    expect(page).to_have_url(re.compile(r"/ops$"))
    expect(page.get_by_role("heading", name="Operations", exact=True)).to_be_visible()
    expect(page.locator("#ops-status")).to_contain_text("updated", timeout=30_000)
    expect(page.get_by_role("link", name="Operations", exact=True)).to_have_attribute("aria-current", "page")

    processed = int(page.locator("#kpi-processed").inner_text().replace(",", ""))
    assert processed >= 3
    for chart in ("chart-throughput", "chart-stages", "chart-job"):
        expect(page.locator(f"#{chart}")).to_be_visible()  # drawn, not the empty state
    expect(page.locator("#kpi-job")).to_have_text(re.compile(r"\d+(\.\d)? (ms|s)"))
    page.screenshot(path=screenshots / "ops-1-hour.png", full_page=True)

    page.get_by_role("button", name="24 h").click()
    expect(page.get_by_role("button", name="24 h")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="1 h")).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#ops-status")).to_contain_text("Last 24 h")
    assert int(page.locator("#kpi-processed").inner_text().replace(",", "")) >= processed
    page.screenshot(path=screenshots / "ops-24-hours.png", full_page=True)
    assert problems == []

    anonymous = browser.new_page()
    anonymous.goto(f"{stack.web_url}/ops")
    expect(anonymous).to_have_url(re.compile(r"/signin\?next="))
    anonymous.close()
    page.close()
