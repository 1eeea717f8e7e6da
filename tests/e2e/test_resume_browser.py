"""An upload cut short, in Debian's Chromium: the photographer's tab is closed halfway through a big
file's multipart upload; on the shoot's page again the page says which uploads did not finish, and
the same file added again carries on from the parts S3 holds, none of them sent twice."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from browser import sign_in
from photo_jobs import limits
from support import photo

pytestmark = pytest.mark.e2e


def parts_sent(page, into: list[int]) -> None:
    """Record the part numbers the page sends to storage (multipart PUTs that storage took)."""
    def answered(response):
        query = parse_qs(urlsplit(response.url).query)
        if response.request.method == "PUT" and "partNumber" in query and response.ok:
            into.append(int(query["partNumber"][0]))
    page.on("response", answered)


def test_an_upload_cut_short_resumes_after_a_reload_without_sending_its_parts_again(site, browser, screenshots,
                                                                                     tmp_path):
    stack = site
    shoot = stack.studio.create_shoot("Cut short")
    source = tmp_path / "IMG_9001.jpg"
    data = photo(1600, 1200, seed=9)
    source.write_bytes(data + b"\0" * (limits.MULTIPART_BYTES + 4 * 1024 * 1024 - len(data)))  # five parts
    parts = limits.part_sizes(source.stat().st_size)
    assert len(parts) == 5

    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_in(page, stack)
    page.goto(f"{stack.web_url}/shoots/{shoot['id']}")
    first: list[int] = []
    parts_sent(page, first)
    session = context.new_cdp_session(page)  # a venue's uplink: a part takes a few seconds
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", {"offline": False, "latency": 20, "downloadThroughput": -1,
                                                      "uploadThroughput": 6_000_000})
    page.get_by_label("Photos", exact=True).set_input_files(str(source))
    page.get_by_role("button", name="Upload").click()
    deadline = time.monotonic() + 120
    while len(first) < 2:  # events reach Python only while Playwright is asked something
        assert time.monotonic() < deadline, "no part was sent within 120 s"
        page.wait_for_timeout(100)
    page.close()  # the tab is closed mid-upload
    s3, bucket = stack.aws("s3"), stack.outputs["source_bucket"]
    [upload] = s3.list_multipart_uploads(Bucket=bucket, Prefix=f"{stack.outputs['upload_prefix']}{shoot['id']}/")["Uploads"]
    held = {p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])["Parts"]}
    assert {1, 2} <= held and len(held) < 5, held  # what S3 holds of it: the truth a resume must start from

    again = context.new_page()
    second: list[int] = []
    parts_sent(again, second)
    again.goto(f"{stack.web_url}/shoots/{shoot['id']}")
    note = again.get_by_text("did not finish")
    expect(note).to_be_visible()
    expect(note).to_contain_text("IMG_9001.jpg")
    again.screenshot(path=screenshots / "resume-1-did-not-finish.png")
    again.get_by_label("Photos", exact=True).set_input_files(str(source))
    again.get_by_role("button", name="Upload").click()
    item = again.get_by_role("listitem", name="IMG_9001.jpg")
    expect(item.get_by_text("Ready", exact=True)).to_be_visible(timeout=120_000)
    again.screenshot(path=screenshots / "resume-2-done.png")
    assert sorted(second) == sorted(set(range(1, 6)) - held), (held, second)  # only the parts it lacked
    stored = s3.head_object(Bucket=bucket, Key=upload["Key"])
    assert stored["ContentLength"] == source.stat().st_size
    again.reload()
    expect(again.get_by_text("did not finish")).to_be_hidden()  # nothing left unfinished
    context.close()
