"""A shoot bigger than a page, on a phone, in Debian's Chromium: the shoot page and the client's
gallery show the first page at once and the rest as the viewer scrolls, every photo once and in
file-name order; a photo processed while the page is open joins the grid from its event."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import expect

from browser import sign_in
from gallery_client import make_link
from support import photo

pytestmark = pytest.mark.e2e
PHONE = {"width": 390, "height": 844}
COUNT = 210  # more than the shoot page's first page (200) and the gallery's (60)


def scrolled_to_the_end(page, grid, count: int) -> list[str]:
    """Scroll the page down until the grid holds `count` photos (each next page comes as its end
    comes into sight); the names it shows, in order."""
    items = grid.get_by_role("listitem")
    deadline = time.monotonic() + 90
    while items.count() < count and time.monotonic() < deadline:
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_timeout(250)  # a frame for the next page's request to be made (the loop asks again)
    expect(items).to_have_count(count, timeout=30_000)
    return items.evaluate_all("items => items.map(item => item.getAttribute('aria-label'))")


def test_a_shoot_of_more_than_a_page_scrolls_to_its_end_on_a_phone(stack, browser, screenshots):
    shoot = stack.studio.create_shoot("Big wedding")
    names = [f"DSC_{n:04d}.jpg" for n in range(COUNT)]
    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda n: stack.upload(photo(120, 80, seed=n), names[n], shoot=shoot["id"]), range(COUNT)))
    stack.studio.wait_for_shoot(shoot["id"], set(keys), timeout=300)

    studio = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = studio.new_page()
    sign_in(page, stack)
    page.goto(f"{stack.web_url}/shoots/{shoot['id']}")
    grid = page.get_by_role("list", name="Photos in this shoot", exact=True)
    expect(grid.get_by_role("listitem").first).to_be_visible()
    assert grid.get_by_role("listitem").count() <= 200  # the first page, not the whole shoot
    page.screenshot(path=screenshots / "big-1-shoot-phone.png")
    assert scrolled_to_the_end(page, grid, COUNT) == names  # each once, in file-name order

    late = stack.upload(photo(120, 80, seed=999), "DSC_9999.jpg", shoot=shoot["id"])  # heard, not asked for
    expect(grid.get_by_role("listitem", name="DSC_9999.jpg").get_by_text("Ready", exact=True)).to_be_visible(timeout=60_000)
    stack.studio.wait(late, timeout=60)

    link = make_link(stack, shoot["id"], name="Guests", downloads="web", proofs=True)
    client = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    gallery = client.new_page()
    gallery.goto(link["url"])
    photos = gallery.get_by_role("list", name="Photos", exact=True)
    expect(photos.get_by_role("listitem").first).to_be_visible()
    assert photos.get_by_role("listitem").count() <= 60
    gallery.screenshot(path=screenshots / "big-2-gallery-phone.png")
    assert scrolled_to_the_end(gallery, photos, COUNT + 1)[:COUNT] == names
    gallery.screenshot(path=screenshots / "big-3-gallery-end-phone.png")
    for context in (studio, client):
        context.close()
