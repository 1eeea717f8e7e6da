"""The S3 notification that starts a job: what the source bucket sends the jobs queue when a photo
is created, and what the web app sends again to redrive a job (Try again). Defined here once: the
web app builds it, the processor reads it, the tests make it.

    {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:<how>",
                  "s3": {"bucket": {"name": str}, "object": {"key": <URL-encoded, spaces as +>, "versionId": str}}}]}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote_plus, unquote_plus

REDRIVE = "ObjectCreated:Redrive"


@dataclass(frozen=True)
class Created:
    """A photo version a notification says was created: the version is None only in an
    unversioned bucket."""

    bucket: str
    key: str
    version: str | None = None


def object_created(bucket: str, key: str, version: str | None, event: str = REDRIVE) -> str:
    """The notification of one object, as S3 writes it (the key URL-encoded, spaces as '+')."""
    obj = {"key": quote_plus(key, safe="/"), **({"versionId": version} if version else {})}
    return json.dumps({"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": event,
                                    "s3": {"bucket": {"name": bucket}, "object": obj}}]})


def created(body: str) -> list[Created]:
    """Each object a notification (an SQS message body) says was created; s3:TestEvent has none."""
    notification = json.loads(body)
    found = []
    for record in notification.get("Records", []):
        if not record.get("eventName", "").startswith("ObjectCreated"):
            continue
        obj = record["s3"]["object"]
        version = obj.get("versionId") or None
        found.append(Created(record["s3"]["bucket"]["name"], unquote_plus(obj["key"]), None if version == "null" else version))
    return found
