"""The client's side of a gallery: /g/<token> and /api/g/<token>/..., no account, one link.

Every request is checked against its link: the token (HMAC, constant time), its state (revoked
or expired links answer 410), its PIN (opened in this browser's session, for this PIN), and its
shoot: a client names photos by their path in the link's shoot, so nothing of another shoot can
be reached. In proof mode images are only ever the watermarked proofs; downloads are the clean
files the link allows (web or full size), one by one or as one ZIP streamed straight from S3.
"""

from __future__ import annotations

import logging
from functools import wraps

from flask import Blueprint as PageBlueprint, Response, current_app, g, redirect, render_template, request, session
from flask import stream_with_context, url_for
from flask_smorest import abort
from marshmallow import Schema, fields, validate
from zipstream import ZIP_STORED, ZipStream

from photo_jobs import keys
from webapp import galleries, studio
from webapp.api import event_stream, presigned_rendition
from webapp.apispec import Blueprint
from webapp.attachments import content_disposition
from webapp.catalog import Photo
from webapp.context import aws, catalog, db, hub, stack
from webapp.security import limiter

LOG = logging.getLogger(__name__)
pages = PageBlueprint("gallery_pages", __name__)
bp = Blueprint("gallery", __name__, url_prefix="/api/g/<token>",
               description="A client's gallery, by its share link's token (no account)")
# What a client is shown of each size: in proof mode, the watermarked proofs only.
IMAGES = {False: {"thumb": "thumb", "thumb_webp": "thumb_webp", "web": "web", "web_webp": "web_webp"},
          True: {"thumb": "proof_thumb", "thumb_webp": "proof_thumb", "web": "proof", "web_webp": "proof"}}


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _open_link(token: str) -> galleries.Link:
    """The link behind this token, open to this browser; Refused otherwise."""
    with db().transaction() as conn:
        link = galleries.by_token(conn, current_app.config["SECRET_KEY"], token)
    if link is None:
        raise Refused(404, "There is no gallery at this address.")
    if link.state == "revoked":
        raise Refused(410, "This gallery link has been withdrawn by the studio.")
    if link.state == "expired":
        raise Refused(410, "This gallery link has expired. Ask the studio for a new one.")
    if link.pin_hash and session.get("galleries", {}).get(str(link.id)) != link.pin_version:
        raise Refused(401, "Enter the gallery's PIN.")
    return link


def client_only(view):
    """Answers only the holder of an open link; g.link is it, g.shoot its shoot."""
    @wraps(view)
    def guarded(token, *args, **kwargs):
        try:
            g.link = _open_link(token)
        except Refused as refused:
            abort(refused.status, message=str(refused))
        with db().transaction() as conn:
            g.shoot = studio.get(conn, g.link.shoot_id)
        return view(*args, token=token, **kwargs)
    return guarded


def _photos() -> list[Photo]:
    """The processed photos of the link's shoot that it may show (in proof mode: with proofs)."""
    current = stack()
    photos = catalog().folder(aws("s3"), current, g.link.shoot_id, f"{current.upload_prefix}{g.link.shoot_id}/")
    needed = "proof" if g.link.proofs else "web"
    return [p for p in photos if p.output(needed) and p.output("full")]


def _photo(path: str) -> Photo:
    """A photo of the link's shoot by its path there; nothing outside that folder can be named."""
    current = stack()
    try:
        key = keys.check_source_key(current.upload_prefix, f"{current.upload_prefix}{g.link.shoot_id}/{path}")
    except keys.BadKey:
        abort(404, message="no such photo in this gallery")
    photo = catalog().photo(aws("s3"), current, key, g.link.shoot_id)
    if photo is None or not photo.output("proof" if g.link.proofs else "web"):
        abort(404, message="no such photo in this gallery")
    return photo


# --- pages -----------------------------------------------------------------------------------

