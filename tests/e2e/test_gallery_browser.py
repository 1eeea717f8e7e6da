"""A client gallery, in Debian's Chromium on the compose stack: the photographer shares a shoot as
proofs behind a PIN; the client (another browser, a phone) opens it, chooses, comments and sends
a selection, and only ever receives watermarked images; the photographer sees it all arrive,
revokes the link, and the client's next request is refused."""

import io
from urllib.parse import quote

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from bench.pipeline import photographic
from browser import session_of, sign_in

pytestmark = pytest.mark.e2e


def test_a_client_chooses_from_proofs_and_the_photographer_sees_it(site, browser, screenshots):
    stack = site
    shoot = stack.studio.create_shoot("Garden party")
    keys = [stack.upload(photographic(2400, 1600), f"Party {n:02d}.jpg", shoot=shoot["id"]) for n in range(5)]
    stack.studio.wait_for_shoot(shoot["id"], set(keys), timeout=120)

    studio = browser.new_context(viewport={"width": 1440, "height": 900})
    page = studio.new_page()
    sign_in(page, stack)
    page.goto(f"{stack.web_url}/shoots/{shoot['id']}")
    page.get_by_role("button", name="Share").click()
    page.get_by_label("Link name").fill("Bride and groom")
    page.get_by_label("Expires").fill("2030-06-30")
    page.get_by_label("PIN").fill("246813")
    page.get_by_label("Downloads").select_option(label="Web size (watermarked)")
    expect(page.get_by_label("Proofs")).to_be_checked()
    page.get_by_role("button", name="Create link").click()
    link = page.get_by_role("listitem", name="Bride and groom")
    share_url = link.get_by_role("textbox", name="Share URL").input_value()
    assert share_url.startswith(f"{stack.web_url}/g/")
    page.screenshot(path=screenshots / "gallery-1-shared.png")

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    client = phone.new_page()
    client.goto(share_url)
    expect(client.get_by_label("PIN")).to_be_visible()  # refused without the PIN
    assert client.evaluate("fetch(location.pathname.replace('/g/', '/api/g/')).then(r => r.status)") == 401
    client.get_by_label("PIN").fill("135791")
    client.get_by_role("button", name="Open").click()
    expect(client.get_by_text("That PIN does not open this gallery.")).to_be_visible()
    client.get_by_label("PIN").fill("246813")
    client.get_by_role("button", name="Open").click()
    expect(client.get_by_role("heading", name="Garden party")).to_be_visible()
    for n in (0, 2, 3):
        heart = client.get_by_role("listitem", name=f"Party {n:02d}.jpg").get_by_role("button", name="Favourite")
        heart.click()
        expect(heart).to_have_attribute("aria-pressed", "true")
    favourite = client.get_by_role("listitem", name="Party 02.jpg")
    favourite.get_by_text("Comment", exact=True).click()
    favourite.get_by_role("textbox", name="Comment").fill("Could this one be a little warmer?")
    favourite.get_by_role("button", name="Send comment").click()
    expect(client.get_by_role("status")).to_contain_text("comment on Party 02.jpg is with the studio")
    client.get_by_role("button", name="Submit selection (3)").click()
    expect(client.get_by_role("status")).to_contain_text("selection of 3 photos is with the studio")
    client.screenshot(path=screenshots / "gallery-2-phone.png")

    # what the client received is the proof: the studio's name across it, not the clean photo
    path = keys[2].split("/", 2)[2]
    shown = client.get_by_role("link", name="View Party 02.jpg").get_attribute("href")
    as_phone = session_of(phone, stack)
    received = np.asarray(Image.open(io.BytesIO(as_phone.get(stack.web_url + shown, timeout=30).content)).convert("RGB"), float)
    clean = np.asarray(Image.open(io.BytesIO(stack.download(keys[2], "web"))).convert("RGB"), float)
    assert received.shape == clean.shape
    marked = np.abs(received - clean).max(axis=2) > 25
    assert 0.01 < marked.mean() < 0.3  # where the watermark stands, and only there
    thumbnail = client.get_by_role("img", name="Party 02.jpg")
    assert "/images/thumb/" in thumbnail.get_attribute("src")
    proof_thumb = as_phone.get(stack.web_url + thumbnail.get_attribute("src"), allow_redirects=False, timeout=30)
    assert "/proof_thumb." in proof_thumb.headers["location"].split("?")[0]
    assert quote(path) in shown

    laptop = browser.new_context(viewport={"width": 1366, "height": 850})
    wide = laptop.new_page()
    wide.goto(share_url)
    wide.get_by_label("PIN").fill("246813")
    wide.get_by_role("button", name="Open").click()
    expect(wide.get_by_role("listitem", name="Party 04.jpg")).to_be_visible()
    wide.wait_for_function("() => [...document.images].every(img => img.complete && img.naturalWidth > 0)")
    wide.screenshot(path=screenshots / "gallery-3-laptop.png")
    wide.get_by_role("link", name="View Party 01.jpg").click()
    expect(wide.locator(".pswp__counter")).to_have_text("2 / 5")  # full screen, on the photo chosen
    expect(wide.locator(".pswp")).to_be_focused()  # opened: it takes the keyboard from here
    wide.keyboard.press("ArrowRight")
    expect(wide.locator(".pswp__counter")).to_have_text("3 / 5")
    wide.screenshot(path=screenshots / "gallery-4-viewer.png")

    # the photographer saw it arrive, without reloading
    expect(link.get_by_role("button", name="♥ 3 · 1 comment · selection sent")).to_be_visible(timeout=15_000)
    link.get_by_role("button", name="♥ 3 · 1 comment · selection sent").click()
    expect(link.get_by_text("Could this one be a little warmer?")).to_be_visible()
    expect(page.get_by_role("listitem", name="Party 02.jpg").get_by_text("♥ 1")).to_be_visible()
    page.get_by_role("button", name="Favourites only").click()
    expect(page.get_by_role("listitem", name="Party 01.jpg")).to_be_hidden()
    page.screenshot(path=screenshots / "gallery-5-feedback.png")

    link.get_by_role("button", name="Revoke").click()
    expect(link.get_by_text("revoked")).to_be_visible()
    # the client's open page hears of it at once (its event stream ends) and says so; nothing works now
    expect(client.get_by_role("status")).to_contain_text("withdrawn", timeout=10_000)
    expect(client.get_by_role("listitem", name="Party 04.jpg").get_by_role("button", name="Favourite")).to_be_disabled()
    client.screenshot(path=screenshots / "gallery-6-withdrawn.png")
    client.reload()
    expect(client.get_by_role("heading", name="This gallery is not available")).to_be_visible()
    for context in (studio, phone, laptop):
        context.close()
