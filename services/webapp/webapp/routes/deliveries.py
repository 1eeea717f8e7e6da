"""Archives (Download all), built in S3 by the archiver: what both sides ask and get back, and what
the archiver's reports tell the pages. The client's routes are in routes/gallery.py, the studio's
here; both answer the same Delivery, with presigned links to its parts once it is ready."""

from __future__ import annotations

from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from photo_jobs import archives
from webapp.adapters import storage
from webapp.adapters.hub import STAFF
from webapp.apispec import Blueprint
from webapp.attachments import content_disposition
from webapp.auth import staff_only
from webapp.context import aws, db, hub, mailer, stack
from webapp.routes.shoots import real_shoot_or_400
from webapp.services import deliveries

bp = Blueprint("deliveries", __name__, url_prefix="/api/shoots/<shoot_id>/archives",
               description="The studio's full-size export of a shoot, built in S3 (staff)")
LINK_SECONDS = 3600  # a part's link: long enough to start a big download; a dropped one resumes by range
EXPORT = "full"


class PartOut(Schema):
    name = fields.String()
    bytes = fields.Integer()
    entries = fields.Integer()
    url = fields.String(allow_none=True, metadata={"description": "a presigned GET, while the archive is ready"})


class DeliveryOut(Schema):
    id = fields.String()
    title = fields.String()
    state = fields.String(metadata={"description": "building, ready or failed"})
    bytes_done = fields.Integer()
    bytes_total = fields.Integer()
    entries = fields.Integer()
    parts = fields.List(fields.Nested(PartOut))
    error = fields.String(allow_none=True)


class AskIn(Schema):
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=200),
                         metadata={"description": "to be emailed when it is ready"})


def signed(delivery: deliveries.Delivery) -> deliveries.Delivery:
    """The delivery with a link to each part, signed now (only once it is ready)."""
    if delivery.state == archives.READY:
        s3, bucket = aws("s3"), stack().processed_bucket
        for part in delivery.parts:
            stem = part.name.rsplit(".", 1)[0]
            part.url = storage.presign_get(s3, bucket, part.key, content_disposition(stem, "zip", fallback="photos"),
                                           LINK_SECONDS)
    return delivery


@bp.route("", methods=["POST"])
@staff_only
@bp.arguments(AskIn)
@bp.response(202, DeliveryOut)
def export(body, shoot_id):
    """The shoot's full-size photos as ZIP files (parts of at most 4 GB), built in S3: answered at
    once with its progress (and its links when it is ready: made before, or unchanged since)."""
    shoot = real_shoot_or_400(shoot_id, "export")
    current = stack()
    try:
        with db().transaction() as conn:
            request = deliveries.plan(conn, current.processed_bucket, shoot.id, EXPORT, shoot.name, archives.MAX_PART_BYTES)
    except deliveries.DeliveryError as error:
        abort(409, message=str(error))
    return signed(deliveries.ask(db(), aws("s3"), aws("lambda"), current, request, shoot.id, EXPORT,
                                 staff_id=current_user.id, email=body["email"]))


@bp.route("/<archive_id>")
@staff_only
@bp.response(200, DeliveryOut)
def export_status(shoot_id, archive_id):
    """An archive of the shoot: how far it is, and its links once it is ready."""
    found = deliveries.get(db(), archive_id, real_shoot_or_400(shoot_id, "export").id)
    if found is None:
        abort(404, message="no such archive of this shoot")
    return signed(found)


def reported(status: archives.Status) -> None:
    """An archiver's report: the pages of those who asked hear it; once ready, the emails go."""
    delivery, shoot_id, told = deliveries.reported(db(), status)
    if delivery is None:
        return
    view = DeliveryOut().dump(delivery)
    hub().publish(shoot_id, "archive", view, to=STAFF)
    for link_id in deliveries.links_asking(db(), delivery.id):
        hub().publish(shoot_id, "archive", view, to=f"link:{link_id}")
    if told:
        deliveries.tell(db(), mailer(), delivery, shoot_id, told)
