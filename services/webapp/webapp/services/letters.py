"""Every email the app sends, as one thing: who it comes from (the studio's address, signed with
its name), how it looks (the plain text as written, and the same as HTML wearing the studio's
brand: its logo, its name on its accent colour), and how it ends (an unsubscribe link with its
List-Unsubscribe headers, for every email to an address that may want no more).

Unsubscribe tokens are per scope (a link, the digest, the studio's selection emails) and address:
an HMAC under the app's secret, as share tokens are, so nothing is stored to check one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import html
import re
from dataclasses import dataclass

from webapp.adapters import mail
from webapp.services import links
from webapp.services.studio import DEFAULT_ACCENT, ink_on

_URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Mailer:
    """Where emails come from and what their links point at."""

    ses: object
    sender: str  # the studio's address (SES identity); the studio's own emails go there too
    studio_name: str
    secret: str
    base_url: str
    accent: str = DEFAULT_ACCENT
    logo_path: str | None = None  # the studio's logo on the site (/studio/logo?v=...), if it has one

    def gallery(self, link, role: str = links.COUPLE) -> str:
        """A link's address for one of its roles: a guest is never handed the couple's."""
        token = link.token(self.secret) if role == links.COUPLE else link.guest_token(self.secret)
        return f"{self.base_url.rstrip('/')}/g/{token}"

    def unsubscribe(self, scope: str, email: str) -> str:
        return f"{self.base_url.rstrip('/')}/unsubscribe/{unsubscribe_token(self.secret, scope, email)}"

    def send(self, to: str, subject: str, text: str, scope: str | None = None, from_name: str | None = None) -> bool:
        """One email to one address, signed with the studio's name; with a scope, ending with the
        link that unsubscribes the address from it. Whether SES took it."""
        unsubscribe = self.unsubscribe(scope, to) if scope else None
        body = f"{text.rstrip()}\n\n— {self.studio_name}\n"
        if unsubscribe:
            body += f"\n--\nTo get no more of these emails: {unsubscribe}\n"
        logo = f"{self.base_url.rstrip('/')}{self.logo_path}" if self.logo_path else None
        return mail.send(self.ses, self.sender, from_name or self.studio_name, to, subject, body,
                         as_html(text, self.studio_name, self.accent, logo, unsubscribe), unsubscribe)


def _paragraph(text: str) -> str:
    """One paragraph of the text as HTML: escaped, its line breaks kept, its links clickable."""
    out, at = [], 0
    for found in _URL.finditer(text):
        url = found[0].rstrip(".,;:)")
        out.append(html.escape(text[at:found.start()]))
        out.append(f'<a href="{html.escape(url)}" style="color:#1c2128">{html.escape(url)}</a>')
        at = found.start() + len(url)
    out.append(html.escape(text[at:]))
    return "".join(out).replace("\n", "<br>\n")


def as_html(text: str, studio_name: str, accent: str, logo_url: str | None, unsubscribe_url: str | None) -> str:
    """The email's text as a page in the studio's brand. Styles inline (mail clients drop style
    sheets); nothing loaded but the studio's own logo."""
    name = html.escape(studio_name)
    logo = (f'<img src="{html.escape(logo_url)}" alt="{name}" height="48" style="display:block;max-height:48px;'
            f'margin:0 0 8px">' if logo_url else "")
    paragraphs = "".join(f'<p style="margin:0 0 14px">{_paragraph(part)}</p>'
                         for part in re.split(r"\n\s*\n", text.strip()) if part.strip())
    footer = (f'<p style="margin:18px 0 0;font-size:12px;color:#5b6470">Do not want these emails? '
              f'<a href="{html.escape(unsubscribe_url)}" style="color:#5b6470">Unsubscribe</a></p>'
              if unsubscribe_url else "")
    return (f'<!doctype html><html><body style="margin:0;background:#f4f5f7;font-family:system-ui,-apple-system,'
            f'Segoe UI,Roboto,sans-serif;color:#1c2128">'
            f'<div style="max-width:560px;margin:0 auto;padding:24px 16px">'
            f'<div style="background:{accent};color:{ink_on(accent)};padding:16px 20px;border-radius:10px 10px 0 0">'
            f'{logo}<strong style="font-size:18px">{name}</strong></div>'
            f'<div style="background:#ffffff;padding:20px;border-radius:0 0 10px 10px;line-height:1.5">{paragraphs}'
            f'<p style="margin:0">— {name}</p>{footer}</div></div></body></html>')


# --- unsubscribe tokens ------------------------------------------------------------------------

def _mac(secret: str, payload: str) -> str:
    digest = hmac.new(secret.encode(), f"unsubscribe:{payload}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def unsubscribe_token(secret: str, scope: str, email: str) -> str:
    text = f"{scope}\n{email}"
    payload = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
    return f"{payload}.{_mac(secret, text)}"


def read_token(secret: str, token: str) -> tuple[str, str] | None:
    """The scope and address a token unsubscribes; None for anything that is not one of ours."""
    match = re.fullmatch(r"([A-Za-z0-9_-]{4,400})\.([A-Za-z0-9_-]{32})", token or "")
    if not match:
        return None
    try:
        text = base64.urlsafe_b64decode(match[1] + "=" * (-len(match[1]) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(_mac(secret, text), match[2]) or text.count("\n") != 1:
        return None
    scope, email = text.split("\n")
    return scope, email
