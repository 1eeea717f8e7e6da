"""The client's side of a gallery: /g/<token> and /api/g/<token>/..., no account, one link.

Every request is checked against its link: the token (HMAC, constant time), its state (revoked
or expired links answer 410), its PIN (opened in this browser's session, for this PIN), and its
shoot: a client names photos by their path in the link's shoot, so nothing of another shoot can
be reached. In proof mode everything that leaves is watermarked: views, downloads (the proof, at
web size) and the ZIP; a delivery link gives the clean files it allows (web or full size).

What one link may cost is bounded across instances: a few event streams (repositories.slots) and
two archives being built at a time, listings, comments, favourites and archives by rate, one
selection email every few minutes. A withdrawn link (revoked, expired, PIN changed) ends its open
streams at once (and at their next heartbeat at the latest) and gets no more links to its
archives. Pages read the photos table; Download all is built in S3 (services.deliveries).

Each request acts as a visitor (services.visitors): the person this browser's session says it is
on this link, in the role its address gives (the couple by the link's own address, a guest by its
guests' address). A visitor sees only their own favourites and comments, never another's name or
email; guests download only where the link lets them, on every download route. What visitors do
is logged for the studio (activity).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import wraps

from flask import Blueprint as PageBlueprint, current_app, g, redirect, render_template, request, session, url_for
from flask_smorest import abort
from werkzeug.exceptions import HTTPException
from marshmallow import Schema, fields, validate

from photo_jobs import keys
from webapp.adapters import storage
from webapp.apispec import Blueprint
from webapp.attachments import content_disposition
from webapp.context import aws, db, hub, mailer, stack
from webapp.ratelimits import client_address, limiter, spend
from webapp.repositories import feedback as feedback_rows, photos as rows, slots
from webapp.routes.deliveries import AskIn, DeliveryOut, signed
from webapp.routes.events import stream
from webapp.routes.shoots import after, cursor
from webapp.services import deliveries, feedback, links, notices, shoots, studio, visitors
from webapp.services.photos import Photo

LOG = logging.getLogger(__name__)
pages = PageBlueprint("gallery_pages", __name__)
bp = Blueprint("gallery", __name__, url_prefix="/api/g/<token>",
               description="A client's gallery, by its share link's token (no account)")
# Per link and address (the couple's, the guests'), across instances: a guest cannot spend what
# the couple's own pages need.
STREAMS_PER_LINK, ARCHIVES_PER_LINK, ARCHIVES_PER_HOUR = 4, 2, "10 per hour"
LISTINGS_PER_LINK, COMMENTS_PER_LINK, FAVOURITES_PER_LINK = "600 per minute", "30 per 10 minutes", "600 per 10 minutes"
# a wedding's guests arrive in bursts once the couple passes the guest link on: a hundred an hour
DOWNLOADS_PER_LINK, VISITORS_PER_LINK = "600 per 10 minutes", "100 per hour"
SUBMISSIONS_PER_VISITOR = "10 per hour"  # one goes through (then it is locked); the rest are refusals
PAGE, MAX_PAGE = 60, 500  # a first screen and more: a crowd of guests opening it together asks for little each
LOCKED = "This gallery is locked after too many wrong PINs. Ask the studio to reopen it."


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _open_link(token: str, conn=None) -> links.Link:
    """The link behind this token, open to this browser; Refused otherwise."""
    if conn is None:
        with db().transaction() as conn:
            return _still_open(links.by_token(conn, current_app.config["SECRET_KEY"], token))
    return _still_open(links.by_token(conn, current_app.config["SECRET_KEY"], token))


def _still_open(link: links.Link | None) -> links.Link:
    if link is None:
        raise Refused(404, "There is no gallery at this address.")
    if link.state == "revoked":
        raise Refused(410, "This gallery link has been withdrawn by the studio.")
    if link.state == "expired":
        raise Refused(410, "This gallery link has expired. Ask the studio for a new one.")
    if link.pin_hash and session.get("galleries", {}).get(str(link.id)) != link.pin_version:
        if link.locked_at:  # browsers that opened it before keep it; no new one may guess
            raise Refused(423, LOCKED)
        raise Refused(401, "Enter the gallery's PIN.")
    return link


def _link_now(link: links.Link) -> links.Link | None:
    """The link as it stands now, if this browser may still use it (for what is already open)."""
    with db().transaction() as conn:
        fresh = links.get(conn, link.shoot_id, link.id)
    try:
        return _still_open(fresh)
    except Refused:
        return None


def _budget(what: str, link: links.Link | None = None, role: str | None = None) -> str:
    """The key a limit of this link's counts under: per link and address (couple or guests)."""
    return f"{what}:link:{(link or g.link).id}:{role or g.role}"


