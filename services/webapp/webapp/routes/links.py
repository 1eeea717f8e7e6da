"""The photographer's side of client galleries (staff only): share links for a shoot, their
visitors and proofing rules, what each visitor chose and said, what they did (the activity, also
as CSV), reopening a submitted selection, and the selection as a CSV or as file names for
Lightroom. Every export is staff-only, and its cells cannot run as spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from photo_jobs import keys
from webapp.apispec import Blueprint
from webapp.attachments import content_disposition, spreadsheet_cell
from webapp.auth import staff_only
from webapp.context import db, hub, mailer, stack
from webapp.routes.shoots import real_shoot_or_400
from webapp.services import feedback, lifecycle, links, visitors
from webapp.services.photos import path_in

bp = Blueprint("links", __name__, url_prefix="/api/shoots/<shoot_id>/links",
               description="Share links of a shoot and the feedback they bring (staff)")


class LinkIn(Schema):
    name = fields.String(required=True, validate=validate.Length(1, links.MAX_NAME))
    expires_at = fields.AwareDateTime(load_default=None, allow_none=True,
                                      metadata={"description": "when the link stops working (ISO 8601 with a zone)"})
    pin = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=12),
                        metadata={"description": "6 to 12 letters or digits; none: no PIN"})
    downloads = fields.String(load_default="none", validate=validate.OneOf(links.DOWNLOAD_CHOICES),
                              metadata={"description": "none, web or full; a proofs link offers at most web "
                                                       "(the watermarked proof)"})
    proofs = fields.Boolean(load_default=True, metadata={
        "description": "proofs: everything the client sees or downloads is watermarked; false: delivery of the "
                       "clean files"})
    recipients = fields.List(fields.String(validate=validate.Length(max=lifecycle.MAX_EMAIL)), load_default=list,
                             validate=validate.Length(max=lifecycle.MAX_RECIPIENTS), metadata={
                                 "description": "the clients' email addresses: \"your gallery is ready\" and the "
                                                "reminders go to them"})
    ask_visitors = fields.Boolean(load_default=False, metadata={
        "description": "ask each visitor's name and email on first open (guests are always asked)"})
    guests = fields.String(load_default="view", validate=validate.OneOf(links.GUEST_CHOICES), metadata={
        "description": "what the guests' address allows: view, or download as the couple does"})
    min_selection = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, links.MAX_CHOICE))
    max_selection = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, links.MAX_CHOICE))
    selection_deadline = fields.AwareDateTime(load_default=None, allow_none=True,
                                              metadata={"description": "selections are submitted before then"})


class LinkPatch(Schema):
    name = fields.String(validate=validate.Length(1, links.MAX_NAME))
    expires_at = fields.AwareDateTime(allow_none=True)
    pin = fields.String(allow_none=True, validate=validate.Length(max=12))
    downloads = fields.String(validate=validate.OneOf(links.DOWNLOAD_CHOICES))
    proofs = fields.Boolean()
    recipients = fields.List(fields.String(validate=validate.Length(max=lifecycle.MAX_EMAIL)),
                             validate=validate.Length(max=lifecycle.MAX_RECIPIENTS))
    ask_visitors = fields.Boolean()
    guests = fields.String(validate=validate.OneOf(links.GUEST_CHOICES))
    min_selection = fields.Integer(allow_none=True, validate=validate.Range(1, links.MAX_CHOICE))
    max_selection = fields.Integer(allow_none=True, validate=validate.Range(1, links.MAX_CHOICE))
    selection_deadline = fields.AwareDateTime(allow_none=True)


class LinkOut(Schema):
    """A services.links.Shared: the link, its URL and what it brought back."""

    id = fields.Integer(attribute="link.id")
    name = fields.String(attribute="link.name")
    url = fields.String()
    expires_at = fields.DateTime(attribute="link.expires_at", allow_none=True)
    pin = fields.Boolean(attribute="link.pin")
    downloads = fields.String(attribute="link.downloads")
    proofs = fields.Boolean(attribute="link.proofs")
    state = fields.String(attribute="link.state", metadata={"description": "active, expired or revoked"})
    created_at = fields.DateTime(attribute="link.created_at")
    pin_failures = fields.Integer(attribute="link.pin_failures", metadata={"description": "wrong PINs since the PIN was set"})
    locked = fields.Boolean(attribute="link.locked",
                            metadata={"description": "too many wrong PINs: no new browser may open it until cleared"})
    favourites = fields.Integer()
    comments = fields.Integer()
    selections = fields.Integer()
    recipients = fields.List(fields.String(), metadata={"description": "the clients' addresses its emails go to"})
    told = fields.List(fields.String(), metadata={"description": "the addresses \"your gallery is ready\" went to"})
    guest_url = fields.String(metadata={"description": "the guests' address: what `guests` allows"})
    visitors = fields.Integer(metadata={"description": "visitors who said who they are"})
    ask_visitors = fields.Boolean(attribute="link.ask_visitors")
    guests = fields.String(attribute="link.guests")
    min_selection = fields.Integer(attribute="link.min_selection", allow_none=True)
    max_selection = fields.Integer(attribute="link.max_selection", allow_none=True)
    selection_deadline = fields.DateTime(attribute="link.selection_deadline", allow_none=True)


class ReadyOut(Schema):
    emailed = fields.List(fields.String(), metadata={"description": "the addresses emailed now"})
    link = fields.Nested(LinkOut)


class LinkList(Schema):
    links = fields.List(fields.Nested(LinkOut))


class VisitorOut(Schema):
    id = fields.Integer()
    name = fields.String()
    email = fields.String(allow_none=True)
    role = fields.String(metadata={"description": "couple or guest"})
    main = fields.Boolean(metadata={"description": "the link's own client (who a link without names is)"})
    submitted_at = fields.DateTime(allow_none=True, metadata={"description": "submitted: locked until reopened"})
    created_at = fields.DateTime()
    last_seen_at = fields.DateTime()
    picks = fields.List(fields.Dict(), metadata={"description": "their favourites"})
    comments = fields.Integer()


class Feedback(Schema):
    visitors = fields.List(fields.Nested(VisitorOut))
    favourites = fields.List(fields.Dict())
    comments = fields.List(fields.Dict())
    selections = fields.List(fields.Dict())


class ActivityOut(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    action = fields.String(metadata={"description": "viewed, favourited, unfavourited, commented, downloaded, "
                                                    "downloaded all, submitted, reopened"})
    visitor_id = fields.Integer()
    name = fields.String()
    email = fields.String(allow_none=True)
    role = fields.String()
    photo = fields.Dict(allow_none=True)


class ActivityPage(Schema):
    activity = fields.List(fields.Nested(ActivityOut))
    next = fields.Integer(allow_none=True, metadata={"description": "`before` for the next (older) page"})


class ActivityQuery(Schema):
    before = fields.Integer(load_default=None)
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


def _shared(conn, link: links.Link) -> links.Shared:
    base = current_app.config["PUBLIC_URL"] or request.host_url
    return links.shared(conn, link, current_app.config["SECRET_KEY"], base)


def _link_or_404(conn, shoot_id: str, link_id: int) -> links.Link:
    link = links.get(conn, shoot_id, link_id)
    if link is None:
        abort(404, message=f"no link {link_id} in this shoot")
    return link


@bp.route("")
class Links(MethodView):
    decorators = [staff_only]

    @bp.response(200, LinkList)
    def get(self, shoot_id):
        """The shoot's share links, with how much each brought back."""
        real_shoot_or_400(shoot_id, "share")
        with db().transaction() as conn:
            return {"links": [_shared(conn, link) for link in links.for_shoot(conn, shoot_id)]}

    @bp.arguments(LinkIn)
    @bp.response(201, LinkOut)
    def post(self, body, shoot_id):
        """A new share link: send its URL to one client."""
        real_shoot_or_400(shoot_id, "share")
        try:
            with db().transaction() as conn:
                recipients = body.pop("recipients")
                link = links.create(conn, shoot_id, **body)
                lifecycle.set_recipients(conn, link.id, recipients)
                return _shared(conn, link)
        except (links.LinkError, lifecycle.RecipientError) as error:
            abort(400, message=str(error))


