"""Visitors and proofing rules in Debian's Chromium: the studio shares a link that asks names and
allows 1 to 2 photos; the couple (a phone) and a guest (a laptop) each say who they are and
choose different photos under their names; one too many is refused, a submitted selection is
locked; the studio sees each person's picks and the activity, gets one email for the
submission (at LocalStack's /_aws/ses), and reopens it. The couple's address, entered on the share
form, gets "your photos are ready" and, from the schedule's tick, the deadline's reminder, whose
unsubscribe link works in the browser."""

import re
import secrets
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from browser import sign_in
from gallery_client import sent_emails
from support import photo, wait_for

pytestmark = pytest.mark.e2e
PHONE, LAPTOP = {"width": 390, "height": 844}, {"width": 1440, "height": 900}


def both_sizes(page, path_stem, screenshots, showing=None) -> None:
    """A screenshot at phone and at laptop size, the page laid out again at each (and `showing`
    scrolled into sight)."""
    original = page.viewport_size
    for label, size in (("phone", PHONE), ("laptop", LAPTOP)):
        page.set_viewport_size(size)
        page.wait_for_timeout(150)  # a frame to lay out again (screenshots only, nothing asserted on it)
        if showing is not None:
            showing.evaluate("node => node.scrollIntoView({ block: 'start' })")
        page.screenshot(path=screenshots / f"{path_stem}-{label}.png", full_page=False)
    page.set_viewport_size(original)


def introduce(page, url, name, email):
    page.goto(url)
    expect(page.get_by_label("Your name")).to_be_visible()
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your email").fill(email)