def _visitor_key(link: links.Link, role: str) -> str:
    return f"{link.id}:{role}"


def _visitor(conn, link: links.Link, role: str) -> visitors.Visitor | None:
    """Who this browser is on the link in this role: the visitor its session holds, else the
    link's main visitor for a couple not asked their name; None: they must say who they are."""
    known = session.get("visitors", {}).get(_visitor_key(link, role))
    if known is not None:
        visitor = visitors.get(conn, link, int(known))
        if visitor is not None and visitor.role == role:
            return visitor
    if visitors.needs_name(link, role):
        return None
    return visitors.main(conn, link)


def _bind(link: links.Link, visitor: visitors.Visitor) -> None:
    session.setdefault("visitors", {})[_visitor_key(link, visitor.role)] = visitor.id
    session.modified = True


def client_only(view):
    """Answers only the holder of an open link who said who they are (where the link asks): g.link
    is the link, g.shoot its shoot, g.visitor who is asking, g.role the couple or a guest."""
    @wraps(view)
    def guarded(token, *args, **kwargs):
        g.role = links.role_of(token)
        with db().transaction() as conn:  # one round of the database for who is asking (images ask often)
            try:
                g.link = _open_link(token, conn)
            except Refused as refused:
                abort(refused.status, message=str(refused))
            g.shoot = shoots.get(conn, g.link.shoot_id)
            g.visitor = _visitor(conn, g.link, g.role)
            if "photo" in kwargs:  # a route of one photo: its row too
                g.photo_row, g.photo_path = _photo_row(conn, kwargs["photo"]), kwargs["photo"]
        if g.visitor is None:
            abort(403, message="Tell the studio who you are first: open the gallery's page.")
        return view(*args, token=token, **kwargs)
    return guarded


def _photo_row(conn, path: str) -> dict | None:
    """The row of a photo of the link's shoot by its path there (None: no such photo)."""
    current = stack()
    try:
        key = keys.check_source_key(current.upload_prefix, f"{current.upload_prefix}{g.link.shoot_id}/{path}")
    except keys.BadKey:
        return None
    return rows.get(conn, key)


def _photo(path: str) -> Photo:
    """A photo of the link's shoot by its path there, shown in its gallery; nothing else can be named.
    (client_only reads it with the link, in the same round of the database.)"""
    if g.get("photo_path") != path:
        with db().transaction() as conn:
            g.photo_row, g.photo_path = _photo_row(conn, path), path
    row = g.photo_row
    photo = Photo.of(row) if row else None
    if photo is None or photo.shoot != g.link.shoot_id or not photo.output(g.link.shows):
        abort(404, message="no such photo in this gallery")
    return photo


# --- pages -----------------------------------------------------------------------------------

@pages.context_processor
def brand_context():
    """Every gallery page (the gallery, its PIN, its gone page, the emails' unsubscribe page)
    wears the studio's brand."""
    with db().transaction() as conn:
        return {"brand": studio.brand(studio.current(conn), stack().studio_name)}


