"""A photographer's day, in Debian's Chromium on the compose stack: sign in, make a shoot, upload a
batch (an iPhone .HEIC and a camera's RAW .DNG the browser gives no type among them) and watch it
arrive, reload, preview and apply a look, download the new result."""

import io

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from bench.pipeline import photographic
from browser import sign_in
from support import dng, photo

pytestmark = pytest.mark.e2e


def heic() -> bytes:
    from pillow_heif import from_pillow

    out = io.BytesIO()
    from_pillow(Image.open(io.BytesIO(photo(1600, 1200, seed=5)))).save(out, quality=80)
    return out.getvalue()


def raw_file() -> bytes:
    """A camera RAW file (a real CFA DNG, decoded by LibRaw in the processor)."""
    return dng(np.asarray(Image.open(io.BytesIO(photo(1200, 800, seed=6))).convert("RGB")), preview_first=True)


def slow_uploads(page) -> None:
    """The network of a busy venue: uploads slow enough to watch the progress bars."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", {"offline": False, "latency": 20,
                                                      "downloadThroughput": -1, "uploadThroughput": 1_500_000})


def test_a_photographer_uploads_a_shoot_edits_it_and_downloads(site, browser, screenshots):
    stack = site
    page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    sign_in(page, stack)
    page.screenshot(path=screenshots / "studio-1-shoots.png")

    page.get_by_role("button", name="New shoot").click()
    page.get_by_label("Shoot name").fill("Smith wedding")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Smith wedding")).to_be_visible()

    files = [{"name": f"Ceremony {n:02d}.jpg", "mimeType": "image/jpeg", "buffer": photographic(2400, 1600)}
             for n in range(3)]
    files.append({"name": "IMG_0042.HEIC", "mimeType": "", "buffer": heic()})  # the browser knows no type for it
    files.append({"name": "IMG_0007.DNG", "mimeType": "", "buffer": raw_file()})  # nor for a camera's RAW file
    slow_uploads(page)
    # a bar per file, named after it: each is noted as it appears (a small file's bar gives way to
    # its photo's card as soon as it is in, perhaps before a look could find it)
    page.evaluate("""() => { window.bars = new Set(); new MutationObserver(() => document.querySelectorAll(
      'progress[aria-label]').forEach((bar) => window.bars.add(bar.getAttribute('aria-label'))))
      .observe(document.body, { subtree: true, childList: true }) }""")
    page.get_by_label("Photos", exact=True).set_input_files(files)
    page.get_by_role("button", name="Upload").click()
    page.wait_for_function("names => names.every((name) => window.bars.has(name))", arg=[f["name"] for f in files])
    expect(page.get_by_role("progressbar", name="All uploads")).to_be_visible()  # and one for the batch
    page.screenshot(path=screenshots / "studio-2-uploading.png")
    expect(page.get_by_role("status").filter(has_text="uploaded successfully")).to_be_visible(timeout=60_000)

    def every_photo_ready():
        for file in files:
            item = page.get_by_role("listitem", name=file["name"])
            expect(item.get_by_text("Ready", exact=True)).to_be_visible(timeout=60_000)
            thumbnail = item.get_by_role("img", name=file["name"])
            expect(thumbnail).to_be_visible()
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle(),
                                   timeout=30_000)  # a real picture arrived, not a broken-image icon
            expect(item.get_by_role("link", name="Download")).to_be_visible()

    every_photo_ready()
    page.screenshot(path=screenshots / "studio-3-ready.png", full_page=True)
    raw_key = next(p["key"] for p in stack.studio.photos(page.url.rsplit("/", 1)[1]) if p["name"] == "IMG_0007.DNG")
    assert stack.studio.job(raw_key)["status"] == "processed"
    raw_full = Image.open(io.BytesIO(stack.download(raw_key)))  # a JPEG, signed with the studio's rights
    creator = stack.studio._call("GET", "/api/studio").json()["effective"]["creator"]
    assert raw_full.format == "JPEG" and raw_full.getexif()[0x013B].encode("latin-1").decode() == creator
    page.reload()
    every_photo_ready()  # the shoot as it is, from the server alone

    item = page.get_by_role("listitem", name="Ceremony 01.jpg")
    with page.expect_download() as first:
        item.get_by_role("link", name="Download").click()
    before = first.value.path().read_bytes()

    item.get_by_role("checkbox", name="Select Ceremony 01.jpg").check()
    page.get_by_label("Preset").select_option(label="Classic black & white")
    page.get_by_role("slider", name="Contrast").fill("40")
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("img", name="Preview of Ceremony 01.jpg with this look")
    expect(preview).to_be_visible(timeout=30_000)
    assert preview.evaluate("img => img.naturalWidth") == 2048
    page.screenshot(path=screenshots / "studio-4-preview.png")

    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("The look is on its way to 1 photo")).to_be_visible()
    expect(item.get_by_text("Processing the new look")).to_be_visible()
    expect(item.get_by_text("Ready", exact=True)).to_be_visible(timeout=60_000)
    expect(item.get_by_text("Black & white", exact=False)).to_be_visible()
    page.screenshot(path=screenshots / "studio-5-applied.png")
    with page.expect_download() as second:
        item.get_by_role("link", name="Download").click()
    after = second.value.path().read_bytes()
    assert second.value.suggested_filename == "Ceremony 01-full.jpg"
    assert after != before
    new = Image.open(io.BytesIO(after))
    assert all(max(p) - min(p) <= 6 for p in new.resize((8, 8)).get_flattened_data())  # black and white

    # the studio's own settings (what every delivered file says, the galleries' brand), laptop and phone
    page.get_by_role("link", name="Studio", exact=True).click()
    expect(page.get_by_role("heading", name="Studio", exact=True)).to_be_visible()
    studio_name = stack.studio._call("GET", "/api/studio").json()["effective"]["name"]
    expect(page.get_by_label("Studio name")).to_have_attribute("placeholder", studio_name)  # the default, loaded
    page.screenshot(path=screenshots / "studio-6-settings-laptop.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=screenshots / "studio-6-settings-phone.png", full_page=True)
    assert not problems, problems
