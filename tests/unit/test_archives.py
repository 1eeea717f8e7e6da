"""Archives' own rules (photo_jobs.archives), pure: what names an archive, how it is cut into
parts, what its entries are called."""

import json
from datetime import UTC, datetime, timedelta

import hcl2
from photo_jobs import archives
from photo_jobs.archives import Entry
from support import REPO
from webapp.services import deliveries


def entry(n: int, size: int) -> Entry:
    return Entry("out", f"r/{n}.jpg", f"IMG_{n}.jpg", size)


def test_the_same_photos_at_the_same_edits_name_the_same_archive():
    one = archives.archive_id("full", [("r/1.jpg", "job1"), ("r/2.jpg", "job2")])
    assert one == archives.archive_id("full", [("r/1.jpg", "job1"), ("r/2.jpg", "job2")])
    assert one != archives.archive_id("full", [("r/1.jpg", "job1"), ("r/2.jpg", "job3")])  # a new edit
    assert one != archives.archive_id("proof", [("r/1.jpg", "job1"), ("r/2.jpg", "job2")])  # another rendition
    assert one != archives.archive_id("full", [("r/1.jpg", "job1")])  # a photo fewer


def test_parts_hold_at_most_their_size_in_order_and_a_big_photo_is_a_part_of_its_own():
    entries = [entry(n, 250) for n in range(10)] + [entry(10, 5000)] + [entry(11, 250)]
    parts = archives.cut(entries, 1000)
    assert [e for part in parts for e in part] == entries
    assert all(sum(e.bytes + archives.ENTRY_OVERHEAD + 2 * len(e.name) for e in part) <= 1000
               for part in parts if len(part) > 1)
    assert [len(p) for p in parts] == [2, 2, 2, 2, 2, 1, 1] and parts[5] == [entries[10]]
    assert archives.cut([], 1000) == []
    assert len(archives.cut(entries, archives.MAX_PART_BYTES)) == 1


def test_names_are_unique_and_parts_say_which_of_how_many():
    assert archives.unique_names(["a.jpg", "A.jpg", "a.jpg", "b"]) == ["a.jpg", "A (2).jpg", "a (3).jpg", "b"]
    assert archives.part_name("Smith wedding", 1, 1) == "Smith wedding.zip"
    assert archives.part_name('Smith/"wedding"', 2, 3) == 'Smith_"wedding" (part 2 of 3).zip'


def test_a_request_and_a_status_go_through_json_unchanged():
    request = archives.Request("abc", "out", "Smith", [entry(1, 10), entry(2, 20)], 1000)
    assert archives.Request.of(json.loads(request.dumps())) == request and request.bytes_total == 30
    status = archives.Status("abc", archives.READY, 30, 30, [{"key": "k", "bytes": 40, "entries": 2}])
    again = archives.Status.of(json.loads(status.dumps()))
    assert (again.state, again.parts, again.bytes_done) == (archives.READY, status.parts, 30)


def test_archives_are_built_again_before_the_bucket_deletes_them():
    with open(REPO / "terraform" / "modules" / "storage" / "main.tf") as config:
        [processed] = [m['"processed"'] for m in hcl2.load(config)["module"] if '"processed"' in m]
    assert processed["expire_after_days"]['"archives/"'] == archives.KEEP_DAYS  # the bucket's lifecycle rule

    now = datetime.now(UTC)
    ready = {"state": archives.READY, "updated_at": now - timedelta(days=archives.KEEP_DAYS - 2)}
    assert deliveries.usable(ready, now)
    assert not deliveries.usable({**ready, "updated_at": now - timedelta(days=archives.KEEP_DAYS - 1)}, now)
    building = {"state": archives.BUILDING, "updated_at": now - timedelta(minutes=5)}
    assert deliveries.usable(building, now)
    assert not deliveries.usable({**building, "updated_at": now - timedelta(hours=1)}, now)  # said nothing: ask again
    assert not deliveries.usable({"state": archives.FAILED, "updated_at": now}, now)
    # the archiver asks the same of the status it finds in S3: an old one is built again, not re-announced
    def status(state: str, age: timedelta, parts=()) -> archives.Status:
        return archives.Status("abc", state, 30, parts=list(parts),
                               updated_at=(now - age).isoformat(timespec="milliseconds"))
    assert status(archives.READY, timedelta(days=archives.KEEP_DAYS - 2)).usable(now)
    assert not status(archives.READY, timedelta(days=archives.KEEP_DAYS - 1)).usable(now)
    assert not archives.Status("abc", archives.READY, 30).usable(now)  # no time: as old as can be


def test_a_build_that_stopped_moments_ago_is_taken_up_from_its_last_part():
    now = datetime.now(UTC)
    done = [{"key": "archives/abc/Smith (part 1 of 3).zip", "bytes": 40, "entries": 2}]
    stopped = archives.Status("abc", archives.FAILED, 90, 40, done, "ReadTimeout",
                              (now - timedelta(minutes=3)).isoformat())
    assert stopped.resumable_parts(now) == {done[0]["key"]: done[0]}
    assert archives.Status.of(json.loads(stopped.dumps())).resumable_parts(now) == {done[0]["key"]: done[0]}
    long_ago = archives.Status("abc", archives.BUILDING, 90, 40, done, None, (now - timedelta(hours=2)).isoformat())
    assert long_ago.resumable_parts(now) == {}  # parts that old are made again: the bucket deletes by age
    ready = archives.Status("abc", archives.READY, 90, 90, done, None, now.isoformat())
    assert ready.resumable_parts(now) == {}