@bp.route("/<int:link_id>", methods=["PATCH"])
@staff_only
@bp.arguments(LinkPatch)
@bp.response(200, LinkOut)
def change_link(body, shoot_id, link_id):
    """Change a link: its name, expiry, PIN (a new one locks out who used the old), downloads, proofs."""
    real_shoot_or_400(shoot_id, "share")
    try:
        with db().transaction() as conn:
            _link_or_404(conn, shoot_id, link_id)
            if "recipients" in body:
                lifecycle.set_recipients(conn, link_id, body.pop("recipients"))
            link = links.update(conn, shoot_id, link_id, **body)
            view = _shared(conn, link)
    except (links.LinkError, lifecycle.RecipientError) as error:
        abort(400, message=str(error))
    if "pin" in body or link.state != "active":  # who opened it before may not go on
        hub().withdraw(shoot_id, f"link:{link_id}")
    return view


@bp.route("/<int:link_id>/ready", methods=["POST"])
@staff_only
@bp.response(200, ReadyOut)
def send_ready(shoot_id, link_id):
    """Email "your gallery is ready", with the link, to its addresses not yet told (each address once;
    never to one that unsubscribed). The expiry and selection reminders follow by themselves."""
    real_shoot_or_400(shoot_id, "share")
    with db().transaction() as conn:
        link = _link_or_404(conn, shoot_id, link_id)
        if link.state != "active":
            abort(409, message=f"this link is {link.state}: make a new one to send")
        if not lifecycle.recipients(conn, link_id):
            abort(400, message="add the client's email address first")
    emailed = lifecycle.send_ready(db(), mailer(), link_id, datetime.now(UTC))
    with db().transaction() as conn:
        return {"emailed": emailed, "link": _shared(conn, links.get(conn, shoot_id, link_id))}


