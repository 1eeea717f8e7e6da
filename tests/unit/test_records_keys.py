import pytest

from photo_jobs import keys, records


def test_upload_keys_are_fresh_keep_the_name_and_sit_in_their_shoot():
    first = keys.upload_key("uploads/", "shoot1", "Wedding 01 +#é.jpg")
    second = keys.upload_key("uploads/", "shoot1", "Wedding 01 +#é.jpg")
    assert first != second
    assert first.startswith("uploads/shoot1/") and first.endswith("/Wedding 01 +#é.jpg")
    assert keys.shoot_folder("uploads/", first) == "shoot1" and keys.file_name(first) == "Wedding 01 +#é.jpg"


def test_upload_keys_cannot_escape_their_folder():
    key = keys.upload_key("uploads/", "s", "../../etc/passwd")
    assert key.count("/") == 3 and key.endswith("/_.._etc_passwd")
    assert keys.check_source_key("uploads/", key) == key


@pytest.mark.parametrize("key", ["other/a.jpg", "uploads/", "uploads/s/../a.jpg", "uploads/s/./a.jpg",
                                 "uploads//a.jpg", "uploads/s/a.jpg/", "uploads/s/\x00.jpg", "uploads/" + "x" * 1100])
def test_keys_outside_the_uploads_or_with_dot_segments_are_refused(key):
    with pytest.raises(keys.BadKey):
        keys.check_source_key("uploads/", key)


def test_a_photo_straight_under_the_prefix_is_still_a_photo():
    assert keys.check_source_key("uploads/", "uploads/a.jpg") == "uploads/a.jpg"


def test_a_job_is_named_by_the_key_and_the_version_alone():
    assert keys.job_version("v1", '"etag"') == "v1" and keys.job_version("null", '"etag"') == "etag"
    assert keys.job_id("uploads/s/a.jpg", "v1") == keys.job_id("uploads/s/a.jpg", "v1")
    assert len({keys.job_id("uploads/s/a.jpg", "v1"), keys.job_id("uploads/s/a.jpg", "v2"),
                keys.job_id("uploads/s/b.jpg", "v1")}) == 3


def test_result_keys_are_deterministic_and_can_be_read_back():
    assert keys.rendition_key("uploads/a/b.jpg", "d1", "full", "jpg") == "renditions/uploads/a/b.jpg/d1/full.jpg"
    record_key = keys.job_record_key("uploads/a/b.jpg", "d1")
    assert record_key == "jobs/uploads/a/b.jpg/d1.json"
    assert keys.source_of_record_key(record_key) == ("uploads/a/b.jpg", "d1")
    assert record_key.startswith(keys.job_records_prefix("uploads/a/b.jpg"))
    assert record_key.startswith(keys.job_records_prefix("uploads/a/"))


def test_status_view_of_each_state():
    assert records.status_view(None) == {"status": "processing", "outputs": [], "error": None}
    source = {"bucket": "s", "key": "uploads/x.jpg", "version": "v", "etag": "e"}
    output = {"name": "full", "bucket": "p", "key": "k", "width": 4, "height": 3, "bytes": 10, "format": "jpeg"}
    done = records.status_view(records.processed("j", source, {}, [output], {"total": 1.234}))
    assert done == {"status": "processed", "error": None,
                    "outputs": [{"name": "full", "width": 4, "height": 3, "bytes": 10}]}
    failed = records.failed("j", source, {}, "corrupt", "the image data is damaged", {})
    assert records.status_view(failed)["error"] == {"reason": "corrupt", "message": "the image data is damaged"}


def test_only_a_job_that_gave_up_may_run_again():
    source = {"bucket": "s", "key": "k", "version": "v", "etag": "e"}
    assert records.is_final(records.processed("j", source, {}, [], {}))
    assert records.is_final(records.failed("j", source, {}, "corrupt", "damaged", {}))
    assert not records.is_final(records.failed("j", source, {}, records.GAVE_UP, "kept failing", {}))
    assert not records.is_final(None)
