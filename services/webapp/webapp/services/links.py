"""Share links: one per recipient of a client gallery.

A link belongs to one shoot and says what its holder may have: proofs (everything watermarked) or
delivery (the clean photos), downloads of none, web size or full size, until when, behind which
PIN. Its token (in the URL) is an HMAC of its id and a nonce under the app's secret: unguessable,
never stored, checked in constant time on every request; revoking or expiring the link ends it.
A link has two addresses: its own, for the couple (its main client), and its guests' (another
HMAC, `<id>g-...`), which gives what `guests` allows: a view, or the link's downloads too. It may
ask each visitor's name and email on first open, and set proofing rules: how many photos to
choose (at least, at most) and by when.

Functions over a database connection (check_pin: the database itself).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from webapp.repositories import feedback as feedback_rows, lifecycle as email_rows, links as rows, visitors as visitor_rows

DOWNLOAD_CHOICES = ("none", "web", "full")
# In proof mode everything that leaves is watermarked: the downloads it may offer are the
# proofs themselves (web size). Clean files need a delivery link (proofs off).
PROOF_DOWNLOADS = ("none", "web")
MAX_NAME = 80
# What a client is shown of each size (in proof mode, the watermarked proofs only), and what a
# download is, by mode and downloads setting.
IMAGES = {False: {"thumb": "thumb", "thumb_webp": "thumb_webp", "web": "web", "web_webp": "web_webp"},
          True: {"thumb": "proof_thumb", "thumb_webp": "proof_thumb", "web": "proof", "web_webp": "proof"}}
DOWNLOADS = {False: {"web": "web", "full": "full"}, True: {"web": "proof"}}
PIN_PATTERN = re.compile(r"[0-9A-Za-z]{6,12}")
# Wrong PINs: each address gets a few tries, then waits twice as long after each wrong one (1 s,
# 2 s, ... up to 15 minutes); one guess at a time per address; the real client, elsewhere, is
# never locked out by someone else's guesses. A link that collects LOCK_AFTER wrong PINs from
# everywhere is locked for new unlocks (a guessing crowd) until the studio clears it.
PIN_FREE_TRIES = 3
PIN_MAX_WAIT = timedelta(minutes=15)
PIN_CHECKING = timedelta(seconds=10)  # how long a guess being checked holds its address's turn
LOCK_AFTER = 100
_hasher = PasswordHasher()
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class LinkError(ValueError):
    """The link cannot be made or changed like that; the message says why."""


class TooManyGuesses(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"try again in {_duration(retry_after)}")
        self.retry_after = retry_after


class Locked(Exception):
    """Too many wrong PINs from everywhere: no new unlock until the studio clears the link."""


def _duration(seconds: int) -> str:
    return f"{seconds} second{'s' if seconds != 1 else ''}" if seconds < 90 else f"{round(seconds / 60)} minutes"


def pin_wait(failures: int) -> timedelta:
    """How long an address waits after its `failures`-th wrong PIN."""
    if failures < PIN_FREE_TRIES:
        return timedelta(0)
    return min(PIN_MAX_WAIT, timedelta(seconds=2 ** (failures - PIN_FREE_TRIES)))


@dataclass(frozen=True)
class Link:
    id: int
    shoot_id: str
    name: str
    nonce: str
    expires_at: datetime | None
    pin_hash: str | None
    pin_version: int
    downloads: str
    proofs: bool
    revoked_at: datetime | None
    created_at: datetime
    pin_failures: int = 0
    locked_at: datetime | None = None
    ask_visitors: bool = False
    guests: str = "view"
    min_selection: int | None = None
    max_selection: int | None = None
    selection_deadline: datetime | None = None

    def token(self, secret: str) -> str:
        return f"{self.id}-{_mac(secret, self.id, self.nonce)}"

    def guest_token(self, secret: str) -> str:
        return f"{self.id}g-{_mac(secret, self.id, self.nonce, GUEST)}"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at <= datetime.now(UTC):
            return "expired"
        return "active"

    @property
    def pin(self) -> bool:
        return self.pin_hash is not None

    @property
    def locked(self) -> bool:
        return self.locked_at is not None

    def image(self, size: str) -> str | None:
        """The rendition a client sees for an image size: in proof mode, only ever a proof."""
        return IMAGES[self.proofs].get(size)

    @property
    def download(self) -> str | None:
        """The rendition the link's downloads hand out (a proof in proof mode); None: no downloads."""
        return DOWNLOADS[self.proofs].get(self.downloads)

    @property
    def shows(self) -> str:
        """The rendition a photo must have to be in the gallery."""
        return "proof" if self.proofs else "web"


