"""Live events (server-sent): the staff's stream of a shoot, the one server-sent stream code both
sides use, and what a photo's change tells each audience.

A page lists its photos once, then keeps them current from these events: a photo's event carries
its view (the staff's whole view; a client's only what a gallery shows: its path, name, size and
which renditions it has), so no page asks the API again because one photo changed.
"""

from __future__ import annotations

from flask import Response, current_app, stream_with_context
from flask_smorest import abort

from webapp.adapters.hub import CLIENTS, STAFF, Busy
from webapp.apispec import Blueprint
from webapp.auth import staff_only, still_signed_in
from webapp.context import db, hub
from webapp.routes.shoots import PhotoOut, shoot_or_404
from webapp.services import shoots
from webapp.services.photos import Photo

bp = Blueprint("events", __name__, url_prefix="/api/shoots/<shoot_id>", description="Live events of a shoot (staff)")
PHOTO = "photo"
_STAFF_VIEW = PhotoOut()


def client_view(photo: Photo) -> dict:
    """What a gallery may know of a photo: nothing of its key, its spec or its failures."""
    return {"path": photo.path, "name": photo.name, "job_id": photo.shown_job_id, "width": photo.width,
            "height": photo.height, "renditions": photo.renditions}


def announce(row: dict | None, shoot: str | None = None) -> None:
    """A photo changed (uploaded, edited, processed, failed): tell the open pages of its shoot."""
    if row is None:
        return
    photo = Photo.of(row)
    if shoot is None:  # a folder that is no shoot's is Unsorted's
        with db().transaction() as conn:
            shoot = photo.shoot if shoots.get(conn, photo.shoot) else shoots.UNSORTED
    hub().publish(shoot, PHOTO, _STAFF_VIEW.dump(Photo.of(row, shoot if shoot == shoots.UNSORTED else None)), to=STAFF)
    if photo.outputs and not photo.outdated and shoot != shoots.UNSORTED:
        hub().publish(shoot, PHOTO, client_view(photo), to=CLIENTS)


def stream(shoot_id: str, audience: str, still_allowed, closed=lambda: None) -> Response:
    """The live events of a shoot for this audience; `still_allowed()` is asked at every heartbeat
    (the stream ends once it says no), `closed()` runs when the stream ends or cannot start."""
    try:
        subscriber = hub().subscribe(shoot_id, audience)
    except Busy as busy:
        closed()
        abort(503, message=f"too many live pages on this server ({busy}); the page falls back to reloading")
    events = hub().stream(subscriber, current_app.config["SSE_HEARTBEAT_SECONDS"], still_allowed, closed)
    return Response(stream_with_context(events), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@bp.route("/events")
@staff_only
@bp.response(200, content_type="text/event-stream")
def shoot_events(shoot_id):
    """Server-sent events of a shoot: each photo as it changes (`photo`, its whole view), and
    clients' feedback (`feedback`)."""
    shoot = shoot_or_404(shoot_id)
    return stream(shoot.id, STAFF, still_signed_in())
