"""The operations page (staff only): its page and its API (services.ops has the figures)."""

from __future__ import annotations

from flask import Blueprint as PageBlueprint, render_template
from marshmallow import Schema, fields, validate

from webapp.apispec import Blueprint
from webapp.auth import staff_only
from webapp.services.ops import PERIODS, collect

bp = Blueprint("ops", __name__, url_prefix="/api/ops", description="Operations metrics (staff)")
pages = PageBlueprint("ops_pages", __name__)


class OpsMetricsQuery(Schema):
    hours = fields.Integer(load_default=1, validate=validate.OneOf(sorted(PERIODS)),
                           metadata={"description": "the window: the last 1, 6 or 24 hours"})


def _values():
    return fields.List(fields.Float(allow_none=True), metadata={"description": "one per timestamp; null: no data"})


class OpsRange(Schema):
    hours = fields.Integer()
    period_s = fields.Integer(metadata={"description": "each point covers this many seconds"})
    start = fields.String()
    end = fields.String()


class OpsFailure(Schema):
    reason = fields.String()
    per_minute = fields.List(fields.Float())
    total = fields.Integer()


class OpsStage(Schema):
    stage = fields.String()
    p50 = fields.Float(allow_none=True, metadata={"description": "milliseconds, over the window"})
    p90 = fields.Float(allow_none=True)


class OpsJob(Schema):
    p50 = fields.Float(allow_none=True, metadata={"description": "the whole job, milliseconds, over the window"})
    p90 = fields.Float(allow_none=True)
    p50_series = _values()
    p90_series = _values()


class OpsQueueNow(Schema):
    waiting = fields.Integer()
    in_flight = fields.Integer()
    delayed = fields.Integer()
    dead_letter = fields.Integer()
    oldest_age_s = fields.Float(allow_none=True, metadata={"description": "seconds; null when not reported lately"})


class OpsQueue(Schema):
    depth = _values()
    oldest_age_s = _values()
    dead_letter_depth = _values()
    now = fields.Nested(OpsQueueNow)


class OpsTotals(Schema):
    processed = fields.Integer()
    failed = fields.Integer()


class OpsMetrics(Schema):
    range = fields.Nested(OpsRange)
    timestamps = fields.List(fields.String(), metadata={"description": "the start of each period, UTC"})
    totals = fields.Nested(OpsTotals)
    processed_per_minute = _values()
    failures = fields.List(fields.Nested(OpsFailure))
    stages = fields.List(fields.Nested(OpsStage))
    job = fields.Nested(OpsJob)
    queue = fields.Nested(OpsQueue)


@bp.route("/metrics")
@staff_only
@bp.arguments(OpsMetricsQuery, location="query")
@bp.response(200, OpsMetrics)
def ops_metrics(args):
    """The photo pipeline over the last hours: throughput, failures, time per stage, the queues."""
    return collect(args["hours"])


@pages.get("/ops")
@staff_only
def ops_page():
    return render_template("ops.html", hours=sorted(PERIODS))
