"""Photos as rows: the projection's rules (services.photos), pure. A row follows S3's current
version of its key and the record of that version's job; events may come twice and in any order."""

from datetime import UTC, datetime, timedelta

from photo_jobs import keys, records
from webapp.adapters.storage import Version
from webapp.services.photos import Photo, finished, folder_of, known, path_in, sort_name

PREFIX = "uploads/"
KEY = "uploads/abcdefabcdef/4f1c/IMG_0002.jpg"
T0 = datetime(2026, 12, 1, tzinfo=UTC)


def version(n: int) -> Version:
    return Version(KEY, 1000 + n, T0 + timedelta(minutes=n), f"v{n}")


def record(n: int, kind: str = records.PROCESSED) -> dict:
    outputs = [{"name": name, "bucket": "out", "key": f"r/{n}/{name}.jpg", "width": 30, "height": 20, "bytes": 9}
               for name in ("full", "web", "thumb", "proof")] if kind == records.PROCESSED else []
    job = keys.job_id(KEY, f"v{n}")
    source = {"bucket": "src", "key": KEY, "version": f"v{n}", "etag": "e"}
    spec = {"version": 1, "preset": "natural"}
    if kind == records.PROCESSED:
        return records.processed(job, source, spec, outputs, {})
    return records.failed(job, source, spec, "corrupt", "damaged", {})


def test_a_new_photo_is_processing_then_processed():
    row = known(None, version(1), PREFIX)
    assert (row["status"], row["folder"], row["path"], row["outputs"]) == ("processing", "abcdefabcdef", "4f1c/IMG_0002.jpg", [])
    done = finished(row, record(1))
    photo = Photo.of(done)
    assert photo.status == "processed" and photo.renditions == ["full", "web", "thumb", "proof"]
    assert not photo.outdated and (photo.width, photo.height) == (30, 20) and photo.look == "Natural"


def test_the_same_event_twice_changes_nothing_twice():
    done = finished(known(None, version(1), PREFIX), record(1))
    assert finished(done, record(1)) == done
    assert known(done, version(1), PREFIX) is done  # the version it knows: nothing to learn


def test_a_new_look_keeps_the_old_renditions_on_offer_until_it_is_done():
    first = finished(known(None, version(1), PREFIX), record(1))
    editing = known(first, version(2), PREFIX)
    photo = Photo.of(editing)
    assert photo.status == "processing" and photo.outdated and photo.renditions == ["full", "web", "thumb", "proof"]
    assert photo.state == "processing"
    done = finished(editing, record(2))
    assert not Photo.of(done).outdated and done["outputs"][0]["key"] == "r/2/full.jpg"


def test_a_late_record_of_an_earlier_version_changes_nothing():
    editing = known(finished(known(None, version(1), PREFIX), record(1)), version(2), PREFIX)
    assert finished(editing, record(1)) is None  # the older job's record, late or again
    done = finished(editing, record(2))
    assert finished(done, record(1)) is None


def test_what_s3_said_before_a_newer_version_never_moves_a_row_back():
    """A HEAD that ran before an edit's copy but landed after it (sync and versioned racing): the
    row keeps the edit's version, and its job."""
    edited = known(finished(known(None, version(1), PREFIX), record(1)), version(2), PREFIX)
    assert known(edited, version(1), PREFIX) is edited
    assert finished(known(edited, version(1), PREFIX), record(2))["shown_job_id"] == keys.job_id(KEY, "v2")


def test_a_failure_shows_nothing_and_says_why():
    failed = finished(known(None, version(1), PREFIX), record(1, records.FAILED))
    photo = Photo.of(failed)
    assert photo.status == "failed" and photo.error["reason"] == "corrupt" and photo.renditions == [] and not photo.outdated


def test_folders_paths_and_the_order_a_photographer_reads():
    assert folder_of(PREFIX, "uploads/loose.jpg") == "" and path_in(PREFIX, "uploads/loose.jpg") == "loose.jpg"
    assert folder_of(PREFIX, KEY) == "abcdefabcdef" and path_in(PREFIX, KEY) == "4f1c/IMG_0002.jpg"
    names = ["IMG_10.jpg", "img_2.jpg", "IMG_1.jpg", "IMG_002b.jpg", "A.jpg"]
    assert sorted(names, key=sort_name) == ["A.jpg", "IMG_1.jpg", "img_2.jpg", "IMG_002b.jpg", "IMG_10.jpg"]