@pages.get("/g/<token>")
def gallery_page(token):
    try:
        link = _open_link(token)
    except Refused as refused:
        if refused.status == 401:
            return render_template("gallery_pin.html", token=token), 401
        return render_template("gallery_gone.html", message=str(refused)), refused.status
    role = links.role_of(token)
    with db().transaction() as conn:
        shoot = shoots.get(conn, link.shoot_id)
        visitor = _visitor(conn, link, role)
    if visitor is None:
        return render_template("gallery_visitor.html", token=token, link=link, shoot=shoot, role=role)
    return render_template("gallery.html", token=token, link=link, shoot=shoot,
                           visitor=visitor, downloads=visitors.download(link, role))


@pages.post("/g/<token>/visitor")
@limiter.limit("30 per minute")  # per address; and per link, below
def introduce(token):
    """A visitor says who they are (name and email), once per browser: their favourites, comments
    and selection are theirs from then on."""
    try:
        link = _open_link(token)
    except Refused as refused:
        return render_template("gallery_gone.html", message=str(refused)), refused.status
    role = links.role_of(token)
    with db().transaction() as conn:
        shoot = shoots.get(conn, link.shoot_id)
        known = session.get("visitors", {}).get(_visitor_key(link, role)) is not None and _visitor(conn, link, role)
    if known:  # said already (a second click, another tab): one visitor per browser
        return redirect(url_for("gallery_pages.gallery_page", token=token))

    def again(problem: str, status: int):
        return render_template("gallery_visitor.html", token=token, link=link, shoot=shoot, role=role, problem=problem,
                               name=request.form.get("name", "")[:80],
                               email=request.form.get("email", "")[:200]), status
    try:
        spend(VISITORS_PER_LINK, _budget("visitors", link, role), "new visitors of this gallery")
    except HTTPException:  # the limit's 429, said on the form
        return again("Too many new visitors of this gallery just now: try again in a while.", 429)
    try:
        with db().transaction() as conn:
            visitor = visitors.arrive(conn, link, role, request.form.get("name"), request.form.get("email"))
    except visitors.VisitorError as error:
        return again(f"{str(error)[0].upper()}{str(error)[1:]}.", 400)
    _bind(link, visitor)
    return redirect(url_for("gallery_pages.gallery_page", token=token))


@pages.post("/g/<token>/unlock")
@limiter.limit("60 per minute")  # per address; the PIN's own waits are per link and address
def unlock(token):
    with db().transaction() as conn:
        link = links.by_token(conn, current_app.config["SECRET_KEY"], token)
    if link is None or link.state != "active":
        return render_template("gallery_gone.html", message="There is no open gallery at this address."), 404
    if not link.pin_hash:
        return redirect(url_for("gallery_pages.gallery_page", token=token))
    try:
        opened = links.check_pin(db(), link, request.form.get("pin", ""), client_address())
    except links.TooManyGuesses as too_many:
        return (render_template("gallery_pin.html", token=token, problem=f"Too many wrong PINs: {too_many}."), 429,
                {"Retry-After": str(too_many.retry_after)})
    except links.Locked:
        return render_template("gallery_gone.html", message=LOCKED), 423
    if not opened:
        return render_template("gallery_pin.html", token=token, problem="That PIN does not open this gallery."), 401
    session.setdefault("galleries", {})[str(link.id)] = link.pin_version
    session.modified = True
    return redirect(url_for("gallery_pages.gallery_page", token=token))


# --- the client's API ------------------------------------------------------------------------

class CommentIn(Schema):
    body = fields.String(required=True, validate=validate.Length(1, feedback.MAX_COMMENT))


class Said(Schema):
    body = fields.String()
    created_at = fields.String()


class GalleryPhoto(Schema):
    """A services.photos.Photo as a client sees it: no key, no spec, no failure."""

    path = fields.String()
    name = fields.String()
    width = fields.Integer()
    height = fields.Integer()
    job_id = fields.String(attribute="shown_job_id", metadata={"description": "changes when the photo does"})
    favourite = fields.Boolean()
    comments = fields.List(fields.Nested(Said))