@dataclass
class Shared:
    """A link as the studio sees it: the link, its URL (never sent to clients), what it brought back."""

    link: Link
    url: str
    favourites: int
    comments: int
    selections: int
    recipients: list[str] = field(default_factory=list)  # the clients' addresses its emails go to
    told: list[str] = field(default_factory=list)  # those "your gallery is ready" was sent to
    guest_url: str = ""
    visitors: int = 0


def shared(conn, link: Link, secret: str, base_url: str) -> Shared:
    counts = feedback_rows.counts(conn, link.id)
    base = base_url.rstrip("/")
    return Shared(link, f"{base}/g/{link.token(secret)}", counts["favourites"], counts["comments"],
                  counts["selections"], email_rows.recipients(conn, link.id), email_rows.told(conn, link.id),
                  f"{base}/g/{link.guest_token(secret)}", counts["visitors"])


COUPLE, GUEST = "couple", "guest"
GUEST_CHOICES = ("view", "download")
MAX_CHOICE = 10000


def _mac(secret: str, link_id: int, nonce: str, role: str = COUPLE) -> str:
    # the couple's MAC is the one links had before guests: their addresses still open
    label = "share-link" if role == COUPLE else "share-link-guests"
    digest = hmac.new(secret.encode(), f"{label}:{link_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def _link(row) -> Link | None:
    if row is None:
        return None
    return Link(row["id"], row["shoot_id"], row["name"], row["nonce"], row["expires_at"], row["pin_hash"],
                row["pin_version"], row["downloads"], row["proofs"], row["revoked_at"], row["created_at"],
                row["pin_failures"], row["locked_at"], row["ask_visitors"], row["guests"], row["min_selection"],
                row["max_selection"], row["selection_deadline"])


def of_row(row) -> Link | None:
    """A link from its table's row (rows that carry more columns too)."""
    return _link(row)


def _clean(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise LinkError("a link needs a name, such as who it is for")
    if len(name.strip()) > MAX_NAME or _CONTROL.search(name) or "\n" in name:
        raise LinkError(f"a link's name is one line of at most {MAX_NAME} characters")
    return " ".join(name.split())


def _pin_hash(pin: str | None) -> str | None:
    if pin in (None, ""):
        return None
    if not isinstance(pin, str) or not PIN_PATTERN.fullmatch(pin):
        raise LinkError("a PIN is 6 to 12 letters or digits")
    return _hasher.hash(pin)


def _check_mode(proofs: bool, downloads: str) -> None:
    if downloads not in DOWNLOAD_CHOICES:
        raise LinkError(f"downloads is one of: {', '.join(DOWNLOAD_CHOICES)}")
    if proofs and downloads not in PROOF_DOWNLOADS:
        raise LinkError("a proofs link gives watermarked proofs only, downloads at most web size: "
                        "to deliver the clean full-size files, make it a delivery link (proofs off)")


def _expiry(expires_at: datetime | None, what: str = "an expiry") -> datetime | None:
    if expires_at is not None and expires_at.tzinfo is None:
        raise LinkError(f"{what} needs a time zone")
    return expires_at


def check_rules(minimum: int | None, maximum: int | None, guests: str) -> None:
    """A link's proofing rules and guests' rights, as the studio may set them."""
    if guests not in GUEST_CHOICES:
        raise LinkError(f"guests is one of: {', '.join(GUEST_CHOICES)}")
    for bound in (minimum, maximum):
        if bound is not None and not (isinstance(bound, int) and 1 <= bound <= MAX_CHOICE):
            raise LinkError(f"a minimum or maximum selection is 1 to {MAX_CHOICE} photos")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise LinkError("the minimum selection is more than the maximum")


RULES = ("ask_visitors", "guests", "min_selection", "max_selection", "selection_deadline")


def create(conn, shoot_id: str, name: str, expires_at: datetime | None, pin: str | None,
           downloads: str, proofs: bool, ask_visitors: bool = False, guests: str = "view",
           min_selection: int | None = None, max_selection: int | None = None,
           selection_deadline: datetime | None = None) -> Link:
    _check_mode(proofs, downloads)
    check_rules(min_selection, max_selection, guests)
    row = rows.insert(conn, shoot_id, _clean(name), secrets.token_urlsafe(16), _expiry(expires_at), _pin_hash(pin),
                      downloads, proofs)
    row = rows.update(conn, row["id"], {"ask_visitors": bool(ask_visitors), "guests": guests,
                                        "min_selection": min_selection, "max_selection": max_selection,
                                        "selection_deadline": _expiry(selection_deadline, "a deadline")})
    visitor_rows.insert(conn, row["id"], row["name"], None, COUPLE, main=True)  # who a link without names is
    return _link(row)


_UNSET = object()


def update(conn, shoot_id: str, link_id: int, name=_UNSET, expires_at=_UNSET, pin=_UNSET,
           downloads=_UNSET, proofs=_UNSET, **rules) -> Link | None:
    link = get(conn, shoot_id, link_id)
    if link is None:
        return None
    changes = {}
    if name is not _UNSET:
        changes["name"] = _clean(name)
    if expires_at is not _UNSET:
        changes["expires_at"] = _expiry(expires_at)
    if pin is not _UNSET:  # a new PIN (or none) locks out whoever opened the gallery with the old one
        changes["pin_hash"] = _pin_hash(pin)
        changes["pin_version"] = link.pin_version + 1
        changes["pin_failures"], changes["locked_at"] = 0, None  # the guesses were at the old one
    if downloads is not _UNSET:
        changes["downloads"] = downloads
    if proofs is not _UNSET:
        changes["proofs"] = bool(proofs)
    for rule, value in rules.items():
        if rule not in RULES:
            raise LinkError(f"no setting {rule!r}")
        changes[rule] = _expiry(value, "a deadline") if rule == "selection_deadline" else value
    _check_mode(changes.get("proofs", link.proofs), changes.get("downloads", link.downloads))
    check_rules(changes.get("min_selection", link.min_selection), changes.get("max_selection", link.max_selection),
                changes.get("guests", link.guests))
    if not changes:
        return link
    if "pin_hash" in changes:
        rows.forget_guesses(conn, link_id)
    return _link(rows.update(conn, link_id, changes))


def clear_lock(conn, shoot_id: str, link_id: int) -> Link | None:
    """The studio reopens a link locked by wrong PINs (and forgives every address's waits)."""
    return _link(rows.clear_lock(conn, shoot_id, link_id))


def revoke(conn, shoot_id: str, link_id: int) -> Link | None:
    return _link(rows.revoke(conn, shoot_id, link_id))


def get(conn, shoot_id: str, link_id: int) -> Link | None:
    return _link(rows.get(conn, link_id, shoot_id))


def for_shoot(conn, shoot_id: str) -> list[Link]:
    return [_link(row) for row in rows.of_shoot(conn, shoot_id)]


_TOKEN = re.compile(r"(\d{1,18})(g?)-([A-Za-z0-9_-]{32})")


def role_of(token: str) -> str:
    """Who a (checked) token's holder is: the couple, or a guest."""
    match = _TOKEN.fullmatch(token or "")
    return GUEST if match and match[2] else COUPLE


def by_token(conn, secret: str, token: str) -> Link | None:
    """The link this token opens (the couple's or the guests' address), whatever its state; None
    for a token that is not one."""
    match = _TOKEN.fullmatch(token or "")
    if not match:
        return None
    link = _link(rows.get(conn, int(match[1])))
    role = GUEST if match[2] else COUPLE
    if link is None or not hmac.compare_digest(_mac(secret, link.id, link.nonce, role), match[3]):
        return None
    return link


def check_pin(database, link: Link, pin: str, address: str) -> bool:
    """Whether the PIN opens the link. TooManyGuesses while this address must wait (or has a
    guess being checked: guesses sent together are refused unchecked), Locked once the link is.

    Takes the database, not a connection: the address's turn is taken and committed before the
    slow hash, so that concurrent guesses see it, and the outcome is recorded after."""
    with database.transaction() as conn:
        if rows.locked(conn, link.id) is not False:
            raise Locked()
        failures = rows.take_guess_turn(conn, link.id, address, PIN_CHECKING)
        if failures is None:
            raise TooManyGuesses(rows.guess_wait(conn, link.id, address))
    try:
        _hasher.verify(link.pin_hash, pin if isinstance(pin, str) else "")
        opened = True
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        opened = False
    with database.transaction() as conn:
        if opened:
            rows.right_guess(conn, link.id, address)
        else:
            rows.wrong_guess(conn, link.id, address, failures + 1, pin_wait(failures + 1), LOCK_AFTER)
    return opened


