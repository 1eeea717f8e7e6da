"""Uploads that survive a dropped connection, and the CLI's way with a folder: a multipart upload
cut short is resumed from the parts S3 holds (the same file asked for again finds it), a file in
already is skipped, and the photo shows up as soon as its upload is in."""

import re

import pytest
import requests

from photo_jobs import limits
from support import photo

pytestmark = pytest.mark.integration
MIB = 1024 * 1024


def big_photo(path, size: int) -> bytes:
    """A real JPEG padded to `size` bytes (a decoder stops at its end marker)."""
    data = photo(1200, 800, seed=41)
    data += b"\0" * (size - len(data))
    path.write_bytes(data)
    return data


def test_the_cli_resumes_a_multipart_upload_from_the_parts_s3_holds(stack, tmp_path):
    shoot = stack.studio.create_shoot("Resumed upload")
    source = tmp_path / "IMG_RESUME.jpg"
    data = big_photo(source, limits.MULTIPART_BYTES + 4 * MIB)  # five parts: 4 of 16 MiB and the rest
    modified = int(source.stat().st_mtime * 1000)
    api = stack.studio
    # a first run sends parts 1 and 2, then the laptop goes to sleep
    grant = api._call("POST", f"/api/shoots/{shoot['id']}/uploads", json={
        "filename": source.name, "size": len(data), "modified": modified}).json()
    assert grant["status"] == "new" and len(grant["part_sizes"]) == 5
    created = api._sign(shoot["id"], grant, method="POST")
    upload_id = re.search(r"<UploadId>([^<]+)</UploadId>", requests.post(created["url"], headers=created["headers"],
                                                                         timeout=30).text)[1]
    sent = [b"\x01" * grant["part_sizes"][0], data[grant["part_sizes"][0]:sum(grant["part_sizes"][:2])]]
    for number, body in enumerate(sent, 1):  # part 1 marked: if it were sent again, its mark would be gone
        url = api._sign(shoot["id"], grant, method="PUT", uploadId=upload_id, partNumber=number)["url"]
        assert requests.put(url, data=body, timeout=60).status_code == 200
    # asked for again (the same file): its upload, and the parts S3 holds
    again = api._call("POST", f"/api/shoots/{shoot['id']}/uploads", json={
        "filename": source.name, "size": len(data), "modified": modified}).json()
    assert (again["status"], again["key"], again["upload_id"]) == ("resume", grant["key"], upload_id)
    assert [p["PartNumber"] for p in again["parts"]] == [1, 2]
    # the CLI run again carries on: parts 3 to 5 only
    key = api.upload(shoot["id"], source)
    assert key == grant["key"]
    stored = stack.aws("s3").get_object(Bucket=stack.outputs["source_bucket"], Key=key)["Body"].read()
    assert len(stored) == len(data) and stored[:grant["part_sizes"][0]] == sent[0]  # part 1 was not sent again
    assert stored[grant["part_sizes"][0]:] == data[grant["part_sizes"][0]:]
    # and the same file a third time is in already: nothing is sent
    third = api._call("POST", f"/api/shoots/{shoot['id']}/uploads", json={
        "filename": source.name, "size": len(data), "modified": modified}).json()
    assert third["status"] == "uploaded" and not third.get("url")


def test_a_photo_shows_up_as_soon_as_its_upload_is_in(stack):
    shoot = stack.studio.create_shoot("Shows up at once")
    with stack.listening(shoot["id"]) as events:
        key = stack.upload(photo(640, 480, seed=42), "at once.jpg", shoot=shoot["id"])
        shown = events.wait_for(lambda kind, data: kind == "photo" and data["key"] == key, timeout=30)
    first = next(data for kind, data in shown if kind == "photo" and data["key"] == key)
    assert first["status"] in ("processing", "processed")  # listed before or as its job ends
    assert any(p["key"] == key for p in stack.studio.photos(shoot["id"]))


def test_the_shoots_pages_follow_their_cursor_in_order(stack):
    shoot = stack.studio.create_shoot("Pages")
    names = [f"IMG_{n}.jpg" for n in (1, 2, 10, 3, 20, 11)]
    for n, name in enumerate(names):
        stack.upload(photo(80, 60, seed=n), name, shoot=shoot["id"])
    listed = list(stack.studio.photos(shoot["id"], page=2))  # three pages of two
    assert [p["name"] for p in listed] == ["IMG_1.jpg", "IMG_2.jpg", "IMG_3.jpg", "IMG_10.jpg", "IMG_11.jpg", "IMG_20.jpg"]
    bad = requests.get(f"{stack.web_url}/api/shoots/{shoot['id']}/photos?after=not-a-cursor", timeout=30,
                       headers={"Authorization": f"Bearer {stack.staff['api_token']}"}, verify=stack.verify)
    assert bad.status_code == 400 and "cursor" in bad.json()["message"]
    counts = stack.studio.shoot(shoot["id"])["counts"]
    assert counts["photos"] == 6