@bp.route("/<int:link_id>/revoke", methods=["POST"])
@staff_only
@bp.response(200, LinkOut)
def revoke_link(shoot_id, link_id):
    """End a link now: its open pages end at once, its next request is refused."""
    real_shoot_or_400(shoot_id, "share")
    with db().transaction() as conn:
        link = links.revoke(conn, shoot_id, link_id)
        if link is None:
            abort(404, message=f"no link {link_id} in this shoot")
        view = _shared(conn, link)
    hub().withdraw(shoot_id, f"link:{link_id}")  # its open pages end now, on every instance
    return view


@bp.route("/<int:link_id>/lock", methods=["DELETE"])
@staff_only
@bp.response(200, LinkOut)
def clear_lock(shoot_id, link_id):
    """Reopen a link locked after too many wrong PINs (every address's waits are forgiven too).
    Changing its PIN clears the lock as well."""
    real_shoot_or_400(shoot_id, "share")
    with db().transaction() as conn:
        link = links.clear_lock(conn, shoot_id, link_id)
        if link is None:
            abort(404, message=f"no link {link_id} in this shoot")
        return _shared(conn, link)


def _photo(key: str) -> dict:
    prefix = stack().upload_prefix
    return {"key": key, "path": path_in(prefix, key), "name": keys.file_name(key)}


@bp.route("/<int:link_id>/feedback")
@staff_only
@bp.response(200, Feedback)
def show_feedback(shoot_id, link_id):
    """What the link's visitors chose and said: each visitor (name, email, role, whether their
    selection is submitted) with their picks, every comment and submitted selection with who."""
    real_shoot_or_400(shoot_id, "share")
    with db().transaction() as conn:
        _link_or_404(conn, shoot_id, link_id)
        picks = feedback.picks(conn, link_id)
        people = [dict(v, picks=[_photo(key) for key in picks.get(v["id"], [])]) for v in visitors.of_link(conn, link_id)]
        names = {v["id"]: v["name"] for v in people}
        return {"visitors": people,
                "favourites": [dict(_photo(key), visitor=names[vid]) for vid, keys_ in picks.items() for key in keys_],
                "comments": [dict(c, **_photo(c["key"])) for c in feedback.comments(conn, link_id)],
                "selections": [dict(s, photos=[_photo(k) for k in s["keys"]]) for s in feedback.selections(conn, link_id)]}


@bp.route("/<int:link_id>/visitors/<int:visitor_id>/reopen", methods=["POST"])
@staff_only
@bp.response(200, VisitorOut)
def reopen(shoot_id, link_id, visitor_id):
    """Reopen a visitor's submitted selection: their favourites can change again, and they may
    submit again (the studio is emailed again then)."""
    real_shoot_or_400(shoot_id, "share")
    with db().transaction() as conn:
        link = _link_or_404(conn, shoot_id, link_id)
        visitor = visitors.get(conn, link, visitor_id, lock=True)
        if visitor is None:
            abort(404, message=f"no visitor {visitor_id} of this link")
        visitors.submitted(conn, visitor, False)
        visitors.log(conn, visitor, "reopened")
        found = next(v for v in visitors.of_link(conn, link_id) if v["id"] == visitor_id)
        return dict(found, picks=[_photo(key) for key in feedback.picks(conn, link_id).get(visitor_id, [])])


def _activity_row(row: dict) -> dict:
    return dict(row, photo=_photo(row["photo_key"]) if row["photo_key"] else None)


