"""A preview: the web app asks the processor (a direct, synchronous invocation) for one photo
version rendered with an edit spec, without changing the photo. The request and the reply are
defined here once; the web app writes the one and reads the other, the processor the reverse.

    request: {"action": "preview", "bucket": str, "key": str, "spec": {...}}
    reply:   {"bucket": str, "key": str, "width": int, "height": int, "seconds": float}
           | {"failure": {"reason": <records.REASONS>, "message": str}}   the photo cannot be made so
           | {"missing": str}                                            no such photo (a message)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from photo_jobs import records

ACTION = "preview"


@dataclass(frozen=True)
class Request:
    bucket: str
    key: str
    spec: dict

    def dumps(self) -> str:
        return json.dumps({"action": ACTION, **asdict(self)})

    @classmethod
    def of(cls, event: dict) -> Request:
        return cls(event["bucket"], event["key"], event.get("spec"))


@dataclass(frozen=True)
class Reply:
    bucket: str | None = None
    key: str | None = None
    width: int | None = None
    height: int | None = None
    seconds: float | None = None
    failure: dict | None = None  # {"reason", "message"}: the reason is one of records.REASONS
    missing: str | None = None

    @classmethod
    def made(cls, bucket: str, key: str, width: int, height: int, seconds: float) -> Reply:
        return cls(bucket, key, width, height, seconds)

    @classmethod
    def failed(cls, reason: str, message: str) -> Reply:
        assert reason in records.REASONS, reason
        return cls(failure={"reason": reason, "message": message})

    @classmethod
    def gone(cls, message: str) -> Reply:
        return cls(missing=message)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def of(cls, payload: dict) -> Reply:
        return cls(**{k: payload.get(k) for k in cls.__dataclass_fields__})