@pages.get("/g/<token>")
def gallery_page(token):
    try:
        link = _open_link(token)
    except Refused as refused:
        if refused.status == 401:
            return render_template("gallery_pin.html", token=token), 401
        return render_template("gallery_gone.html", message=str(refused)), refused.status
    with db().transaction() as conn:
        shoot = studio.get(conn, link.shoot_id)
    return render_template("gallery.html", token=token, link=link, shoot=shoot,
                           studio_name=stack().studio_name)


@pages.post("/g/<token>/unlock")
@limiter.limit("20 per minute")
def unlock(token):
    with db().transaction() as conn:
        link = galleries.by_token(conn, current_app.config["SECRET_KEY"], token)
        if link is None or link.state != "active":
            return render_template("gallery_gone.html", message="There is no open gallery at this address."), 404
        if not link.pin_hash:
            return redirect(url_for("gallery_pages.gallery_page", token=token))
        try:
            opened = galleries.check_pin(conn, link, request.form.get("pin", ""), request.remote_addr or "unknown")
        except galleries.TooManyGuesses as too_many:
            return (render_template("gallery_pin.html", token=token, problem=f"Too many wrong PINs: {too_many}"), 429,
                    {"Retry-After": str(too_many.retry_after)})
    if not opened:
        return render_template("gallery_pin.html", token=token, problem="That PIN does not open this gallery."), 401
    session.setdefault("galleries", {})[str(link.id)] = link.pin_version
    session.modified = True
    return redirect(url_for("gallery_pages.gallery_page", token=token))


# --- the client's API ------------------------------------------------------------------------

class CommentIn(Schema):
    body = fields.String(required=True, validate=validate.Length(1, galleries.MAX_COMMENT))


def _view(photo: Photo, favourites: set[str], said: dict[str, list[dict]]) -> dict:
    full = photo.output("full")
    return {"path": photo.path, "name": photo.name, "width": full["width"], "height": full["height"],
            "favourite": photo.key in favourites, "comments": said.get(photo.key, []), "job_id": photo.job_id}


@bp.route("")
@client_only
@bp.response(200)
def gallery(token):
    """The gallery as its client sees it: the shoot's ready photos, their favourites and comments."""
    with db().transaction() as conn:
        favourites = set(galleries.favourites(conn, g.link.id))
        said: dict[str, list[dict]] = {}
        for comment in galleries.comments(conn, g.link.id):
            said.setdefault(comment["key"], []).append({"body": comment["body"], "created_at": comment["created_at"]})
        sent = galleries.selections(conn, g.link.id)
    return {"studio": stack().studio_name, "shoot": g.shoot.name, "link": g.link.name, "proofs": g.link.proofs,
            "downloads": g.link.downloads, "photos": [_view(p, favourites, said) for p in _photos()],
            "selection_sent_at": sent[-1]["sent_at"] if sent else None}


@bp.route("/images/<size>/<path:photo>")
@client_only
@bp.response(302)
def image(token, size, photo):
    """Redirect to an image of a photo (thumb, thumb_webp, web, web_webp), signed now; in proof
    mode, its watermarked proof whatever the size asked."""
    name = IMAGES[g.link.proofs].get(size)
    if name is None:
        abort(404, message=f"no image size {size!r}")
    response = redirect(presigned_rendition(_photo(photo), name, download=False), 302)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@bp.route("/downloads/<path:photo>")
@client_only
@bp.response(302)
def download(token, photo):
    """Redirect to the photo as a file to save, at the size the link allows."""
    if g.link.downloads == "none":
        abort(403, message="this gallery does not offer downloads")
    return redirect(presigned_rendition(_photo(photo), g.link.downloads, download=True), 302)


@bp.route("/archive.zip")
@client_only
@bp.response(200, content_type="application/zip")
def archive(token):
    """Every photo the link may download, as one ZIP streamed from S3 as it is sent (its size is
    known at once, so the browser shows progress); the app never holds more than a chunk."""
    if g.link.downloads == "none":
        abort(403, message="this gallery does not offer downloads")
    s3, names = aws("s3"), set()
    archive = ZipStream(compress_type=ZIP_STORED, sized=True)
    for photo in _photos():
        output = photo.output(g.link.downloads)
        name = _unique(f"{photo.name.rsplit('.', 1)[0]}.{output['key'].rsplit('.', 1)[-1]}", names)
        archive.add(_chunks(s3, output["bucket"], output["key"]), arcname=name, size=output["bytes"])
    return Response(stream_with_context(archive), mimetype="application/zip",
                    headers={"Content-Disposition": content_disposition(g.shoot.name, "zip", fallback="photos"),
                             "Content-Length": str(len(archive))})


