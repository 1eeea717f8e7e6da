"""Job records and events: what the processor reports about one job (one version of one photo).

The same JSON document is written to the processed bucket (`keys.job_record_key`) and published
to the SNS topic, so a page reload and a live event tell the same story. Neither carries a
presigned URL: a download is signed when someone allowed to have it asks.

    {
      "schema": 2,
      "type": "processed" | "failed",
      "job_id": "<keys.job_id(source key, source version)>",
      "source": {"bucket": str, "key": str, "version": str, "etag": str},
      "spec": {...the resolved edit spec...} | {"raw": "<what was stored>"} when it was invalid,
      "outputs": [{"name", "bucket", "key", "width", "height", "bytes", "format"}],
      "error": null | {"reason": <one of REASONS>, "message": str},
      "timings_ms": {"<stage>": float},
      "finished_at": "<ISO 8601 UTC>"
    }
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

SCHEMA_VERSION = 2
PROCESSED, FAILED, PROCESSING = "processed", "failed", "processing"
# Why a job failed. All but GAVE_UP are about the file or the spec: final, never retried.
REASONS = {
    "corrupt": "the file is damaged",
    "unsupported": "not a photo format we read",
    "too_large": "too large to process",
    "invalid_spec": "the edit settings are not valid",
    "unprocessable": "the photo could not be processed",
    "gave_up": "processing kept failing; it can be retried",
}
GAVE_UP = "gave_up"


def processed(job_id: str, source: dict, spec: dict, outputs: list[dict], timings_ms: dict) -> dict[str, Any]:
    return _record(PROCESSED, job_id, source, spec, outputs, None, timings_ms)


def failed(job_id: str, source: dict, spec: dict, reason: str, message: str, timings_ms: dict) -> dict[str, Any]:
    assert reason in REASONS, reason
    return _record(FAILED, job_id, source, spec, [], {"reason": reason, "message": message}, timings_ms)


def _record(kind, job_id, source, spec, outputs, error, timings_ms) -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION, "type": kind, "job_id": job_id, "source": source, "spec": spec,
        "outputs": outputs, "error": error,
        "timings_ms": {k: round(v, 2) for k, v in timings_ms.items()},
        "finished_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
    }


def is_final(record: dict[str, Any] | None) -> bool:
    """A result that a repeated event must not redo: processed, or failed for the file's sake."""
    return record is not None and (record["type"] == PROCESSED or record["error"]["reason"] != GAVE_UP)


def status_view(record: dict[str, Any] | None) -> dict[str, Any]:
    """The public job status (`GET /api/jobs/<key>`) from a job record, or None while processing."""
    if record is None:
        return {"status": PROCESSING, "outputs": [], "error": None}
    outputs = [{k: o[k] for k in ("name", "width", "height", "bytes")} for o in record["outputs"]]
    return {"status": record["type"], "outputs": outputs, "error": record["error"]}


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":"), sort_keys=True)