@bp.route("/<int:link_id>/activity")
@staff_only
@bp.arguments(ActivityQuery, location="query")
@bp.response(200, ActivityPage)
def activity(args, shoot_id, link_id):
    """Who viewed, favourited, commented and downloaded what, and when: the latest first."""
    real_shoot_or_400(shoot_id, "share")
    with db().transaction() as conn:
        _link_or_404(conn, shoot_id, link_id)
        found = visitors.activity(conn, link_id, args["limit"] + 1, args["before"])
    page = found[:args["limit"]]
    return {"activity": [_activity_row(row) for row in page],
            "next": page[-1]["id"] if len(found) > args["limit"] else None}


ACTIVITY_CSV_ROWS = 100_000  # a season of a busy gallery; the export stays one request's work


@bp.route("/<int:link_id>/activity.csv")
@staff_only
@bp.response(200, content_type="text/csv")
def activity_csv(shoot_id, link_id):
    """The activity as a spreadsheet, oldest first: when, who, email, role, what, file, path."""
    real_shoot_or_400(shoot_id, "share")
    with db().transaction() as conn:
        link = _link_or_404(conn, shoot_id, link_id)
        found = visitors.activity(conn, link_id, ACTIVITY_CSV_ROWS)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["when", "visitor", "email", "role", "action", "file", "path"])
    for row in reversed(found):  # names and emails are what visitors typed: none may run as a formula
        photo = _photo(row["photo_key"]) if row["photo_key"] else {"name": "", "path": ""}
        writer.writerow([row["at"].isoformat(timespec="seconds"), spreadsheet_cell(row["name"]),
                         spreadsheet_cell(row["email"] or ""), row["role"], row["action"],
                         spreadsheet_cell(photo["name"]), spreadsheet_cell(photo["path"])])
    return _attachment(out.getvalue(), f"{link.name} activity", "csv", "text/csv")


def _selection(shoot_id: str, link_id: int) -> tuple[links.Link, list[str], dict[str, list[str]], dict[str, list[str]]]:
    """Every visitor's pick (their submitted selection, or their favourites if they submitted
    none), in order, with who chose each and the comments by photo."""
    with db().transaction() as conn:
        link = _link_or_404(conn, shoot_id, link_id)
        latest = {s["visitor_id"]: s for s in feedback.selections(conn, link_id)}
        picks = feedback.picks(conn, link_id)
        chosen: list[str] = []
        by: dict[str, list[str]] = {}
        for visitor in visitors.of_link(conn, link_id):
            sent = latest.get(visitor["id"]) if visitor["submitted_at"] else None
            for key in sent["keys"] if sent else picks.get(visitor["id"], []):
                if key not in by:
                    chosen.append(key)
                by.setdefault(key, []).append(visitor["name"])
        said: dict[str, list[str]] = {}
        for comment in feedback.comments(conn, link_id):
            said.setdefault(comment["key"], []).append(comment["body"])
    return link, chosen, said, by


@bp.route("/<int:link_id>/selection.csv")
@staff_only
@bp.response(200, content_type="text/csv")
def selection_csv(shoot_id, link_id):
    """The selection as a spreadsheet: file name, path in the shoot, the client's comments."""
    real_shoot_or_400(shoot_id, "share")
    link, chosen, said, by = _selection(shoot_id, link_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["file", "path", "comments", "chosen by"])
    for key in chosen:  # names and comments are other people's text: none may run as a formula
        photo = _photo(key)
        writer.writerow([spreadsheet_cell(photo["name"]), spreadsheet_cell(photo["path"]),
                         spreadsheet_cell(" | ".join(said.get(key, []))), spreadsheet_cell(", ".join(by[key]))])
    return _attachment(out.getvalue(), f"{link.name} selection", "csv", "text/csv")


@bp.route("/<int:link_id>/selection.txt")
@staff_only
@bp.response(200, content_type="text/plain")
def selection_for_lightroom(shoot_id, link_id):
    """The selection as Lightroom's filename search takes it: names without extensions, comma-separated."""
    real_shoot_or_400(shoot_id, "share")
    link, chosen, _, _ = _selection(shoot_id, link_id)
    names = [keys.file_name(key).rsplit(".", 1)[0] for key in chosen]
    return _attachment(", ".join(names) + "\n", f"{link.name} selection", "txt", "text/plain")


def _attachment(text: str, stem: str, extension: str, mimetype: str) -> Response:
    return Response(text, mimetype=f"{mimetype}; charset=utf-8",
                    headers={"Content-Disposition": content_disposition(stem, extension, fallback="selection")})