class GalleryPage(Schema):
    photos = fields.List(fields.Nested(GalleryPhoto))
    next = fields.String(allow_none=True)


class Rules(Schema):
    min = fields.Integer(allow_none=True, metadata={"description": "choose at least this many (none: at least one)"})
    max = fields.Integer(allow_none=True, metadata={"description": "choose at most this many (none: no limit)"})
    deadline = fields.String(allow_none=True)
    chosen = fields.Integer()
    to_reach_min = fields.Integer()
    left_to_max = fields.Integer(allow_none=True)


class GalleryOut(GalleryPage):
    studio = fields.String()
    shoot = fields.String()
    link = fields.String()
    proofs = fields.Boolean()
    downloads = fields.String(metadata={"description": "what this visitor may download: none, web or full"})
    visitor = fields.String(metadata={"description": "this visitor's own name"})
    role = fields.String(metadata={"description": "couple or guest"})
    favourites = fields.Integer(metadata={"description": "how many this visitor chose, in all"})
    selection = fields.Nested(Rules)
    selection_sent_at = fields.String(allow_none=True, metadata={"description": "submitted: locked until reopened"})


class PageQuery(Schema):
    after = fields.String(load_default=None)
    limit = fields.Integer(load_default=PAGE, validate=validate.Range(1, MAX_PAGE))
    favourites = fields.Boolean(load_default=False, metadata={"description": "only this visitor's favourites"})


def _page(conn, after_text: str | None, limit: int, favourites_only: bool = False) -> dict:
    """A page of the gallery: the shoot's photos that show in it, with this visitor's hearts and words."""
    found = rows.page(conn, g.link.shoot_id, limit + 1, after(after_text), ready_with=g.link.shows,
                      chosen_by=g.visitor.id if favourites_only else None, counted=False)
    page = found[:limit]
    wanted = [row["key"] for row in page]
    chosen = feedback_rows.favourites_among(conn, g.visitor.id, wanted)
    said: dict[str, list[dict]] = {}
    for comment in feedback.comments(conn, g.link.id, wanted, g.visitor.id):
        said.setdefault(comment["key"], []).append({"body": comment["body"], "created_at": comment["created_at"]})
    photos = []
    for row in page:
        photo = Photo.of(row)
        photo.favourite, photo.comments = photo.key in chosen, said.get(photo.key, [])
        photos.append(photo)
    return {"photos": photos, "next": cursor(page[-1]) if len(found) > limit else None}


@bp.route("")
@client_only
@bp.arguments(PageQuery, location="query")
@bp.response(200, GalleryOut)
def gallery(args, token):
    """The gallery as its visitor sees it: the first page of the shoot's ready photos (`next`
    continues at /photos), their own favourites and comments, the link's proofing rules and how
    many are left to choose."""
    spend(LISTINGS_PER_LINK, _budget("listing"), "gallery listings on this link")
    with db().transaction() as conn:  # one round of the database: a wedding's guests open it together
        favourites = feedback_rows.count_favourites(conn, g.visitor.id)
        visitors.viewed(conn, g.visitor)
        name = studio.current(conn).studio_name(stack().studio_name)
        page = _page(conn, args["after"], args["limit"], args["favourites"])
    return {"studio": name, "shoot": g.shoot.name, "link": g.link.name, "proofs": g.link.proofs,
            "downloads": visitors.download(g.link, g.role) and g.link.downloads or "none",
            "visitor": g.visitor.name, "role": g.visitor.role, "favourites": favourites,
            "selection": visitors.left(g.link, favourites),
            "selection_sent_at": g.visitor.submitted_at.isoformat() if g.visitor.submitted_at else None,
            **page}


@bp.route("/photos")
@client_only
@bp.arguments(PageQuery, location="query")
@bp.response(200, GalleryPage)
def gallery_photos(args, token):
    """A further page of the gallery (`after`: the `next` of the page before)."""
    spend(LISTINGS_PER_LINK, _budget("listing"), "gallery listings on this link")
    with db().transaction() as conn:
        return _page(conn, args["after"], args["limit"], args["favourites"])


