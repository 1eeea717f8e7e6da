"""Job records and events: what the Lambda reports about one photo.

The same JSON document is written to the processed bucket (`keys.job_record_key`) and published
to the SNS topic, so a page reload and a live notification tell the same story.

    {
      "schema": 1,
      "type": "processed" | "failed",
      "job_id": "<digest of spec and source bytes>",
      "source": {"bucket": str, "key": str, "etag": str},
      "spec": {...edit spec...},
      "outputs": [{"name", "bucket", "key", "width", "height", "bytes", "format"}],
      "error": null | {"reason": str, "message": str},
      "timings_ms": {"<stage>": float},
      "finished_at": "<ISO 8601 UTC>"
    }
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

SCHEMA_VERSION = 1
PROCESSED, FAILED, PROCESSING = "processed", "failed", "processing"


def processed(job_id: str, source: dict, spec: dict, outputs: list[dict], timings_ms: dict) -> dict[str, Any]:
    return _record(PROCESSED, job_id, source, spec, outputs, None, timings_ms)


def failed(job_id: str, source: dict, spec: dict, reason: str, message: str, timings_ms: dict) -> dict[str, Any]:
    return _record(FAILED, job_id, source, spec, [], {"reason": reason, "message": message}, timings_ms)


def _record(kind, job_id, source, spec, outputs, error, timings_ms) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION, "type": kind, "job_id": job_id, "source": source, "spec": spec,
        "outputs": outputs, "error": error,
        "timings_ms": {k: round(v, 2) for k, v in timings_ms.items()},
        "finished_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
    }


def status_view(record: dict[str, Any] | None) -> dict[str, Any]:
    """The public job status (`GET /api/jobs/<key>`) from a job record, or None while processing."""
    if record is None:
        return {"status": PROCESSING, "outputs": [], "error": None}
    outputs = [{k: o[k] for k in ("name", "bucket", "key", "width", "height")} for o in record["outputs"]]
    error = record["error"]["message"] if record.get("error") else None
    return {"status": record["type"], "outputs": outputs, "error": error}


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":"), sort_keys=True)
