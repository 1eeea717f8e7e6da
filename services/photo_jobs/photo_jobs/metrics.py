"""The photo processor's CloudWatch metrics, named once: the processor writes them (EMF, through
Powertools), the web app's operations page reads them. terraform/dashboard.tf and alarms.tf name
the same metrics; tests/unit/test_ops.py holds them to these.
"""

from __future__ import annotations

NAMESPACE = "VividArt/PhotoProcessor"
FUNCTION_DIMENSION = "FunctionName"  # on every metric: the function that wrote it
REASON_DIMENSION = "Reason"  # on FAILED only: why the photo cannot be processed

PROCESSED = "processed"  # Count, 1 per photo version processed
FAILED = "failed"  # Count, 1 per photo version that failed for good, by reason
MEGAPIXELS = "megapixels"  # Count, per photo processed
# What a job times, in order: the processor's jobs.STAGES (download, the pipeline's stages,
# upload), each a <stage>_ms metric in milliseconds; TOTAL_STAGE is the whole job.
JOB_STAGES = ("download", "wait", "decode", "geometry", "adjust", "effects", "resize", "sharpen", "encode", "upload")
TOTAL_STAGE = "total"


def stage_metric(stage: str) -> str:
    """The metric that holds a stage's time, in milliseconds."""
    return f"{stage}_ms"
