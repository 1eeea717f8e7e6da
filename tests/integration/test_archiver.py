"""The archiver's own behaviour against the local stack's S3 (its code run here, as the function
runs it): a build that stops after a part goes on from there the next time, and an archive whose
status is older than the bucket keeps archives is built again rather than handed out."""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from photo_jobs import archives
from photo_processor import archiver

pytestmark = pytest.mark.integration


class _Failing:
    """The stack's S3, failing to read one key (a network blip in the middle of a build)."""

    def __init__(self, s3, failing_key: str) -> None:
        self.s3, self.failing_key, self.parts_started = s3, failing_key, []

    def get_object(self, **kwargs):
        if kwargs["Key"] == self.failing_key:
            raise ConnectionError("the network went away")
        return self.s3.get_object(**kwargs)

    def create_multipart_upload(self, **kwargs):
        self.parts_started.append(kwargs["Key"])
        return self.s3.create_multipart_upload(**kwargs)

    def __getattr__(self, name):
        return getattr(self.s3, name)


@pytest.fixture
def request_of_three_parts(stack):
    s3, bucket = stack.aws("s3"), stack.outputs["processed_bucket"]
    run = datetime.now(UTC).strftime("%H%M%S%f")
    entries = []
    for n in range(3):
        key = f"tests/archiver/{run}/{n}.jpg"
        s3.put_object(Bucket=bucket, Key=key, Body=bytes([n]) * 1000)
        entries.append(archives.Entry(bucket, key, f"IMG_{n}.jpg", 1000))
    return archives.Request(f"resume{run}", bucket, "Resumed", entries, part_bytes=1500)  # a photo a part


def test_a_build_that_failed_on_a_part_goes_on_from_there(stack, request_of_three_parts):
    request, s3 = request_of_three_parts, stack.aws("s3")
    heard = []
    broken = _Failing(s3, request.entries[2].key)
    first = archiver.build(broken, heard.append, request)
    assert first.state == archives.FAILED and "network went away" in first.error
    assert [p["entries"] for p in first.parts] == [1, 1]  # two parts made, and kept
    again = _Failing(s3, failing_key="")
    second = archiver.build(again, heard.append, request)
    assert second.state == archives.READY and len(second.parts) == 3
    assert again.parts_started == [second.parts[2]["key"]]  # only the part that was missing
    for n, part in enumerate(second.parts):
        data = s3.get_object(Bucket=request.bucket, Key=part["key"])["Body"].read()
        with zipfile.ZipFile(io.BytesIO(data)) as zipped:
            assert zipped.read(f"IMG_{n}.jpg") == bytes([n]) * 1000
    assert heard[-1].state == archives.READY


def test_an_archive_older_than_the_bucket_keeps_it_is_built_again(stack, request_of_three_parts):
    request, s3 = request_of_three_parts, stack.aws("s3")
    built = archiver.build(s3, lambda status: None, request)
    assert built.state == archives.READY
    assert archiver.build(_Failing(s3, ""), lambda status: None, request).parts == built.parts  # fresh: kept
    old = archives.Status.of(built.to_dict() | {"updated_at": (datetime.now(UTC) - archives.KEPT).isoformat()})
    s3.put_object(Bucket=request.bucket, Key=archives.status_key(request.archive_id), Body=old.dumps().encode())
    watching = _Failing(s3, "")
    rebuilt = archiver.build(watching, lambda status: None, request)
    assert rebuilt.state == archives.READY and len(watching.parts_started) == 3  # every part made anew
    assert datetime.fromisoformat(archiver.read_status(s3, request.bucket, request.archive_id).updated_at) \
        > datetime.now(UTC) - timedelta(minutes=5)
