from photo_jobs import keys, records


def test_upload_keys_are_fresh_and_keep_the_name():
    first = keys.upload_key("uploads/", "Wedding 01 +#é.jpg")
    second = keys.upload_key("uploads/", "Wedding 01 +#é.jpg")
    assert first != second
    assert first.startswith("uploads/") and first.endswith("/Wedding 01 +#é.jpg")


def test_upload_keys_cannot_escape_their_folder():
    key = keys.upload_key("uploads/", "../../etc/passwd")
    assert key.count("/") == 2 and ".._.._etc_passwd" in key


def test_result_keys_are_deterministic():
    assert keys.rendition_key("uploads/a/b.jpg", "d1", "full", "jpg") == "renditions/uploads/a/b.jpg/d1/full.jpg"
    assert keys.job_record_key("uploads/a/b.jpg", "d1") == "jobs/uploads/a/b.jpg/d1.json"


def test_status_view_of_each_state():
    assert records.status_view(None) == {"status": "processing", "outputs": [], "error": None}
    source = {"bucket": "s", "key": "uploads/x.jpg", "etag": "e"}
    output = {"name": "full", "bucket": "p", "key": "k", "width": 4, "height": 3, "bytes": 10, "format": "jpeg"}
    done = records.status_view(records.processed("j", source, {}, [output], {"total": 1.234}))
    assert done == {"status": "processed", "error": None,
                    "outputs": [{"name": "full", "bucket": "p", "key": "k", "width": 4, "height": 3}]}
    failed = records.status_view(records.failed("j", source, {}, "corrupt", "the image data is damaged", {}))
    assert failed == {"status": "failed", "outputs": [], "error": "the image data is damaged"}