@bp.route("/images/<size>/<path:photo>")
@client_only
@bp.response(302)
def image(token, size, photo):
    """Redirect to an image of a photo (thumb, thumb_webp, web, web_webp), signed now; in proof
    mode, its watermarked proof whatever the size asked."""
    name = g.link.image(size)
    if name is None:
        abort(404, message=f"no image size {size!r}")
    output = _photo(photo).output(name)
    if output is None:
        abort(404, message="no such image of this photo")
    response = redirect(storage.presign_get(aws("s3"), output["bucket"], output["key"]), 302)
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _download_rendition() -> str:
    """The rendition this visitor's downloads hand out (a proof in proof mode), or 403: guests
    download only where the link lets them."""
    if g.link.download is None:
        abort(403, message="this gallery does not offer downloads")
    name = visitors.download(g.link, g.role)
    if name is None:
        abort(403, message="downloads are for the couple: guests of this gallery may view it")
    return name


@bp.route("/downloads/<path:photo>")
@client_only
@bp.response(302)
def download(token, photo):
    """Redirect to the photo as a file to save, at the size the link allows (watermarked on a
    proofs link)."""
    name = _download_rendition()
    spend(DOWNLOADS_PER_LINK, _budget("downloads"), "downloads on this link")
    found = _photo(photo)
    output = found.output(name)
    if output is None:
        abort(404, message="no such image of this photo")
    with db().transaction() as conn:
        visitors.log(conn, g.visitor, "downloaded", found.key)
    disposition = content_disposition(f"{found.name.rsplit('.', 1)[0]}-{name}", output["key"].rsplit(".", 1)[-1],
                                      fallback=name)
    return redirect(storage.presign_get(aws("s3"), output["bucket"], output["key"], disposition), 302)


@bp.route("/archives", methods=["POST"])
@client_only
@bp.arguments(AskIn)
@bp.response(202, DeliveryOut)
def ask_archive(body, token):
    """Download all: every photo the link may download, as ZIP files (parts of at most 4 GB) built
    in S3, never through the web app. Answered at once with its progress (the page hears the rest
    as events), or its links if it is built already; an email when it is ready, if one is given.
    A link builds two at a time at most."""
    rendition = _download_rendition()
    spend(ARCHIVES_PER_HOUR, _budget("archives"), "downloads asked for on this link")
    if deliveries.building(db(), g.link.id) >= ARCHIVES_PER_LINK:
        abort(429, message=f"{ARCHIVES_PER_LINK} downloads of this gallery are being prepared already: "
                           "wait for one to be ready", headers={"Retry-After": "60"})
    current = stack()
    title = f"{g.shoot.name} (proofs)" if g.link.proofs else g.shoot.name
    try:
        with db().transaction() as conn:
            request = deliveries.plan(conn, current.processed_bucket, g.link.shoot_id, rendition, title,
                                      current_app.config["ARCHIVE_PART_BYTES"])
    except deliveries.DeliveryError as error:
        abort(409, message=str(error))
    with db().transaction() as conn:
        visitors.log(conn, g.visitor, "downloaded all")
    return signed(deliveries.ask(db(), aws("s3"), aws("lambda"), current, request, g.link.shoot_id, rendition,
                                 link_id=g.link.id, role=g.role, email=body["email"]))


@bp.route("/archives/<archive_id>")
@client_only
@bp.response(200, DeliveryOut)
def archive_status(token, archive_id):
    """A download this link asked for, of what its visitor may download now (a link switched to
    proofs gets no more links to the clean files it asked for before): how far it is, and its
    links (signed now) once it is ready."""
    rendition = _download_rendition()
    found = deliveries.get(db(), archive_id, g.link.shoot_id)
    if found is None or found.rendition != rendition or not deliveries.asked_by_link(db(), archive_id, g.link.id):
        abort(404, message="no such download of this gallery")
    return signed(found)