def _unique(name: str, taken: set[str]) -> str:
    stem, _, extension = name.rpartition(".")
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem} ({n}).{extension}"
    taken.add(candidate)
    return candidate


def _chunks(s3, bucket: str, key: str):
    """An S3 object chunk by chunk, fetched only when the ZIP reaches it."""
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    try:
        yield from body.iter_chunks(1 << 20)
    finally:
        body.close()


@bp.route("/favourites/<path:photo>", methods=["PUT", "DELETE"])
@client_only
@bp.response(200)
def favourite(token, photo):
    """Mark a photo as a favourite (PUT), or not (DELETE)."""
    chosen = _photo(photo)
    on = request.method == "PUT"
    with db().transaction() as conn:
        galleries.set_favourite(conn, g.link.id, chosen.key, on)
        count = len(galleries.favourites(conn, g.link.id))
    hub().publish(g.link.shoot_id, "feedback", {"link": g.link.id, "what": "favourite", "key": chosen.key,
                                                "favourite": on}, to="staff")
    return {"favourite": on, "favourites": count}


@bp.route("/comments/<path:photo>", methods=["POST"])
@client_only
@bp.arguments(CommentIn)
@bp.response(201)
def comment(body, token, photo):
    """A comment on a photo, for the studio."""
    chosen = _photo(photo)
    try:
        with db().transaction() as conn:
            made = galleries.add_comment(conn, g.link.id, chosen.key, body["body"])
    except galleries.LinkError as error:
        abort(400, message=str(error))
    hub().publish(g.link.shoot_id, "feedback", {"link": g.link.id, "what": "comment", "key": chosen.key}, to="staff")
    return {"body": made["body"], "created_at": made["created_at"]}


@bp.route("/selection", methods=["POST"])
@client_only
@bp.response(201)
def send_selection(token):
    """Send the favourites to the studio as this client's selection (the studio gets an email)."""
    try:
        with db().transaction() as conn:
            sent = galleries.send_selection(conn, g.link.id)
    except galleries.LinkError as error:
        abort(400, message=str(error))
    hub().publish(g.link.shoot_id, "feedback", {"link": g.link.id, "what": "selection", "count": len(sent["keys"])},
                  to="staff")
    tell_the_studio(g.shoot, g.link, sent["keys"])
    return {"sent_at": sent["sent_at"], "count": len(sent["keys"])}


@bp.route("/events")
@client_only
@bp.response(200, content_type="text/event-stream")
def events(token):
    """Server-sent events of the link's shoot that concern its client: photos as they become ready."""
    return event_stream(g.link.shoot_id, f"link:{g.link.id}")


def tell_the_studio(shoot, link: galleries.Link, chosen: list[str]) -> None:
    """An email to the studio through SES; where SES is not there (a local stack without it), the log."""
    current = stack()
    names = [keys.file_name(key) for key in chosen]
    subject = f"{link.name} sent a selection of {len(names)} from {shoot.name}"
    text = (f"{link.name} chose {len(names)} photos from the shoot {shoot.name}:\n\n" + "\n".join(names)
            + f"\n\nExport it for Lightroom from the shoot's page: {current.web_url}/shoots/{shoot.id}\n")
    try:
        aws("ses").send_email(Source=current.studio_email, Destination={"ToAddresses": [current.studio_email]},
                              Message={"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}})
        LOG.info("emailed the studio: %s", subject)
    except Exception as error:  # noqa: BLE001 - the selection is saved whatever happens to the email
        LOG.warning("no email (%s); the message was:\n%s\n%s", error, subject, text)