def test_two_visitors_choose_under_their_names_within_the_rules(site, browser, screenshots):
    stack = site
    shoot = stack.studio.create_shoot("Lake wedding")
    keys = [stack.upload(photo(1200, 800, seed=170 + n), f"Lake {n:02d}.jpg", shoot=shoot["id"]) for n in range(4)]
    stack.studio.wait_for_shoot(shoot["id"], set(keys), timeout=120)

    studio = browser.new_context(viewport=LAPTOP)
    page = studio.new_page()
    sign_in(page, stack)
    page.goto(f"{stack.web_url}/shoots/{shoot['id']}")
    page.get_by_role("button", name="Share").click()
    page.get_by_label("Link name").fill("The Lakes")
    page.get_by_label("Downloads").select_option(label="Web size (watermarked)")
    page.get_by_text("Visitors and proofing rules").click()
    page.get_by_label("Ask each visitor's name and email").check()
    page.get_by_label("Choose at least").fill("1")
    page.get_by_label("Choose at most").fill("2")
    page.get_by_label("Choose by").fill(f"{(date.today() + timedelta(days=2)).isoformat()}T18:00")
    couple_email = f"lakes-{secrets.token_hex(3)}@example.com"  # its own emails, on a stack shared with others
    page.get_by_label("Client emails").fill(couple_email)
    expect(page.get_by_label("Email them the gallery now")).to_be_checked()
    both_sizes(page, "0-share-form", screenshots, showing=page.get_by_role("heading", name="Client galleries"))
    page.get_by_role("button", name="Create link").click()
    link = page.get_by_role("listitem", name="The Lakes")
    couple_url = link.get_by_role("textbox", name="Share URL").input_value()
    guest_url = link.get_by_role("textbox", name="Guest link (view only)").input_value()
    assert couple_url != guest_url

    # the couple's address hears of it, and, at the schedule's next tick, of the deadline
    def to_couple(subject: str):
        return next((m for m in sent_emails(stack) if m.to == (couple_email,) and re.fullmatch(subject, m.subject)), None)
    ready = wait_for(lambda: to_couple("Your photos are ready: Lake wedding"), timeout=30)
    assert couple_url in ready.text and "Please choose your photos by" in ready.text and "Lake wedding" in ready.html
    ticked = stack.aws("lambda").invoke(FunctionName=stack.outputs["ticks_name"], Payload=b"{}")
    assert "FunctionError" not in ticked
    reminder = wait_for(lambda: to_couple(r"Choose your photos in [23] days: Lake wedding"), timeout=60)
    assert len([m for m in sent_emails(stack) if m.to == (couple_email,)]) == 2  # each once
    unsubscribe = re.search(r"To get no more of these emails: (\S+)", reminder.text)[1]
    assert unsubscribe.startswith(stack.web_url)

    # the couple, on a phone: who they are, then the gallery with how many are left
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    ada = phone.new_page()
    introduce(ada, couple_url, "Ada", "ada@example.com")
    both_sizes(ada, "1-visitor-form", screenshots)
    ada.get_by_role("button", name="See the photos").click()
    expect(ada.get_by_role("heading", name="Lake wedding")).to_be_visible()
    expect(ada.locator("#selection-rules")).to_contain_text("Choose 1 to 2 · 1 more to choose")
    for n in (0, 1):
        heart = ada.get_by_role("listitem", name=f"Lake {n:02d}.jpg").get_by_role("button", name="Favourite")
        heart.click()
        expect(heart).to_have_attribute("aria-pressed", "true")
    expect(ada.locator("#selection-rules")).to_contain_text("no more left to choose")
    ada.get_by_role("listitem", name="Lake 02.jpg").get_by_role("button", name="Favourite").click()
    expect(ada.get_by_role("status")).to_contain_text("at most 2 photos")  # one too many: refused, and why
    expect(ada.get_by_role("listitem", name="Lake 02.jpg").get_by_role("button", name="Favourite")) \
        .to_have_attribute("aria-pressed", "false")
    expect(ada.get_by_role("link", name="Download").first).to_be_visible()  # the couple downloads
    both_sizes(ada, "2-gallery-counter", screenshots)

    # a guest, on a laptop: their own name, their own favourites, no downloads
    laptop = browser.new_context(viewport=LAPTOP)
    ben = laptop.new_page()
    introduce(ben, guest_url, "Ben", "ben@example.com")
    expect(ben.get_by_text("You are invited")).to_be_visible()
    ben.get_by_role("button", name="See the photos").click()
    expect(ben.get_by_text("You are Ben · guest")).to_be_visible()
    for n in (0, 1):  # the couple's hearts are theirs
        expect(ben.get_by_role("listitem", name=f"Lake {n:02d}.jpg").get_by_role("button", name="Favourite")) \
            .to_have_attribute("aria-pressed", "false")
    ben.get_by_role("listitem", name="Lake 03.jpg").get_by_role("button", name="Favourite").click()
    expect(ben.get_by_role("listitem", name="Lake 03.jpg").get_by_role("button", name="Favourite")) \
        .to_have_attribute("aria-pressed", "true")
    expect(ben.get_by_role("link", name="Download")).to_have_count(0)
    expect(ben.get_by_role("button", name="Download all")).to_have_count(0)
    both_sizes(ben, "2-gallery-guest", screenshots)

    # the couple submits: locked, and the page says so
    before = {m.id for m in sent_emails(stack)}
    ada.get_by_role("button", name="Submit selection (2)").click()
    expect(ada.get_by_role("status")).to_contain_text("selection of 2 photos is with the studio")
    expect(ada.get_by_role("note")).to_contain_text("It is locked now")
    expect(ada.get_by_role("listitem", name="Lake 00.jpg").get_by_role("button", name="Favourite")).to_be_disabled()
    expect(ada.get_by_role("button", name="Submit selection (2)")).to_be_disabled()
    both_sizes(ada, "3-gallery-locked", screenshots)

    # one email for the submission (sent before the page heard back), naming who sent it and what
    [mail] = [m for m in sent_emails(stack) if m.id not in before and m.subject.startswith("Ada (The Lakes) sent a selection")]
    assert mail.subject == "Ada (The Lakes) sent a selection of 2 from Lake wedding"
    assert "Lake 00.jpg" in mail.text and "Lake 01.jpg" in mail.text

    # the studio: each person's picks and what they did, live
    counts = link.get_by_role("button", name="2 visitors", exact=False)
    expect(counts).to_contain_text("selection sent", timeout=15_000)
    counts.click()
    ada_row = link.get_by_role("listitem", name="Ada")
    expect(ada_row).to_contain_text("Picks (2): Lake 00.jpg, Lake 01.jpg")
    expect(ada_row).to_contain_text("ada@example.com")
    expect(ada_row).to_contain_text("Submitted")
    expect(link.get_by_role("listitem", name="Ben")).to_contain_text("Picks (1): Lake 03.jpg")
    activity = link.get_by_role("list", name="Activity")
    expect(activity).to_contain_text("Ben chose Lake 03.jpg")
    expect(activity).to_contain_text("Ada submitted their selection")
    expect(activity).to_contain_text("Ada opened the gallery")
    both_sizes(page, "4-studio-activity", screenshots, showing=link.get_by_role("heading", name="Visitors", exact=True))

    ada_row.get_by_role("button", name="Reopen selection").click()
    expect(link.get_by_role("listitem", name="Ada")).not_to_contain_text("Submitted")
    ada.reload()
    expect(ada.get_by_role("listitem", name="Lake 00.jpg").get_by_role("button", name="Favourite")).to_be_enabled()
    expect(ada.get_by_role("note")).to_be_hidden()
    # the couple's reminder's unsubscribe link, opened in a browser: asked, then done
    inbox = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    unsubscribing = inbox.new_page()
    unsubscribing.goto(unsubscribe)
    expect(unsubscribing.get_by_role("heading", name="Unsubscribe?")).to_be_visible()
    expect(unsubscribing.get_by_text(couple_email)).to_be_visible()
    both_sizes(unsubscribing, "5-unsubscribe", screenshots)
    unsubscribing.get_by_role("button", name="Unsubscribe").click()
    expect(unsubscribing.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    both_sizes(unsubscribing, "6-unsubscribed", screenshots)
    for context in (studio, phone, laptop, inbox):
        context.close()