@bp.route("/favourites/<path:photo>", methods=["PUT", "DELETE"])
@client_only
@bp.response(200)
def favourite(token, photo):
    """Mark a photo as one of this visitor's favourites (PUT), or not (DELETE). Refused (409, with
    why) beyond the link's maximum, and once the visitor's selection is submitted."""
    spend(FAVOURITES_PER_LINK, _budget("favourites"), "favourites on this link")
    chosen = _photo(photo)
    on = request.method == "PUT"
    try:
        with db().transaction() as conn:
            count = feedback.set_favourite(conn, g.link, g.visitor, chosen.key, on)
            hearts = rows.favourite_count(conn, g.link.shoot_id, chosen.key)
    except visitors.ProofingError as error:
        abort(409, message=str(error))
    hub().publish(g.link.shoot_id, "feedback", {"link": g.link.id, "what": "favourite", "key": chosen.key,
                                                "favourite": on, "favourites": hearts}, to="staff")
    return {"favourite": on, "favourites": count, "selection": visitors.left(g.link, count)}


@bp.route("/comments/<path:photo>", methods=["POST"])
@client_only
@bp.arguments(CommentIn)
@bp.response(201)
def comment(body, token, photo):
    """A comment on a photo, for the studio."""
    spend(COMMENTS_PER_LINK, _budget("comments"), "comments on this link")
    chosen = _photo(photo)
    try:
        with db().transaction() as conn:
            made = feedback.add_comment(conn, g.visitor, chosen.key, body["body"])
    except feedback.FeedbackError as error:
        abort(400, message=str(error))
    hub().publish(g.link.shoot_id, "feedback", {"link": g.link.id, "what": "comment", "key": chosen.key}, to="staff")
    return {"body": made["body"], "created_at": made["created_at"]}


@bp.route("/selection", methods=["POST"])
@client_only
@bp.response(201)
def send_selection(token):
    """Submit this visitor's favourites as their selection: within the link's minimum and maximum,
    before its deadline (409 with why, otherwise). It is locked from then on (until the studio
    reopens it), and the studio hears of it by email (at most one a link every few minutes: the
    submissions in between go together in the next)."""
    spend(SUBMISSIONS_PER_VISITOR, f"selections:visitor:{g.visitor.id}", "selections submitted")
    try:
        with db().transaction() as conn:
            sent = feedback.submit(conn, g.link, g.visitor)
    except visitors.ProofingError as error:
        abort(409, message=str(error))
    hub().publish(g.link.shoot_id, "feedback", {"link": g.link.id, "what": "selection", "count": len(sent["keys"])},
                  to="staff")
    notices.send_due(db(), mailer(), g.link.id)
    return {"sent_at": sent["updated_at"], "count": len(sent["keys"]), "locked": True}


@bp.route("/events")
@client_only
@bp.response(200, content_type="text/event-stream")
def events(token):
    """Server-sent events of the link's shoot that concern its client: photos as they become
    ready. A few per link at once; each ends when the link is withdrawn."""
    link, heartbeat = g.link, current_app.config["SSE_HEARTBEAT_SECONDS"]
    with db().transaction() as conn:
        slot = slots.acquire(conn, "events", _budget("link"), STREAMS_PER_LINK, timedelta(seconds=3 * heartbeat))
    if slot is None:
        abort(429, message=f"{STREAMS_PER_LINK} live pages of this gallery are open already: this one reloads instead",
              headers={"Retry-After": "60"})

    def still_allowed() -> bool:  # revoked, expired or a new PIN: this browser may not go on
        if _link_now(link) is None:
            return False
        with db().transaction() as conn:
            return slots.renew(conn, slot)

    def closed() -> None:
        with db().transaction() as conn:
            slots.release(conn, slot)
    return stream(link.shoot_id, f"link:{link.id}", still_allowed, closed)

